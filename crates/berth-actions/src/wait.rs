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
        // no pods yet (the controller has not made them): no count to show
        if seen.pods_total > 0 && last_pods != Some((seen.pods_ready, seen.pods_total)) {
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
                    "{} did not become ready: {reason}{}",
                    record.instance,
                    degraded_hint(&reason, &record.instance)
                )));
            }
            _ => {}
        }
        if start.elapsed() >= timeout {
            let waiting = unready_pods(cfg, record).await;
            return Err(ActionError::Timeout(format!(
                "{} was not ready after {} s: {} of {} pods ready{}{}; `berth status {}` shows more, `--timeout` waits longer",
                record.instance,
                timeout.as_secs(),
                seen.pods_ready,
                seen.pods_total,
                if waiting.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", waiting.join("; "))
                },
                last_event
                    .map(|e| format!(", last event: {e}"))
                    .unwrap_or_default(),
                record.instance
            )));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// What to do about a stuck pod, by its reason.
fn degraded_hint(reason: &str, instance: &str) -> String {
    if reason.contains("ErrImagePull")
        || reason.contains("ImagePullBackOff")
        || reason.contains("InvalidImageName")
    {
        " — the image cannot be pulled: check that the cluster reaches the registry (network, proxy, \
         imagePullSecrets for a private registry) and that the image version exists"
            .to_owned()
    } else if reason.contains("CrashLoopBackOff") {
        format!(" — the container keeps exiting: `berth logs {instance}` shows why")
    } else {
        String::new()
    }
}

/// The instance's pods that are not ready, as `pod: why`.
async fn unready_pods(cfg: &Config, record: &Record) -> Vec<String> {
    let Ok(pods) = cfg
        .cluster
        .list(
            "v1",
            "Pod",
            Some(&record.namespace),
            &crate::instance_selector(&record.instance),
        )
        .await
    else {
        return Vec::new();
    };
    pods.iter()
        .filter_map(|pod| {
            let name = pod["metadata"]["name"].as_str().unwrap_or_default();
            let conditions = pod["status"]["conditions"].as_array();
            let ready = conditions.and_then(|c| c.iter().find(|c| c["type"] == "Ready"));
            if ready.is_some_and(|c| c["status"] == "True") {
                return None;
            }
            let waiting = pod["status"]["containerStatuses"]
                .as_array()
                .into_iter()
                .flatten()
                .find_map(|c| c["state"]["waiting"]["reason"].as_str());
            let why = waiting
                .map(str::to_owned)
                .or_else(|| {
                    ready.and_then(|c| {
                        c["reason"]
                            .as_str()
                            .map(|r| format!("{r} {}", c["message"].as_str().unwrap_or_default()))
                    })
                })
                .unwrap_or_else(|| {
                    format!(
                        "{} and not ready",
                        pod["status"]["phase"].as_str().unwrap_or("Pending")
                    )
                });
            Some(format!("pod {name}: {}", why.trim()))
        })
        .collect()
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
