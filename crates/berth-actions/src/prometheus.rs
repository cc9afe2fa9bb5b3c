//! `prometheus`: an instance's CPU and memory over long ranges, from the cluster's own
//! Prometheus when it has one.
//!
//! [`find_prometheus`] looks for the Service the common installs create (the community chart's
//! `prometheus-server`, the operator's `prometheus-operated`, kube-prometheus-stack's, or any
//! Service labelled `app.kubernetes.io/name=prometheus`). [`usage_range`] asks it over the API
//! server's service proxy (no port-forward, nothing installed) for the cAdvisor series the
//! kubelet exposes: `container_cpu_usage_seconds_total` (as a rate, in millicores) and
//! `container_memory_working_set_bytes` (what metrics-server reports too), summed per pod over
//! the pods of the instance's workloads.

use std::collections::BTreeMap;

use berth_store::MetricSample;
use serde_json::Value;

use crate::{ActionError, Config, instance_selector, record};

/// Service names that are a Prometheus server in the common installs.
const KNOWN_NAMES: &[&str] = &[
    "prometheus-server",
    "prometheus-operated",
    "prometheus-k8s",
    "prometheus",
    "kube-prometheus-stack-prometheus",
];

/// A Prometheus server's Service, as the service proxy names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrometheusService {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Its HTTP port's name, or number when unnamed.
    pub port: String,
}

impl std::fmt::Display for PrometheusService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

/// Whether a Service is a Prometheus server, and its HTTP port.
fn prometheus_port(svc: &Value) -> Option<String> {
    let name = svc["metadata"]["name"].as_str().unwrap_or_default();
    let labels = &svc["metadata"]["labels"];
    let labelled = labels["app.kubernetes.io/name"] == "prometheus"
        && labels["app.kubernetes.io/component"]
            .as_str()
            .is_none_or(|c| c == "server" || c == "prometheus");
    if !(KNOWN_NAMES.contains(&name) || labelled) {
        return None;
    }
    let ports = svc["spec"]["ports"].as_array()?;
    let port = ports
        .iter()
        .find(|p| matches!(p["name"].as_str(), Some("web" | "http" | "http-web")))
        .or_else(|| {
            ports
                .iter()
                .find(|p| p["port"] == 9090 || p["targetPort"] == 9090)
        })
        .or_else(|| ports.first())?;
    match port["name"].as_str() {
        Some(n) if !n.is_empty() => Some(n.to_owned()),
        _ => port["port"].as_i64().map(|n| n.to_string()),
    }
}

/// The cluster's Prometheus, if a Service of one is found; `None` also when Services cannot be
/// listed across namespaces (the user may lack the right): that is "no Prometheus", not a failure.
#[tracing::instrument(level = "debug", skip(cfg), fields(context = %cfg.context()))]
pub async fn find_prometheus(cfg: &Config) -> Option<PrometheusService> {
    let fields = berth_cluster::Fields::new(&[
        "metadata.name",
        "metadata.namespace",
        "metadata.labels",
        "spec.ports",
    ]);
    let services = match cfg
        .cluster
        .list_fields("v1", "Service", None, "", &fields)
        .await
    {
        Ok(s) => s,
        Err(e) => {
            tracing::debug!(error = %e, "cannot look for Prometheus");
            return None;
        }
    };
    let mut found: Vec<PrometheusService> = services
        .iter()
        .filter_map(|s| {
            Some(PrometheusService {
                port: prometheus_port(s)?,
                namespace: s["metadata"]["namespace"].as_str()?.to_owned(),
                name: s["metadata"]["name"].as_str()?.to_owned(),
            })
        })
        .collect();
    // the well-known names first, in their order, then by place
    let rank = |p: &PrometheusService| {
        KNOWN_NAMES
            .iter()
            .position(|n| *n == p.name)
            .unwrap_or(KNOWN_NAMES.len())
    };
    found.sort_by(|a, b| (rank(a), &a.namespace, &a.name).cmp(&(rank(b), &b.namespace, &b.name)));
    found.into_iter().next()
}

/// A PromQL regex matching exactly the pods of these workloads: a StatefulSet's `NAME-N`, a
/// Deployment's `NAME-<hash>-<id>`, and the pods running now.
fn pod_pattern(statefulsets: &[String], deployments: &[String], pods: &[String]) -> String {
    let quote = |s: &str| s.replace('.', "\\\\.");
    let mut alternatives: Vec<String> = statefulsets
        .iter()
        .map(|s| format!("{}-[0-9]+", quote(s)))
        .chain(
            deployments
                .iter()
                .map(|d| format!("{}-[a-z0-9]{{6,10}}-[a-z0-9]{{5}}", quote(d))),
        )
        .chain(pods.iter().map(|p| quote(p)))
        .collect();
    alternatives.sort();
    alternatives.dedup();
    alternatives.join("|")
}

/// Names of the objects of a kind labelled with the instance.
async fn names(
    cfg: &Config,
    kind: (&str, &str),
    namespace: &str,
    selector: &str,
) -> Result<Vec<String>, ActionError> {
    let items = cfg
        .cluster
        .list(kind.0, kind.1, Some(namespace), selector)
        .await?;
    Ok(items
        .iter()
        .filter_map(|o| o["metadata"]["name"].as_str().map(str::to_owned))
        .collect())
}

/// One `query_range` through the service proxy: series by pod, values by Unix second.
async fn query_range(
    cfg: &Config,
    prometheus: &PrometheusService,
    query: &str,
    range: (i64, i64, i64),
) -> Result<BTreeMap<String, Vec<(i64, f64)>>, ActionError> {
    let (start, end, step) = range;
    let query_string = form_urlencoded(&[
        ("query", query),
        ("start", &start.to_string()),
        ("end", &end.to_string()),
        ("step", &step.to_string()),
    ]);
    let path = format!(
        "/api/v1/namespaces/{}/services/{}:{}/proxy/api/v1/query_range?{query_string}",
        prometheus.namespace, prometheus.name, prometheus.port
    );
    let request = http::Request::get(&path)
        .body(Vec::new())
        .map_err(|e| ActionError::Failed(format!("a Prometheus request: {e}")))?;
    let text = cfg
        .cluster
        .client()
        .request_text(request)
        .await
        .map_err(|e| cfg.kube_error(format!("ask Prometheus at {prometheus}"), e))?;
    let answer: Value = serde_json::from_str(&text).map_err(|e| {
        ActionError::Failed(format!(
            "Prometheus at {prometheus} answered something else than JSON: {e}"
        ))
    })?;
    if answer["status"] != "success" {
        return Err(ActionError::Failed(format!(
            "Prometheus at {prometheus} refused the query: {}",
            answer["error"].as_str().unwrap_or("no reason given")
        )));
    }
    let mut out = BTreeMap::new();
    for series in answer["data"]["result"].as_array().into_iter().flatten() {
        let Some(pod) = series["metric"]["pod"].as_str() else {
            continue;
        };
        let values = series["values"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| {
                let at = v[0].as_f64()? as i64;
                let value: f64 = v[1].as_str()?.parse().ok()?;
                value.is_finite().then_some((at, value))
            })
            .collect();
        out.insert(pod.to_owned(), values);
    }
    Ok(out)
}

/// `key=value&…` with the values percent-encoded for a query string.
fn form_urlencoded(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let encoded: String = v
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{k}={encoded}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The instance's CPU and memory per pod from `from` to `to` (Unix seconds), one point per
/// `step` seconds, from the cluster's Prometheus: samples as Berth keeps its own, by pod and time.
#[tracing::instrument(level = "debug", skip(cfg), fields(context = %cfg.context(), prometheus = %prometheus))]
pub async fn usage_range(
    cfg: &Config,
    prometheus: &PrometheusService,
    namespace: &str,
    instance: &str,
    range: (i64, i64, i64),
) -> Result<Vec<MetricSample>, ActionError> {
    let rec = record::load(cfg, namespace, instance).await?;
    let selector = instance_selector(&rec.instance);
    let statefulsets = names(cfg, ("apps/v1", "StatefulSet"), namespace, &selector).await?;
    let deployments = names(cfg, ("apps/v1", "Deployment"), namespace, &selector).await?;
    let pods = names(cfg, ("v1", "Pod"), namespace, &selector).await?;
    let pattern = pod_pattern(&statefulsets, &deployments, &pods);
    if pattern.is_empty() {
        return Ok(Vec::new());
    }
    let matcher =
        format!("namespace=\"{namespace}\",pod=~\"{pattern}\",container!=\"\",container!=\"POD\"");
    // the rate's window covers at least two scrapes however short the step
    let window = range.2.max(60) * 2;
    let cpu = query_range(
        cfg,
        prometheus,
        &format!(
            "sum by (pod) (rate(container_cpu_usage_seconds_total{{{matcher}}}[{window}s])) * 1000"
        ),
        range,
    )
    .await?;
    let memory = query_range(
        cfg,
        prometheus,
        &format!("sum by (pod) (container_memory_working_set_bytes{{{matcher}}})"),
        range,
    )
    .await?;
    let mut samples: BTreeMap<(String, i64), MetricSample> = BTreeMap::new();
    let whole = |v: f64| v.round().max(0.0) as u64;
    for (series, is_cpu) in [(&cpu, true), (&memory, false)] {
        for (pod, values) in series {
            for &(at, v) in values {
                let sample = samples
                    .entry((pod.clone(), at))
                    .or_insert_with(|| MetricSample {
                        pod: pod.clone(),
                        at,
                        cpu_millicores: 0,
                        memory_bytes: 0,
                    });
                if is_cpu {
                    sample.cpu_millicores = whole(v);
                } else {
                    sample.memory_bytes = whole(v);
                }
            }
        }
    }
    Ok(samples.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_common_prometheus_services_are_recognised_with_their_http_port() {
        let svc = |name: &str, labels: Value, ports: Value| {
            json!({"metadata": {"name": name, "namespace": "monitoring", "labels": labels},
                   "spec": {"ports": ports}})
        };
        let chart = svc(
            "prometheus-server",
            json!({"app.kubernetes.io/name": "prometheus", "app.kubernetes.io/component": "server"}),
            json!([{"name": "http", "port": 80, "targetPort": 9090}]),
        );
        assert_eq!(prometheus_port(&chart).as_deref(), Some("http"));
        let operated = svc(
            "prometheus-operated",
            json!({"operated-prometheus": "true"}),
            json!([{"name": "web", "port": 9090}, {"name": "grpc", "port": 10901}]),
        );
        assert_eq!(prometheus_port(&operated).as_deref(), Some("web"));
        let unnamed = svc(
            "prom-x",
            json!({"app.kubernetes.io/name": "prometheus"}),
            json!([{"port": 9090}]),
        );
        assert_eq!(prometheus_port(&unnamed).as_deref(), Some("9090"));
        // the chart's other parts and unrelated Services are not Prometheus
        let exporter = svc(
            "prometheus-node-exporter",
            json!({"app.kubernetes.io/name": "prometheus-node-exporter"}),
            json!([{"name": "metrics", "port": 9100}]),
        );
        assert_eq!(prometheus_port(&exporter), None);
        let alertmanager = svc(
            "prom-alertmanager",
            json!({"app.kubernetes.io/name": "prometheus", "app.kubernetes.io/component": "alertmanager"}),
            json!([{"name": "http", "port": 9093}]),
        );
        assert_eq!(prometheus_port(&alertmanager), None);
    }

    #[test]
    fn the_pod_pattern_matches_the_instances_pods_only() {
        let pattern = pod_pattern(&["pg".into()], &["web.v2".into()], &["pg-0".into()]);
        assert_eq!(
            pattern,
            "pg-0|pg-[0-9]+|web\\\\.v2-[a-z0-9]{6,10}-[a-z0-9]{5}"
        );
    }

    #[test]
    fn query_strings_are_percent_encoded() {
        assert_eq!(
            form_urlencoded(&[("query", "sum by (pod) (x{a=~\"b|c\"})"), ("step", "60")]),
            "query=sum%20by%20%28pod%29%20%28x%7Ba%3D~%22b%7Cc%22%7D%29&step=60"
        );
    }
}
