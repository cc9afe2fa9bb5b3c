//! Looking at a running instance: logs (read or followed), port-forward sessions with the
//! connection URI, and CPU/memory samples from `metrics.k8s.io`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use berth_actions::{Connect, Forward, ForwardInfo, LogLine, Logs, MetricsOutcome};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::instances::action_error;
use crate::{Api, ApiError, ErrorCode, InstanceRef};

/// Which logs to read.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct LogsInput {
    /// Which instance.
    pub instance: InstanceRef,
    /// Only this pod (default: every pod of the instance).
    pub pod: Option<String>,
    /// Only lines from the last this many seconds.
    pub since_seconds: Option<u32>,
    /// Only the last this many lines of each container.
    pub tail: Option<u32>,
    /// Keep streaming new lines (and new pods) until stopped.
    pub follow: bool,
}

/// One log line of a pod's container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InstanceLogLine {
    /// The pod.
    pub pod: String,
    /// The container.
    pub container: String,
    /// What to show before the line: the pod, or `pod/container` when the pod has several.
    pub prefix: String,
    /// When the container wrote it (RFC 3339), when known.
    pub timestamp: Option<String>,
    /// The text.
    pub line: String,
}

impl From<LogLine> for InstanceLogLine {
    fn from(l: LogLine) -> Self {
        Self {
            pod: l.pod,
            container: l.container,
            prefix: l.prefix,
            timestamp: l.timestamp,
            line: l.text,
        }
    }
}

/// What port-forward to open.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct PortForwardInput {
    /// Which instance.
    pub instance: InstanceRef,
    /// The local port (default: a free one).
    pub port: Option<u16>,
}

/// An open port-forward session. The URI never holds the password: it shows `****` instead
/// (see [`Api::reveal_connection_uri`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PortForwardSession {
    /// The session id, to stop it or reveal its password.
    pub id: String,
    /// The context.
    pub context: String,
    /// The namespace.
    pub namespace: String,
    /// The instance.
    pub name: String,
    /// The local host listened on (`127.0.0.1`).
    pub local_host: String,
    /// The local port.
    pub local_port: u16,
    /// The client Service.
    pub service: String,
    /// Its port.
    pub service_port: u16,
    /// The pod the connections go to.
    pub pod: String,
    /// The pod port.
    pub pod_port: u16,
    /// `postgresql`, `redis`, `http`...
    pub protocol: String,
    /// The user clients log in as, when the service has users.
    pub user: Option<String>,
    /// The connection URI, password masked as `****`.
    pub uri: String,
    /// Whether there is a password to reveal.
    pub has_password: bool,
}

fn session(id: &str, info: &ForwardInfo) -> PortForwardSession {
    PortForwardSession {
        id: id.to_owned(),
        context: info.context.clone(),
        namespace: info.namespace.clone(),
        name: info.instance.clone(),
        local_host: info.local.ip().to_string(),
        local_port: info.local.port(),
        service: info.service.clone(),
        service_port: info.service_port,
        pod: info.pod.clone(),
        pod_port: info.pod_port,
        protocol: info.protocol.clone(),
        user: info.user.clone(),
        uri: info.uri.clone(),
        has_password: info.has_password,
    }
}

/// One container's usage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ContainerMetrics {
    /// The container.
    pub name: String,
    /// CPU in millicores.
    pub cpu_millicores: u32,
    /// Memory in bytes.
    #[ts(type = "number")]
    pub memory_bytes: u64,
}

/// One pod's usage at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PodMetrics {
    /// The pod.
    pub pod: String,
    /// When it was measured (RFC 3339).
    pub timestamp: String,
    /// The window the CPU rate covers (`30s`), when given.
    pub window: Option<String>,
    /// CPU in millicores.
    pub cpu_millicores: u32,
    /// Memory in bytes.
    #[ts(type = "number")]
    pub memory_bytes: u64,
    /// Per container.
    pub containers: Vec<ContainerMetrics>,
}

/// An instance's usage now, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum InstanceMetrics {
    /// One sample per running pod.
    Samples {
        /// The pods, by name.
        pods: Vec<PodMetrics>,
    },
    /// The cluster has no (working) metrics API: nothing to sample.
    NoMetricsApi {
        /// What the cluster said and what to do.
        message: String,
    },
}

/// The open port-forward sessions of one [`Api`], by id.
#[derive(Debug, Default)]
pub(crate) struct Forwards {
    sessions: Mutex<BTreeMap<String, Arc<Forward>>>,
    next: std::sync::atomic::AtomicU64,
}

impl Api {
    /// Reads an instance's logs into `sink`, merged and prefixed; with `follow`, streams until
    /// `cancel` is cancelled, picking up new pods and reconnecting dropped streams.
    #[tracing::instrument(skip(self, input, sink, cancel), fields(instance = %input.instance.name))]
    pub async fn instance_logs(
        &self,
        input: &LogsInput,
        sink: &(dyn Fn(InstanceLogLine) + Send + Sync),
        cancel: CancellationToken,
    ) -> Result<(), ApiError> {
        let cfg = self
            .cluster_config(input.instance.context.as_deref())
            .await?;
        let mut logs = Logs::new(&cfg, input.instance.name.clone());
        logs.namespace = input.instance.namespace.clone();
        logs.pod = input.pod.clone();
        logs.since = input.since_seconds.map(|s| Duration::from_secs(s.into()));
        logs.tail = input.tail.map(i64::from);
        logs.follow = input.follow;
        let forward = |l: LogLine| sink(l.into());
        logs.run(&forward, cancel).await.map_err(action_error)
    }

    /// Opens a port-forward to an instance's client Service on 127.0.0.1 and keeps it open until
    /// [`Api::stop_port_forward`] (or the end of the process).
    #[tracing::instrument(skip(self, input), fields(instance = %input.instance.name))]
    pub async fn start_port_forward(
        &self,
        input: &PortForwardInput,
    ) -> Result<PortForwardSession, ApiError> {
        let cfg = self
            .action_config(input.instance.context.as_deref())
            .await?;
        let mut connect = Connect::new(&cfg, input.instance.name.clone());
        connect.namespace = input.instance.namespace.clone();
        connect.port = input.port;
        let forward = connect.start().await.map_err(action_error)?;
        let n = self
            .forwards
            .next
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let id = format!("pf-{}", n + 1);
        let out = session(&id, &forward.info);
        self.forwards
            .sessions
            .lock()
            .map_err(|_| ApiError::new(ErrorCode::Internal, "port-forward table poisoned"))?
            .insert(id, Arc::new(forward));
        Ok(out)
    }

    /// The open port-forward sessions.
    pub fn port_forwards(&self) -> Vec<PortForwardSession> {
        self.forwards
            .sessions
            .lock()
            .map(|s| s.iter().map(|(id, f)| session(id, &f.info)).collect())
            .unwrap_or_default()
    }

    /// Closes a port-forward session; `false` when there was none with this id.
    pub async fn stop_port_forward(&self, id: &str) -> Result<bool, ApiError> {
        let forward = self
            .forwards
            .sessions
            .lock()
            .map_err(|_| ApiError::new(ErrorCode::Internal, "port-forward table poisoned"))?
            .remove(id);
        match forward {
            Some(f) => {
                // the session's last owner ends it; a reveal in flight holds it briefly
                f.cancellation().cancel();
                if let Ok(f) = Arc::try_unwrap(f) {
                    f.stop().await;
                }
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// The connection URI of a session with the real password from the keyring. Only for an
    /// explicit user request (`--show-password`, the Reveal button): the one place a secret
    /// crosses the API, and it is never logged.
    pub async fn reveal_connection_uri(&self, id: &str) -> Result<String, ApiError> {
        let forward = self
            .forwards
            .sessions
            .lock()
            .map_err(|_| ApiError::new(ErrorCode::Internal, "port-forward table poisoned"))?
            .get(id)
            .cloned()
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::NotFound,
                    format!("no port-forward session {id:?} (it was stopped)"),
                )
            })?;
        let cfg = self.action_config(Some(&forward.info.context)).await?;
        let uri = forward
            .uri_with_password(&cfg)
            .await
            .map_err(action_error)?;
        Ok(uri.expose().clone())
    }

    /// A CPU and memory sample of every running pod of an instance, or
    /// [`InstanceMetrics::NoMetricsApi`] when the cluster has no metrics API. The samples are
    /// also kept in the store for [`Api::metrics_history`].
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn instance_metrics(&self, which: &InstanceRef) -> Result<InstanceMetrics, ApiError> {
        let cfg = self.cluster_config(which.context.as_deref()).await?;
        let ns = which
            .namespace
            .clone()
            .unwrap_or_else(|| cfg.cluster.default_namespace().to_owned());
        let outcome = berth_actions::instance_metrics(&cfg, &ns, &which.name)
            .await
            .map_err(action_error)?;
        Ok(match outcome {
            MetricsOutcome::NoMetricsApi { reason } => {
                InstanceMetrics::NoMetricsApi { message: reason }
            }
            MetricsOutcome::Samples(pods) => {
                self.record_metrics(&cfg, &ns, &which.name, &pods);
                InstanceMetrics::Samples {
                    pods: pods
                        .into_iter()
                        .map(|p| PodMetrics {
                            pod: p.pod,
                            timestamp: p.timestamp,
                            window: p.window,
                            cpu_millicores: clamp(p.cpu_millicores),
                            memory_bytes: p.memory_bytes,
                            containers: p
                                .containers
                                .into_iter()
                                .map(|c| ContainerMetrics {
                                    name: c.name,
                                    cpu_millicores: clamp(c.cpu_millicores),
                                    memory_bytes: c.memory_bytes,
                                })
                                .collect(),
                        })
                        .collect(),
                }
            }
        })
    }
}

/// A count as a `u32` (TypeScript's number), saturating.
pub(crate) fn clamp(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The TypeScript bindings of this module's DTOs (see [`crate::dto::typescript_bindings`]).
pub(crate) fn typescript_bindings() -> Vec<(String, String)> {
    use crate::dto::binding as one;
    vec![
        one::<LogsInput>(),
        one::<InstanceLogLine>(),
        one::<PortForwardInput>(),
        one::<PortForwardSession>(),
        one::<ContainerMetrics>(),
        one::<PodMetrics>(),
        one::<InstanceMetrics>(),
    ]
}
