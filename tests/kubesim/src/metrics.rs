//! `metrics.k8s.io/v1beta1` PodMetrics and NodeMetrics (what `kubectl top` and HPAs read):
//! for running pods, from the bound process's `/proc/<pid>` (CPU-time rate, RSS) when the
//! pod is bound to a backend with a pid, else from the config's load rules, else a small
//! deterministic synthetic load derived from each container's identity; node usage is a
//! base load plus the usage of its pods.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use http::Response;
use serde_json::{Value, json};

use crate::discovery::fnv;
use crate::handlers::{Query, Target};
use crate::resources::GroupResource;
use crate::selectors::LabelSelector;
use crate::server::{Body, State, json_response};
use crate::status::ApiError;

/// CPU in millicores and memory in MiB of one container, synthetic.
fn synthetic(ns: &str, pod: &str, container: &str) -> (u64, u64) {
    let h = fnv(&format!("{ns}/{pod}/{container}"));
    (5 + h % 45, 16 + (h >> 16) % 112)
}

/// Previous CPU-time samples of backend processes: pid → (when, CPU ticks, millicores).
#[derive(Debug, Default)]
pub(crate) struct CpuSamples(Mutex<HashMap<u32, (Instant, u64, u64)>>);

/// Clock ticks per second of `/proc/<pid>/stat` times (`USER_HZ`, 100 on Linux).
const USER_HZ: u64 = 100;

/// CPU ticks (user + system) and RSS in bytes of a process, from `/proc`.
fn proc_usage(pid: u32) -> Option<(u64, u64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15,
    // starttime field 22 (1-based over the whole line).
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    let start = f.get(19)?.parse::<u64>().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    Some((ticks, start, rss_kib * 1024))
}

impl CpuSamples {
    /// CPU use in millicores and RSS in bytes of process `pid`: the CPU-time rate since
    /// the previous sample (at least 500 ms ago), or over the process lifetime at first.
    pub(crate) fn usage(&self, pid: u32) -> Option<(u64, u64)> {
        let (ticks, start, rss) = proc_usage(pid)?;
        let mut samples = self.0.lock().expect("samples lock");
        let now = Instant::now();
        let millis = match samples.get(&pid) {
            Some((at, _, m)) if now.duration_since(*at) < Duration::from_millis(500) => *m,
            Some((at, prev, _)) => {
                let dt = now.duration_since(*at).as_secs_f64();
                ((ticks.saturating_sub(*prev)) as f64 * 1000.0 / USER_HZ as f64 / dt) as u64
            }
            None => {
                let uptime: f64 = std::fs::read_to_string("/proc/uptime")
                    .ok()
                    .and_then(|u| u.split_whitespace().next()?.parse().ok())
                    .unwrap_or(0.0);
                let age = uptime - start as f64 / USER_HZ as f64;
                if age > 0.0 {
                    (ticks as f64 * 1000.0 / USER_HZ as f64 / age) as u64
                } else {
                    0
                }
            }
        };
        if samples
            .get(&pid)
            .is_none_or(|(at, _, _)| now.duration_since(*at) >= Duration::from_millis(500))
        {
            samples.insert(pid, (now, ticks, millis));
        }
        Some((millis, rss))
    }
}

/// Where a pod's usage comes from.
enum Source {
    /// A bound process: millicores and bytes of the whole pod.
    Process(u64, u64),
    /// A load rule: millicores and MiB of the whole pod.
    Rule(u64, u64),
    /// Synthetic per container.
    Synthetic,
}

fn source(state: &State, pod: &Value) -> Source {
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    let selects = |rule_ns: &Option<String>, selector: &str| {
        rule_ns.as_deref().is_none_or(|n| n == ns)
            && LabelSelector::parse(selector)
                .map(|s| s.matches(&pod["metadata"]["labels"]))
                .unwrap_or(false)
    };
    for b in &state.config.backends {
        if let Some(pid) = b.pid
            && selects(&b.namespace, &b.selector)
            && let Some((cpu, rss)) = state.cpu_samples.usage(pid)
        {
            return Source::Process(cpu, rss);
        }
    }
    let rules = state.load.read().expect("load lock");
    match rules.iter().find(|r| selects(&r.namespace, &r.selector)) {
        Some(r) => Source::Rule(r.cpu_millis, r.memory_mib),
        None => Source::Synthetic,
    }
}

/// The PodMetrics of a running pod, with its total CPU (millicores) and memory (bytes).
pub(crate) fn pod_metrics(state: &State, pod: &Value) -> Option<(Value, u64, u64)> {
    if pod["status"]["phase"] != "Running" {
        return None;
    }
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let specs: Vec<Value> = pod["spec"]["containers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let n = specs.len().max(1) as u64;
    let src = source(state, pod);
    let (mut cpu, mut mem) = (0, 0);
    let containers: Vec<Value> = specs
        .iter()
        .map(|c| {
            let cn = c["name"].as_str().unwrap_or_default();
            let (c_cpu, c_mem) = match src {
                Source::Process(cpu, bytes) => (cpu / n, bytes / n),
                Source::Rule(cpu, mib) => (cpu / n, mib * 1024 * 1024 / n),
                Source::Synthetic => {
                    let (c, m) = synthetic(ns, name, cn);
                    (c, m * 1024 * 1024)
                }
            };
            cpu += c_cpu;
            mem += c_mem;
            json!({"name": cn, "usage": {"cpu": format!("{c_cpu}m"), "memory": format!("{}Ki", c_mem / 1024)}})
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
    let (mut cpu, mut mem) = (100u64, 512u64 * 1024 * 1024);
    for p in pods.iter().filter(|p| p["spec"]["nodeName"] == name) {
        if let Some((_, c, m)) = pod_metrics(state, p) {
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
        "usage": {"cpu": format!("{cpu}m"), "memory": format!("{}Ki", mem / 1024)},
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
            pod_metrics(state, o).map(|(v, _, _)| v)
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
        .filter_map(|o| metrics(o))
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
