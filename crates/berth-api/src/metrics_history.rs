//! Metrics history: every [`Api::instance_metrics`] sample is kept in the store (per context,
//! namespace, instance and pod; see `berth_store::metric_samples` for the retention), and
//! [`Api::metrics_history`] hands a range of it back together with each pod's CPU and memory
//! requests and limits, so a chart can draw them as lines next to the usage.
//!
//! Time is whole seconds: a sample is stored at the second metrics.k8s.io measured it, so polling
//! faster than the metrics window does not store the same measurement twice.
//!
//! When the cluster has a Prometheus (see [`berth_actions::prometheus`]) a range comes from it
//! instead, up to 30 days, whether or not anything watched the instance; the answer says which
//! source it is. A Prometheus that does not answer falls back to the kept samples (up to 24 h),
//! with a notice saying so.

use berth_actions::{Config, PodUsage};
use berth_store::{MetricSample, MetricScope, RETENTION_SECS};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use ts_rs::TS;

use crate::instances::action_error;
use crate::observe::clamp;
use crate::{Api, ApiError, ErrorCode, InstanceRef, UsagePoint};

/// Which instance's history to read, over how long.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct MetricsHistoryInput {
    /// Which instance.
    pub instance: InstanceRef,
    /// How far back from now, in seconds: 1 to 2 592 000 (30 days); beyond 86 400 (the 24 h
    /// Berth keeps) only from the cluster's Prometheus.
    pub since_seconds: u32,
}

/// What a pod asks for and may use, summed over its containers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PodResources {
    /// CPU requested, in millicores; `None` when no container requests CPU.
    pub cpu_request_millicores: Option<u32>,
    /// CPU limit, in millicores; `None` when a container has none (no bound).
    pub cpu_limit_millicores: Option<u32>,
    /// Memory requested, in bytes.
    #[ts(type = "number | null")]
    pub memory_request_bytes: Option<u64>,
    /// Memory limit, in bytes; `None` when a container has none.
    #[ts(type = "number | null")]
    pub memory_limit_bytes: Option<u64>,
}

/// One pod's stored samples over the range, and its requests and limits.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PodHistory {
    /// The pod.
    pub pod: String,
    /// Its samples, oldest first (none for a pod not measured in the range).
    pub points: Vec<UsagePoint>,
    /// Its requests and limits from its spec; `None` for a pod that no longer exists.
    pub resources: Option<PodResources>,
}

/// An instance's stored CPU and memory samples over a range, per pod.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MetricsHistory {
    /// The context.
    pub context: String,
    /// The namespace.
    pub namespace: String,
    /// The instance.
    pub name: String,
    /// The start of the range, in milliseconds since the Unix epoch.
    pub from_ms: f64,
    /// The end of the range (now), in milliseconds since the Unix epoch.
    pub to_ms: f64,
    /// Every pod measured in the range or running now, by name.
    pub pods: Vec<PodHistory>,
    /// Where the points come from: the cluster's Prometheus (`namespace/service`), or `None`
    /// for the samples Berth kept while the app or `berth metrics` watched.
    pub prometheus: Option<String>,
    /// Why the points are not from where they would be (a Prometheus that did not answer).
    pub notice: Option<String>,
}

/// The longest range: what a Prometheus commonly keeps.
pub const MAX_RANGE_SECS: i64 = 30 * 24 * 3600;

/// Unix seconds of an RFC 3339 time, or of now when it cannot be read.
fn unix_seconds(timestamp: &str) -> i64 {
    OffsetDateTime::parse(timestamp, &Rfc3339)
        .unwrap_or_else(|_| OffsetDateTime::now_utc())
        .unix_timestamp()
}

impl Api {
    /// Keeps one round of samples of an instance. A store that cannot be written loses the
    /// history, not the sample being shown: the failure is logged, not returned.
    pub(crate) fn record_metrics(
        &self,
        cfg: &Config,
        namespace: &str,
        name: &str,
        pods: &[PodUsage],
    ) {
        let samples: Vec<MetricSample> = pods
            .iter()
            .map(|p| MetricSample {
                pod: p.pod.clone(),
                at: unix_seconds(&p.timestamp),
                cpu_millicores: p.cpu_millicores,
                memory_bytes: p.memory_bytes,
            })
            .collect();
        let scope = MetricScope {
            context: cfg.context(),
            namespace,
            instance: name,
        };
        if let Err(e) = self.store.record_metric_samples(scope, &samples) {
            tracing::warn!(error = %e, instance = name, "cannot keep the metric samples");
        }
    }

    /// The CPU and memory of an instance over the last `since_seconds`, per pod, from the
    /// cluster's Prometheus or else the samples kept, with each running pod's requests and limits
    /// (read from the pod specs).
    #[tracing::instrument(level = "debug", skip(self, input), fields(instance = %input.instance.name))]
    pub async fn metrics_history(
        &self,
        input: &MetricsHistoryInput,
    ) -> Result<MetricsHistory, ApiError> {
        let since = i64::from(input.since_seconds);
        if since == 0 || since > MAX_RANGE_SECS {
            return Err(ApiError::new(
                ErrorCode::InvalidInput,
                format!(
                    "a metrics range is 1 s to 30 days, not {} s",
                    input.since_seconds
                ),
            ));
        }
        let which = &input.instance;
        let cfg = self.cluster_config(which.context.as_deref()).await?;
        let namespace = which
            .namespace
            .clone()
            .unwrap_or_else(|| cfg.cluster.default_namespace().to_owned());
        let resources = berth_actions::instance_resources(&cfg, &namespace, &which.name)
            .await
            .map_err(action_error)?;
        let to = OffsetDateTime::now_utc().unix_timestamp();
        let from = to - since;
        let scope = MetricScope {
            context: cfg.context(),
            namespace: &namespace,
            instance: &which.name,
        };
        let mut notice = None;
        let mut source = None;
        let mut samples = None;
        if let Some(p) = berth_actions::prometheus::find_prometheus(&cfg).await {
            // about 300 points whatever the range, never closer than Prometheus's usual scrape
            let step = (since / 300).max(15);
            let range = (from, to, step);
            match berth_actions::prometheus::usage_range(&cfg, &p, &namespace, &which.name, range)
                .await
            {
                Ok(series) => {
                    samples = Some(series);
                    source = Some(p.to_string());
                }
                Err(e) if since <= RETENTION_SECS => {
                    tracing::warn!(error = %e, "Prometheus did not answer");
                    notice = Some(format!(
                        "Prometheus at {p} did not answer ({e}); showing the samples Berth kept"
                    ));
                }
                Err(e) => return Err(action_error(e)),
            }
        } else if since > RETENTION_SECS {
            return Err(ApiError::new(
                ErrorCode::Unsupported,
                format!(
                    "ranges longer than 24 h come from the cluster's Prometheus, and context {:?} has none (a Service such as monitoring/prometheus-server); Berth itself keeps 24 h of the samples it takes",
                    cfg.context()
                ),
            ));
        }
        let samples = match samples {
            Some(samples) => samples,
            None => self.store.metric_samples(scope, from, to)?,
        };

        let mut pods: Vec<PodHistory> = resources
            .into_iter()
            .map(|r| PodHistory {
                pod: r.pod,
                points: Vec::new(),
                resources: Some(PodResources {
                    cpu_request_millicores: r.cpu_request_millicores.map(clamp),
                    cpu_limit_millicores: r.cpu_limit_millicores.map(clamp),
                    memory_request_bytes: r.memory_request_bytes,
                    memory_limit_bytes: r.memory_limit_bytes,
                }),
            })
            .collect();
        for s in samples {
            let point = UsagePoint {
                at_ms: s.at as f64 * 1000.0,
                cpu_millicores: clamp(s.cpu_millicores),
                memory_bytes: s.memory_bytes,
            };
            match pods.iter_mut().find(|p| p.pod == s.pod) {
                Some(p) => p.points.push(point),
                None => pods.push(PodHistory {
                    pod: s.pod,
                    points: vec![point],
                    resources: None,
                }),
            }
        }
        pods.sort_by(|a, b| a.pod.cmp(&b.pod));
        Ok(MetricsHistory {
            context: cfg.context().to_owned(),
            namespace,
            name: which.name.clone(),
            from_ms: from as f64 * 1000.0,
            to_ms: to as f64 * 1000.0,
            pods,
            prometheus: source,
            notice,
        })
    }
}

/// The TypeScript bindings of this module's DTOs (see [`crate::dto::typescript_bindings`]).
pub(crate) fn typescript_bindings() -> Vec<(String, String)> {
    use crate::dto::binding as one;
    vec![
        one::<MetricsHistoryInput>(),
        one::<PodResources>(),
        one::<PodHistory>(),
        one::<MetricsHistory>(),
    ]
}

#[cfg(test)]
mod tests {
    use super::unix_seconds;

    #[test]
    fn sample_times_are_whole_unix_seconds() {
        assert_eq!(unix_seconds("2026-12-05T13:40:00Z"), 1_796_478_000);
        assert_eq!(unix_seconds("2026-12-05T13:40:00.750Z"), 1_796_478_000);
        // unreadable: now
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        assert!((unix_seconds("later") - now).abs() <= 1);
    }
}
