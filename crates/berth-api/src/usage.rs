//! CPU and memory sparklines for the Services screen: a short in-memory history of each
//! instance's usage, sampled from `metrics.k8s.io` on demand.
//!
//! `metrics.k8s.io` has no watch, so the screen polls. To keep that cheap, one call
//! ([`Api::instance_usage`]) answers for every visible instance at once, and an instance is
//! sampled at most once per [`DEFAULT_USAGE_INTERVAL`] however often (or from however many
//! windows) the call is made: a younger sample is answered from memory. Each instance keeps its
//! last [`USAGE_HISTORY_LEN`] samples (about seven minutes at the screen's 15 s poll) in memory;
//! the per-pod samples behind them go to the store's metrics history
//! ([`Api::metrics_history`]). A context that is slow to answer is given up after [`SAMPLE_TIMEOUT`] so one
//! unreachable cluster does not hold up the others; such an instance, like one in a cluster
//! without a metrics API, comes back with `unavailable` set (the UI shows a quiet "—").

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use berth_actions::MetricsOutcome;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::instances::action_error;
use crate::{Api, ApiError};

/// How many samples each instance keeps.
pub const USAGE_HISTORY_LEN: usize = 30;
/// The shortest time between two samples of one instance.
pub const DEFAULT_USAGE_INTERVAL: Duration = Duration::from_secs(10);
/// How long one context may take to connect and answer before its instances are reported
/// unavailable for this round.
pub const SAMPLE_TIMEOUT: Duration = Duration::from_secs(5);
/// Instances nobody asked about for this long are forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);

/// One instance, fully addressed.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS,
)]
#[serde(rename_all = "camelCase")]
pub struct UsageTarget {
    /// The context.
    pub context: String,
    /// The namespace.
    pub namespace: String,
    /// The instance.
    pub name: String,
}

/// Which instances' usage to return.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct UsageInput {
    /// The instances (the ones on screen).
    pub instances: Vec<UsageTarget>,
}

/// An instance's CPU and memory at one moment, summed over its pods.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UsagePoint {
    /// When it was sampled, in milliseconds since the Unix epoch.
    pub at_ms: f64,
    /// CPU in millicores.
    pub cpu_millicores: u32,
    /// Memory in bytes.
    #[ts(type = "number")]
    pub memory_bytes: u64,
}

/// The recent usage of one instance, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UsageSeries {
    /// Which instance.
    pub instance: UsageTarget,
    /// Up to [`USAGE_HISTORY_LEN`] samples, oldest first.
    pub points: Vec<UsagePoint>,
    /// Why the last sample could not be taken (no metrics API, cluster unreachable...), if it
    /// could not.
    pub unavailable: Option<String>,
}

#[derive(Debug)]
struct Entry {
    points: VecDeque<UsagePoint>,
    unavailable: Option<String>,
    sampled: Instant,
    asked: Instant,
}

impl Entry {
    fn series(&self, instance: &UsageTarget) -> UsageSeries {
        UsageSeries {
            instance: instance.clone(),
            points: self.points.iter().copied().collect(),
            unavailable: self.unavailable.clone(),
        }
    }

    fn record(&mut self, outcome: Result<UsagePoint, String>, now: Instant) {
        self.sampled = now;
        match outcome {
            Ok(point) => {
                if self.points.len() == USAGE_HISTORY_LEN {
                    self.points.pop_front();
                }
                self.points.push_back(point);
                self.unavailable = None;
            }
            Err(why) => self.unavailable = Some(why),
        }
    }
}

/// The usage history of one [`Api`]: shared by its clones.
#[derive(Debug)]
pub(crate) struct UsageHistory {
    entries: Mutex<HashMap<UsageTarget, Entry>>,
    interval: Duration,
}

impl Default for UsageHistory {
    fn default() -> Self {
        Self::with_interval(DEFAULT_USAGE_INTERVAL)
    }
}

impl UsageHistory {
    pub(crate) fn with_interval(interval: Duration) -> Self {
        Self {
            entries: Mutex::default(),
            interval,
        }
    }

    /// The targets due for a sample (never sampled, or longer ago than the interval), and marks
    /// every target as asked about.
    fn due(&self, targets: &[UsageTarget], now: Instant) -> Vec<UsageTarget> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.retain(|_, e| now.duration_since(e.asked) < FORGET_AFTER);
        let mut due = Vec::new();
        for t in targets {
            match entries.get_mut(t) {
                Some(e) => {
                    e.asked = now;
                    if now.duration_since(e.sampled) >= self.interval {
                        due.push(t.clone());
                    }
                }
                None => due.push(t.clone()),
            }
        }
        due
    }

    fn record(&self, target: UsageTarget, outcome: Result<UsagePoint, String>, now: Instant) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .entry(target)
            .or_insert_with(|| Entry {
                points: VecDeque::with_capacity(USAGE_HISTORY_LEN),
                unavailable: None,
                sampled: now,
                asked: now,
            })
            .record(outcome, now);
    }

    fn series(&self, targets: &[UsageTarget]) -> Vec<UsageSeries> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        targets
            .iter()
            .map(|t| match entries.get(t) {
                Some(e) => e.series(t),
                None => UsageSeries {
                    instance: t.clone(),
                    points: Vec::new(),
                    unavailable: None,
                },
            })
            .collect()
    }
}

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or_default()
}

fn point_of(outcome: MetricsOutcome) -> Result<UsagePoint, String> {
    match outcome {
        MetricsOutcome::NoMetricsApi { reason } => Err(reason),
        MetricsOutcome::Samples(pods) => Ok(UsagePoint {
            at_ms: now_ms(),
            cpu_millicores: u32::try_from(pods.iter().map(|p| p.cpu_millicores).sum::<u64>())
                .unwrap_or(u32::MAX),
            memory_bytes: pods.iter().map(|p| p.memory_bytes).sum(),
        }),
    }
}

impl Api {
    /// Samples every interval (instead of [`DEFAULT_USAGE_INTERVAL`]); tests use a short one.
    pub fn with_usage_interval(mut self, interval: Duration) -> Self {
        self.usage = Arc::new(UsageHistory::with_interval(interval));
        self
    }

    /// The recent CPU and memory of each instance asked for, in the order asked, sampling those
    /// whose last sample is older than the interval (one connection per context, all contexts
    /// at once, each bounded by [`SAMPLE_TIMEOUT`]). Never fails for one instance: its series
    /// says why it is unavailable instead.
    #[tracing::instrument(level = "debug", skip(self, input), fields(instances = input.instances.len()))]
    pub async fn instance_usage(&self, input: &UsageInput) -> Result<Vec<UsageSeries>, ApiError> {
        let due = self.usage.due(&input.instances, Instant::now());
        if !due.is_empty() {
            let mut by_context: BTreeMap<&str, Vec<&UsageTarget>> = BTreeMap::new();
            for t in &due {
                by_context.entry(t.context.as_str()).or_default().push(t);
            }
            let rounds = by_context.into_iter().map(|(context, targets)| async move {
                let sampled =
                    tokio::time::timeout(SAMPLE_TIMEOUT, self.sample_context(context, &targets))
                        .await;
                let outcomes = match sampled {
                    Ok(outcomes) => outcomes,
                    Err(_) => {
                        let why = format!(
                            "context {context:?} did not answer within {} s",
                            SAMPLE_TIMEOUT.as_secs()
                        );
                        targets.iter().map(|_| Err(why.clone())).collect()
                    }
                };
                let now = Instant::now();
                for (t, outcome) in targets.into_iter().zip(outcomes) {
                    if let Err(why) = &outcome {
                        tracing::debug!(instance = %t.name, context, why = %why, "no usage sample");
                    }
                    self.usage.record(t.clone(), outcome, now);
                }
            });
            futures::future::join_all(rounds).await;
        }
        Ok(self.usage.series(&input.instances))
    }

    /// One sample of each target of one context, in order.
    async fn sample_context(
        &self,
        context: &str,
        targets: &[&UsageTarget],
    ) -> Vec<Result<UsagePoint, String>> {
        let cfg = match self.cluster_config(Some(context)).await {
            Ok(cfg) => cfg,
            Err(e) => return targets.iter().map(|_| Err(e.message.clone())).collect(),
        };
        let cfg = &cfg;
        let samples = targets.iter().map(|t| async move {
            match berth_actions::instance_metrics(cfg, &t.namespace, &t.name).await {
                Ok(outcome) => {
                    // the Services screen watching fills the metrics history too
                    if let MetricsOutcome::Samples(pods) = &outcome {
                        self.record_metrics(cfg, &t.namespace, &t.name, pods);
                    }
                    point_of(outcome)
                }
                Err(e) => Err(action_error(e).message),
            }
        });
        futures::future::join_all(samples).await
    }
}

/// The TypeScript bindings of this module's DTOs (see [`crate::dto::typescript_bindings`]).
pub(crate) fn typescript_bindings() -> Vec<(String, String)> {
    use crate::dto::binding as one;
    vec![
        one::<UsageTarget>(),
        one::<UsageInput>(),
        one::<UsagePoint>(),
        one::<UsageSeries>(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(name: &str) -> UsageTarget {
        UsageTarget {
            context: "kind-a".into(),
            namespace: "default".into(),
            name: name.into(),
        }
    }

    fn point(cpu: u32) -> UsagePoint {
        UsagePoint {
            at_ms: f64::from(cpu),
            cpu_millicores: cpu,
            memory_bytes: u64::from(cpu) * 1024,
        }
    }

    #[test]
    fn a_sample_younger_than_the_interval_is_not_taken_again() {
        let history = UsageHistory::with_interval(Duration::from_secs(10));
        let t0 = Instant::now();
        assert_eq!(history.due(&[target("a")], t0), vec![target("a")]);
        history.record(target("a"), Ok(point(1)), t0);
        assert!(
            history
                .due(&[target("a")], t0 + Duration::from_secs(9))
                .is_empty()
        );
        assert_eq!(
            history.due(&[target("a"), target("b")], t0 + Duration::from_secs(10)),
            vec![target("a"), target("b")]
        );
    }

    #[test]
    fn the_history_keeps_the_last_samples_oldest_first() {
        let history = UsageHistory::with_interval(Duration::ZERO);
        let now = Instant::now();
        for cpu in 0..(USAGE_HISTORY_LEN as u32 + 5) {
            history.record(target("a"), Ok(point(cpu)), now);
        }
        let series = history.series(&[target("a")]).remove(0);
        assert_eq!(series.points.len(), USAGE_HISTORY_LEN);
        assert_eq!(series.points[0].cpu_millicores, 5);
        assert_eq!(
            series.points.last().unwrap().cpu_millicores,
            USAGE_HISTORY_LEN as u32 + 4
        );
    }

    #[test]
    fn a_failed_sample_keeps_the_points_and_says_why_until_the_next_success() {
        let history = UsageHistory::with_interval(Duration::ZERO);
        let now = Instant::now();
        history.record(target("a"), Ok(point(3)), now);
        history.record(target("a"), Err("no metrics API".into()), now);
        let s = history.series(&[target("a")]).remove(0);
        assert_eq!(
            (s.points.len(), s.unavailable.as_deref()),
            (1, Some("no metrics API"))
        );
        history.record(target("a"), Ok(point(4)), now);
        let s = history.series(&[target("a")]).remove(0);
        assert_eq!((s.points.len(), s.unavailable), (2, None));
    }

    #[test]
    fn instances_nobody_asks_about_are_forgotten() {
        let history = UsageHistory::with_interval(Duration::ZERO);
        let t0 = Instant::now();
        history.record(target("a"), Ok(point(1)), t0);
        history.due(&[target("b")], t0 + FORGET_AFTER + Duration::from_secs(1));
        assert!(history.series(&[target("a")])[0].points.is_empty());
    }

    #[test]
    fn a_sample_sums_the_pods() {
        let pod = |cpu, mem| berth_actions::PodUsage {
            pod: "p".into(),
            timestamp: String::new(),
            window: None,
            cpu_millicores: cpu,
            memory_bytes: mem,
            containers: Vec::new(),
        };
        let p = point_of(MetricsOutcome::Samples(vec![pod(100, 10), pod(50, 5)])).unwrap();
        assert_eq!((p.cpu_millicores, p.memory_bytes), (150, 15));
        assert!(p.at_ms > 1.7e12, "{}", p.at_ms);
        let why = point_of(MetricsOutcome::NoMetricsApi {
            reason: "none".into(),
        });
        assert_eq!(why.unwrap_err(), "none");
    }
}
