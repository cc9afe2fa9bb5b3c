//! `metrics.k8s.io/v1beta1` PodMetrics and NodeMetrics (what `kubectl top` and HPAs read):
//! a deterministic synthetic load per container, derived from its identity, for running
//! pods; node usage is a base load plus the usage of its pods.

use http::Response;
use serde_json::{Value, json};

use crate::discovery::fnv;
use crate::handlers::{Query, Target};
use crate::resources::GroupResource;
use crate::selectors::LabelSelector;
use crate::server::{Body, State, json_response};
use crate::status::ApiError;

/// CPU in millicores and memory in MiB of one container.
fn usage(ns: &str, pod: &str, container: &str) -> (u64, u64) {
    let h = fnv(&format!("{ns}/{pod}/{container}"));
    (5 + h % 45, 16 + (h >> 16) % 112)
}

fn pod_metrics(pod: &Value) -> Option<(Value, u64, u64)> {
    if pod["status"]["phase"] != "Running" {
        return None;
    }
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let (mut cpu, mut mem) = (0, 0);
    let containers: Vec<Value> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let cn = c["name"].as_str().unwrap_or_default();
            let (c_cpu, c_mem) = usage(ns, name, cn);
            cpu += c_cpu;
            mem += c_mem;
            json!({"name": cn, "usage": {"cpu": format!("{c_cpu}m"), "memory": format!("{c_mem}Mi")}})
        })
        .collect();
    let v = json!({
        "kind": "PodMetrics",
        "apiVersion": "metrics.k8s.io/v1beta1",
        "metadata": {"name": name, "namespace": ns, "labels": pod["metadata"]["labels"],
                     "creationTimestamp": crate::handlers::write::now()},
        "timestamp": crate::handlers::write::now(),
        "window": "10s",
        "containers": containers,
    });
    Some((v, cpu, mem))
}

fn node_metrics(state: &State, node: &Value) -> Value {
    let name = node["metadata"]["name"].as_str().unwrap_or_default();
    let (pods, _) = state.store.list(&GroupResource::new("", "pods"), None);
    let (mut cpu, mut mem) = (100u64, 512u64);
    for p in pods.iter().filter(|p| p["spec"]["nodeName"] == name) {
        if let Some((_, c, m)) = pod_metrics(p) {
            cpu += c;
            mem += m;
        }
    }
    json!({
        "kind": "NodeMetrics",
        "apiVersion": "metrics.k8s.io/v1beta1",
        "metadata": {"name": name, "labels": node["metadata"]["labels"],
                     "creationTimestamp": crate::handlers::write::now()},
        "timestamp": crate::handlers::write::now(),
        "window": "10s",
        "usage": {"cpu": format!("{cpu}m"), "memory": format!("{mem}Mi")},
    })
}

/// Serves get and list of PodMetrics and NodeMetrics.
pub(crate) fn serve(state: &State, t: &Target, q: &Query) -> Result<Response<Body>, ApiError> {
    let ls = LabelSelector::parse(q.get("labelSelector").unwrap_or_default())?;
    let nodes = t.rt.plural == "nodes";
    let gr = GroupResource::new("", if nodes { "nodes" } else { "pods" });
    let metrics = |o: &Value| -> Option<Value> {
        if nodes {
            Some(node_metrics(state, o))
        } else {
            pod_metrics(o).map(|(v, _, _)| v)
        }
    };
    if let Some(name) = &t.name {
        let obj = state
            .store
            .get(&gr, t.ns(), name)
            .and_then(|o| metrics(&o))
            .ok_or_else(|| ApiError::not_found(&t.rt, name))?;
        return Ok(json_response(200, &obj));
    }
    let (objs, _) = state.store.list(&gr, t.ns.as_deref());
    let items: Vec<Value> = objs
        .iter()
        .filter(|o| ls.matches(&o["metadata"]["labels"]))
        .filter_map(metrics)
        .collect();
    Ok(json_response(
        200,
        &json!({
            "kind": if nodes { "NodeMetricsList" } else { "PodMetricsList" },
            "apiVersion": "metrics.k8s.io/v1beta1",
            "metadata": {},
            "items": items,
        }),
    ))
}
