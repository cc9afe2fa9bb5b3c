//! Waiting for an instance to become ready, with progress.

use std::time::{Duration, Instant};

use berth_catalog::Definition;
use serde_json::Value;

use crate::record::Record;
use crate::status::{Health, observe};
use crate::{ActionError, Config};

/// What a long operation reports while it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// A step begins (`dry-run`, `apply`, `wait`).
    Step(String),
    /// One more object was applied.
    Applied {
        /// Objects applied so far.
        done: usize,
        /// Objects to apply.
        total: usize,
        /// The object, as `Kind name`.
        object: String,
    },
    /// Pods ready now.
    Pods {
        /// Ready pods.
        ready: u32,
        /// All pods.
        total: u32,
    },
    /// The latest Kubernetes event about the instance.
    Event(String),
}

/// Where progress goes; `&|_| {}` when nobody listens.
pub type ProgressSink<'a> = &'a (dyn Fn(Progress) + Send + Sync);

const POLL: Duration = Duration::from_millis(250);

/// Polls until the instance is ready, reporting pods and events, or fails with what is wrong.
pub(crate) async fn until_ready(
    cfg: &Config,
    def: &Definition,
    record: &Record,
    timeout: Duration,
    progress: ProgressSink<'_>,
) -> Result<(), ActionError> {
    progress(Progress::Step("wait".into()));
    let start = Instant::now();
    let mut last_pods = None;
    let mut last_event = None;
    loop {
        let seen = observe(cfg, Some(def), record).await?;
        if last_pods != Some((seen.pods_ready, seen.pods_total)) {
            last_pods = Some((seen.pods_ready, seen.pods_total));
            progress(Progress::Pods {
                ready: seen.pods_ready,
                total: seen.pods_total,
            });
        }
        let event = latest_event(cfg, record).await;
        if event.is_some() && event != last_event {
            progress(Progress::Event(event.clone().unwrap_or_default()));
            last_event = event;
        }
        match seen.health {
            Health::Ready => return Ok(()),
            Health::Degraded(reason) if start.elapsed() > Duration::from_secs(5) => {
                return Err(ActionError::Timeout(format!(
                    "{} did not become ready: {reason}",
                    record.instance
                )));
            }
            _ => {}
        }
        if start.elapsed() >= timeout {
            return Err(ActionError::Timeout(format!(
                "{} was not ready after {} s: {} of {} pods ready{}; `berth status {}` shows more, `--timeout` waits longer",
                record.instance,
                timeout.as_secs(),
                seen.pods_ready,
                seen.pods_total,
                last_event
                    .map(|e| format!(", last event: {e}"))
                    .unwrap_or_default(),
                record.instance
            )));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// The newest event about an object of the instance, as `Kind/name: Reason message`.
pub(crate) async fn latest_event(cfg: &Config, record: &Record) -> Option<String> {
    let events = cfg
        .cluster
        .list("v1", "Event", Some(&record.namespace), "")
        .await
        .ok()?;
    let when = |e: &Value| {
        e["lastTimestamp"]
            .as_str()
            .or(e["eventTime"].as_str())
            .or(e["metadata"]["creationTimestamp"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    events
        .iter()
        .filter(|e| {
            e["involvedObject"]["name"]
                .as_str()
                .is_some_and(|n| n.starts_with(&record.instance))
        })
        .max_by_key(|e| when(e))
        .map(|e| {
            format!(
                "{}/{}: {} {}",
                e["involvedObject"]["kind"].as_str().unwrap_or_default(),
                e["involvedObject"]["name"].as_str().unwrap_or_default(),
                e["reason"].as_str().unwrap_or_default(),
                e["message"].as_str().unwrap_or_default()
            )
        })
}
