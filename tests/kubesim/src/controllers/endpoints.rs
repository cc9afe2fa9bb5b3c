//! Service → Endpoints and EndpointSlice from the pods it selects.

use serde_json::{Value, json};

use super::objects::{create, list, owner_ref, pod_ready, terminating, update};
use crate::resources::GroupResource;
use crate::selectors::LabelSelector;
use crate::server::State;

fn target_port(port: &Value, pod: &Value) -> Option<i64> {
    match &port["targetPort"] {
        Value::Number(n) => n.as_i64(),
        Value::String(name) => pod["spec"]["containers"]
            .as_array()?
            .iter()
            .flat_map(|c| c["ports"].as_array().cloned().unwrap_or_default())
            .find(|p| p["name"] == name.as_str())
            .and_then(|p| p["containerPort"].as_i64()),
        _ => port["port"].as_i64(),
    }
}

/// Reconciles every Service with a selector.
pub(crate) fn reconcile(state: &State) {
    for svc in list(state, "", "services", None) {
        if terminating(&svc) {
            continue;
        }
        let Some(sel) = LabelSelector::from_map(&svc["spec"]["selector"]) else {
            continue;
        };
        if sel.is_empty() {
            continue;
        }
        let ns = svc["metadata"]["namespace"].as_str().unwrap_or_default();
        let name = svc["metadata"]["name"].as_str().unwrap_or_default();
        let pods: Vec<Value> = list(state, "", "pods", Some(ns))
            .into_iter()
            .filter(|p| {
                sel.matches(&p["metadata"]["labels"])
                    && p["status"]["podIP"].is_string()
                    && !terminating(p)
            })
            .map(|o| o.value().clone())
            .collect();
        let ports = svc["spec"]["ports"].as_array().cloned().unwrap_or_default();
        let addr = |p: &Value| {
            json!({"ip": p["status"]["podIP"], "nodeName": p["spec"]["nodeName"],
                   "targetRef": {"kind": "Pod", "namespace": ns, "name": p["metadata"]["name"], "uid": p["metadata"]["uid"]}})
        };
        let ready: Vec<Value> = pods.iter().filter(|p| pod_ready(p)).map(addr).collect();
        let not_ready: Vec<Value> = pods.iter().filter(|p| !pod_ready(p)).map(addr).collect();
        let ep_ports: Vec<Value> = ports
            .iter()
            .map(|p| {
                let tp = pods
                    .first()
                    .and_then(|pod| target_port(p, pod))
                    .or(p["port"].as_i64());
                let mut v =
                    json!({"port": tp, "protocol": p["protocol"].as_str().unwrap_or("TCP")});
                if let Some(n) = p["name"].as_str() {
                    v["name"] = json!(n);
                }
                v
            })
            .collect();
        let mut subset = json!({});
        if !ready.is_empty() {
            subset["addresses"] = json!(ready);
        }
        if !not_ready.is_empty() {
            subset["notReadyAddresses"] = json!(not_ready);
        }
        let subsets = if pods.is_empty() {
            json!([])
        } else {
            subset["ports"] = json!(ep_ports);
            json!([subset])
        };
        let eps = GroupResource::new("", "endpoints");
        match state.store.get(&eps, ns, name) {
            None => {
                let mut ep = json!({"apiVersion": "v1", "kind": "Endpoints",
                    "metadata": {"name": name, "labels": svc["metadata"]["labels"]}});
                if subsets.as_array().is_some_and(|a| !a.is_empty()) {
                    ep["subsets"] = subsets.clone();
                }
                create(state, "", "endpoints", ns, ep);
            }
            Some(cur) => {
                let cur_subsets = if cur["subsets"].is_null() {
                    json!([])
                } else {
                    cur["subsets"].clone()
                };
                if cur_subsets != subsets {
                    update(state, "", "endpoints", ns, name, |o| {
                        if subsets.as_array().is_some_and(|a| a.is_empty()) {
                            o.as_object_mut().expect("object").remove("subsets");
                        } else {
                            o["subsets"] = subsets.clone();
                        }
                    });
                }
            }
        }
        // EndpointSlice.
        let slice_name = format!(
            "{name}-{}",
            &super::objects::hash(&svc["metadata"]["uid"])[..5]
        );
        let endpoints: Vec<Value> = pods
            .iter()
            .map(|p| {
                let r = pod_ready(p);
                json!({"addresses": [p["status"]["podIP"]], "conditions": {"ready": r, "serving": r, "terminating": false},
                       "nodeName": p["spec"]["nodeName"],
                       "targetRef": {"kind": "Pod", "namespace": ns, "name": p["metadata"]["name"], "uid": p["metadata"]["uid"]}})
            })
            .collect();
        let slices = GroupResource::new("discovery.k8s.io", "endpointslices");
        match state.store.get(&slices, ns, &slice_name) {
            None => {
                let es = json!({
                    "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                    "metadata": {"name": slice_name, "ownerReferences": [owner_ref(&svc)],
                        "labels": {"kubernetes.io/service-name": name, "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"}},
                    "addressType": "IPv4",
                    "endpoints": endpoints,
                    "ports": ep_ports,
                });
                create(state, "discovery.k8s.io", "endpointslices", ns, es);
            }
            Some(cur) => {
                if cur["endpoints"] != json!(endpoints) || cur["ports"] != json!(ep_ports) {
                    update(
                        state,
                        "discovery.k8s.io",
                        "endpointslices",
                        ns,
                        &slice_name,
                        |o| {
                            o["endpoints"] = json!(endpoints);
                            o["ports"] = json!(ep_ports);
                        },
                    );
                }
            }
        }
    }
}
