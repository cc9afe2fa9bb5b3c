//! `metrics`: one CPU and memory sample per pod of an instance, from `metrics.k8s.io` (what
//! metrics-server serves and `kubectl top` reads).
//!
//! A cluster without the API (no metrics-server: the group is not served, 404) or whose metrics
//! service does not answer (503) gets [`MetricsOutcome::NoMetricsApi`], a result rather than an
//! error, so a client can say so plainly and stop asking.
//!
//! [`instance_resources`] reads what the pods ask for and may use (requests and limits from the
//! pod specs), so a chart can draw them next to the usage.

use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use serde_json::Value;

use crate::{ActionError, Config, instance_selector, record};

/// One container's usage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerUsage {
    /// The container.
    pub name: String,
    /// CPU in millicores.
    pub cpu_millicores: u64,
    /// Memory (working set) in bytes.
    pub memory_bytes: u64,
}

/// One pod's usage at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodUsage {
    /// The pod.
    pub pod: String,
    /// When the sample was taken (RFC 3339, as metrics.k8s.io says).
    pub timestamp: String,
    /// The window the CPU rate was measured over (`30s`), when given.
    pub window: Option<String>,
    /// CPU of all its containers, in millicores.
    pub cpu_millicores: u64,
    /// Memory of all its containers, in bytes.
    pub memory_bytes: u64,
    /// Per container.
    pub containers: Vec<ContainerUsage>,
}

/// What the cluster could say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetricsOutcome {
    /// One sample per running pod of the instance (pods not running yet have none).
    Samples(Vec<PodUsage>),
    /// The cluster has no working metrics API.
    NoMetricsApi {
        /// What the API server answered, and what to do.
        reason: String,
    },
}

/// What one pod asks for and may use, summed over its containers (init containers left out).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodResources {
    /// The pod.
    pub pod: String,
    /// CPU requested, in millicores; `None` when no container requests CPU.
    pub cpu_request_millicores: Option<u64>,
    /// CPU limit, in millicores; `None` when a container has no limit (the pod is unbounded).
    pub cpu_limit_millicores: Option<u64>,
    /// Memory requested, in bytes; `None` when no container requests memory.
    pub memory_request_bytes: Option<u64>,
    /// Memory limit, in bytes; `None` when a container has no limit.
    pub memory_limit_bytes: Option<u64>,
}

/// The requests and limits of every pod of an instance, from the pod specs, by pod name; an
/// error when there is no such instance.
#[tracing::instrument(level = "debug", skip(cfg), fields(context = %cfg.context()))]
pub async fn instance_resources(
    cfg: &Config,
    namespace: &str,
    instance: &str,
) -> Result<Vec<PodResources>, ActionError> {
    let rec = record::load(cfg, namespace, instance).await?;
    let pods = cfg
        .cluster
        .list(
            "v1",
            "Pod",
            Some(namespace),
            &instance_selector(&rec.instance),
        )
        .await?;
    let mut out: Vec<PodResources> = pods.iter().map(resources_of).collect();
    out.sort_by(|a, b| a.pod.cmp(&b.pod));
    Ok(out)
}

fn resources_of(pod: &Value) -> PodResources {
    let containers = pod["spec"]["containers"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    // a request sums the containers that set one; a limit exists only if every container has one
    let request = |name: &str, parse: fn(&str) -> u64| {
        let set: Vec<u64> = containers
            .iter()
            .filter_map(|c| c["resources"]["requests"][name].as_str().map(parse))
            .collect();
        (!set.is_empty()).then(|| set.iter().sum())
    };
    let limit = |name: &str, parse: fn(&str) -> u64| {
        containers
            .iter()
            .map(|c| c["resources"]["limits"][name].as_str().map(parse))
            .sum::<Option<u64>>()
            .filter(|_| !containers.is_empty())
    };
    PodResources {
        pod: pod["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        cpu_request_millicores: request("cpu", cpu_millicores),
        cpu_limit_millicores: limit("cpu", cpu_millicores),
        memory_request_bytes: request("memory", memory_bytes),
        memory_limit_bytes: limit("memory", memory_bytes),
    }
}

fn pod_metrics_resource() -> ApiResource {
    ApiResource {
        group: "metrics.k8s.io".into(),
        version: "v1beta1".into(),
        api_version: "metrics.k8s.io/v1beta1".into(),
        kind: "PodMetrics".into(),
        plural: "pods".into(),
    }
}

/// The current usage of every pod of an instance.
#[tracing::instrument(level = "debug", skip(cfg), fields(context = %cfg.context()))]
pub async fn instance_metrics(
    cfg: &Config,
    namespace: &str,
    instance: &str,
) -> Result<MetricsOutcome, ActionError> {
    let rec = record::load(cfg, namespace, instance).await?;
    let api: Api<DynamicObject> =
        Api::namespaced_with(cfg.cluster.client(), namespace, &pod_metrics_resource());
    let list = match api
        .list(&ListParams::default().labels(&instance_selector(&rec.instance)))
        .await
    {
        Ok(l) => l,
        Err(kube::Error::Api(s)) if s.code == 404 || s.code == 503 => {
            return Ok(MetricsOutcome::NoMetricsApi {
                reason: format!(
                    "the cluster of context {:?} has no working metrics API (metrics.k8s.io: {}); install metrics-server to see CPU and memory",
                    cfg.context(),
                    if s.code == 404 {
                        "not served".to_owned()
                    } else {
                        s.message
                    }
                ),
            });
        }
        Err(e) => return Err(cfg.kube_error(format!("read the pod metrics in {namespace}"), e)),
    };
    let mut pods: Vec<PodUsage> = list.items.iter().map(usage_of).collect();
    pods.sort_by(|a, b| a.pod.cmp(&b.pod));
    Ok(MetricsOutcome::Samples(pods))
}

fn usage_of(m: &DynamicObject) -> PodUsage {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let containers: Vec<ContainerUsage> = m.data["containers"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| ContainerUsage {
                    name: text(&c["name"]),
                    cpu_millicores: cpu_millicores(c["usage"]["cpu"].as_str().unwrap_or("0")),
                    memory_bytes: memory_bytes(c["usage"]["memory"].as_str().unwrap_or("0")),
                })
                .collect()
        })
        .unwrap_or_default();
    PodUsage {
        pod: m.metadata.name.clone().unwrap_or_default(),
        timestamp: text(&m.data["timestamp"]),
        window: m.data["window"].as_str().map(str::to_owned),
        cpu_millicores: containers.iter().map(|c| c.cpu_millicores).sum(),
        memory_bytes: containers.iter().map(|c| c.memory_bytes).sum(),
        containers,
    }
}

/// Splits a quantity into its number and suffix (`150m` → (150.0, "m")).
fn split_quantity(q: &str) -> (f64, &str) {
    let q = q.trim();
    let at = q
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(q.len());
    // `1e3` is a decimal exponent, not a suffix
    let (number, suffix) = q.split_at(at);
    if let Some(exp) = suffix.strip_prefix(['e', 'E'])
        && let Ok(e) = exp.parse::<i32>()
    {
        return (number.parse::<f64>().unwrap_or(0.0) * 10f64.powi(e), "");
    }
    (number.parse().unwrap_or(0.0), suffix)
}

/// A CPU quantity (`250000000n`, `150m`, `1`, `12u`) in millicores, rounded.
pub fn cpu_millicores(q: &str) -> u64 {
    let (n, suffix) = split_quantity(q);
    let millis = match suffix {
        "n" => n / 1e6,
        "u" => n / 1e3,
        "m" => n,
        "" => n * 1e3,
        "k" => n * 1e6,
        _ => 0.0,
    };
    millis.max(0.0).round() as u64
}

/// A memory quantity (`64Mi`, `123456Ki`, `1G`, `1000`) in bytes.
pub fn memory_bytes(q: &str) -> u64 {
    let (n, suffix) = split_quantity(q);
    let factor: f64 = match suffix {
        "" => 1.0,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        _ => 0.0,
    };
    (n * factor).max(0.0).round() as u64
}

#[cfg(test)]
mod tests {
    use super::{PodResources, cpu_millicores, memory_bytes, resources_of};
    use serde_json::json;

    #[test]
    fn pod_resources_sum_the_containers() {
        let pod = json!({"metadata": {"name": "p-0"}, "spec": {"containers": [
            {"resources": {"requests": {"cpu": "250m", "memory": "64Mi"},
                           "limits": {"cpu": "500m", "memory": "64Mi"}}},
            {"resources": {"requests": {"cpu": "100m"}, "limits": {"cpu": "1"}}}]}});
        assert_eq!(
            resources_of(&pod),
            PodResources {
                pod: "p-0".into(),
                cpu_request_millicores: Some(350),
                cpu_limit_millicores: Some(1500),
                memory_request_bytes: Some(64 << 20),
                // the second container has no memory limit: the pod has none
                memory_limit_bytes: None,
            }
        );
        let bare = json!({"metadata": {"name": "p-1"}, "spec": {"containers": [{}]}});
        assert_eq!(
            resources_of(&bare),
            PodResources {
                pod: "p-1".into(),
                ..PodResources::default()
            }
        );
    }

    #[test]
    fn cpu_quantities_become_millicores() {
        assert_eq!(cpu_millicores("150m"), 150);
        assert_eq!(cpu_millicores("250000000n"), 250);
        assert_eq!(cpu_millicores("1500u"), 2);
        assert_eq!(cpu_millicores("2"), 2000);
        assert_eq!(cpu_millicores("0.5"), 500);
        assert_eq!(cpu_millicores("0"), 0);
    }

    #[test]
    fn memory_quantities_become_bytes() {
        assert_eq!(memory_bytes("64Mi"), 64 * 1024 * 1024);
        assert_eq!(memory_bytes("123456Ki"), 123_456 * 1024);
        assert_eq!(memory_bytes("1G"), 1_000_000_000);
        assert_eq!(memory_bytes("1000"), 1000);
        assert_eq!(memory_bytes("1e3"), 1000);
        assert_eq!(memory_bytes("2Gi"), 2 << 30);
    }
}
