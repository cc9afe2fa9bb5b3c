//! kubesim's configuration (`--config FILE`, YAML or JSON; every field optional).

use serde::{Deserialize, Serialize};

/// Simulator configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Config {
    /// Bearer token clients must send; random when unset.
    pub token: Option<String>,
    /// Names of the simulated nodes.
    pub nodes: Vec<String>,
    /// Simulated kubelet behaviour.
    pub kubelet: KubeletConfig,
    /// How many store events watches can replay (older versions get 410 Gone).
    pub watch_history: usize,
    /// Interval between watch bookmarks, in milliseconds.
    pub bookmark_interval_ms: u64,
    /// Fault injection.
    pub faults: Faults,
    /// Pods bound to real local backends.
    pub backends: Vec<Backend>,
    /// SQLite file the objects persist in (`--state`): a restarted kubesim keeps its
    /// objects and its resourceVersions continue upward. In memory only when unset.
    pub state_file: Option<std::path::PathBuf>,
    /// Length of a simulated minute for CronJob schedules, in milliseconds (60000: real
    /// time; 500 runs a `*/1 * * * *` CronJob twice a second).
    pub cron_minute_ms: u64,
    /// Simulated load of the pods the rules select (metrics.k8s.io and the HPA); checked
    /// in order, pods no rule selects get a small deterministic synthetic load. Replaced
    /// at run time through `PUT /kubesim/v1/metrics`.
    pub metrics: Vec<LoadRule>,
    /// Serve `metrics.k8s.io` (default true); `false` is a cluster without metrics-server:
    /// the group is absent from discovery and its paths answer 404.
    pub metrics_api: bool,
}

/// The load of the pods a rule selects.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct LoadRule {
    /// Namespace of the pods, any when unset.
    pub namespace: Option<String>,
    /// Label selector of the pods (`app=web`); every pod when empty.
    pub selector: String,
    /// CPU use of each selected pod, in millicores (split evenly between its containers).
    pub cpu_millis: u64,
    /// Memory use of each selected pod, in MiB (split evenly between its containers).
    pub memory_mib: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            token: None,
            nodes: vec!["kubesim-node".into()],
            kubelet: KubeletConfig::default(),
            watch_history: 20_000,
            bookmark_interval_ms: 5_000,
            faults: Faults::default(),
            backends: Vec::new(),
            state_file: None,
            cron_minute_ms: 60_000,
            metrics: Vec::new(),
            metrics_api: true,
        }
    }
}

impl Config {
    /// Reads a YAML (or JSON) config file.
    pub fn from_file(path: &std::path::Path) -> Result<Self, crate::Error> {
        let text = std::fs::read_to_string(path).map_err(|e| crate::Error::Io {
            context: format!("reading {}", path.display()),
            source: e,
        })?;
        serde_yaml::from_str(&text).map_err(|e| crate::Error::Config(e.to_string()))
    }
}

/// How the simulated kubelet runs pods.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct KubeletConfig {
    /// Delay from scheduling to Running, in milliseconds.
    pub start_delay_ms: u64,
    /// Delay from Running to Ready, in milliseconds.
    pub ready_delay_ms: u64,
    /// Images whose pull fails (ErrImagePull, then ImagePullBackOff).
    pub failing_images: Vec<String>,
    /// Images whose containers exit at once and restart (CrashLoopBackOff).
    pub crash_images: Vec<String>,
    /// Log lines every container writes when it starts (`{pod}`, `{container}` and
    /// `{image}` are replaced).
    pub startup_log: Vec<String>,
    /// Run time of Job pods before they succeed, in milliseconds.
    pub job_duration_ms: u64,
    /// The period of every exec probe of pods bound to a backend, in milliseconds, instead of
    /// each probe's `periodSeconds` (and no initial delay): tests that stop a real server see
    /// its pods turn NotReady within a few periods.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probe_period_ms: Option<u64>,
}

impl Default for KubeletConfig {
    fn default() -> Self {
        Self {
            start_delay_ms: 100,
            ready_delay_ms: 100,
            failing_images: Vec::new(),
            crash_images: Vec::new(),
            startup_log: vec![
                "kubesim: container {container} of pod {pod} started from image {image}".into(),
            ],
            job_duration_ms: 300,
            probe_period_ms: None,
        }
    }
}

/// Fault injection (the config file's `faults`, or `PUT /kubesim/v1/faults` at run time).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Faults {
    /// Added latency for every request, in milliseconds.
    pub latency_ms: u64,
    /// Error rules, checked in order.
    pub errors: Vec<ErrorRule>,
    /// Abort every watch connection this long after it starts (clients must re-watch).
    pub drop_watches_after_ms: Option<u64>,
    /// A window (from kubesim's start) during which every request gets 503.
    pub outage: Option<Outage>,
    /// Abort every followed log stream (`logs -f`) this long after it starts.
    pub drop_log_streams_after_ms: Option<u64>,
    /// Cut every exec stream once this many stdout bytes went out: the connection is closed
    /// cleanly, without the exit status, as an API server behind a dropped network does (a
    /// client that trusts the close sees a clean end).
    pub cut_exec_after_bytes: Option<u64>,
    /// Send every exec stream's stdout at most this many bytes per second (a slow link): a
    /// long transfer stays long enough to be interrupted on purpose.
    pub exec_bytes_per_sec: Option<u64>,
    /// Nodes that stopped reporting: their Ready condition turns Unknown (kubectl shows
    /// NotReady) and their pods' Ready and ContainersReady conditions turn False, so they
    /// leave Service endpoints, until the node is removed from this list.
    pub lost_nodes: Vec<String>,
}

/// An outage window, relative to kubesim's start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Outage {
    /// Start of the outage, in milliseconds after kubesim started.
    pub start_ms: u64,
    /// Length of the outage, in milliseconds.
    pub duration_ms: u64,
}

/// Fail a share of matching requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ErrorRule {
    /// Verb (`get`, `list`, `create`...), or any when unset.
    #[serde(default)]
    pub verb: Option<String>,
    /// Plural resource, or any when unset.
    #[serde(default)]
    pub resource: Option<String>,
    /// HTTP code: 500, 503 or 429 (transient); 401 (credentials refused), 403 (RBAC denies
    /// the verb on the resource, as the authorizer words it; with `message`, that text, e.g.
    /// an `exceeded quota: ...` admission refusal).
    pub code: u16,
    /// Share of matching requests that fail, 0.0..=1.0.
    pub rate: f64,
    /// The Status message for 403 (default: the RBAC denial).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Binds pods (namespace + label selector) to a real local backend: `exec` in those pods
/// runs the command locally with `env` added (e.g. `PGHOST`/`PGPORT` of a real database),
/// and port-forward to a pod port reaches the bound loopback address.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Backend {
    /// Namespace of the pods, any when unset.
    pub namespace: Option<String>,
    /// Label selector of the pods (`app=db`).
    pub selector: String,
    /// Environment for commands exec'd in those pods.
    pub env: std::collections::BTreeMap<String, String>,
    /// Pod port → loopback address (`"5432": "127.0.0.1:55432"`) for port-forward.
    pub ports: std::collections::BTreeMap<String, String>,
    /// PID of the real process behind those pods: their metrics (CPU time rate, RSS) are
    /// read from `/proc/<pid>`.
    pub pid: Option<u32>,
    /// The process is a stand-in that cannot answer the pods' exec probes (an echo server
    /// behind a database's port, say): those pods keep the kubelet's time-based readiness.
    pub skip_probes: bool,
}
