//! `Logs`: the container logs of every pod of an instance, merged and prefixed with the pod
//! (and the container when a pod has more than one), as `berth logs` and the desktop's Logs
//! panel show them.
//!
//! Pods are found by Berth's instance labels. Without `follow`, each container's log is read
//! once with timestamps and the lines of all pods are merged in time order. With `follow`, one
//! stream per container runs until cancelled: pods that appear later (a scale-up, a restarted
//! StatefulSet pod with a new uid) are picked up by a poll of the pod list, and a stream that
//! ends while its pod is still there (the API server or a proxy dropped it) reconnects from the
//! time of the last line seen, skipping the lines it already delivered.

use std::collections::HashSet;
use std::time::Duration;

use futures::{AsyncBufReadExt, TryStreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, LogParams};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::{ActionError, Config, instance_selector, record};

/// How often the pod list is looked at for new pods while following.
const POD_POLL: Duration = Duration::from_millis(1000);
/// The pause before a dropped stream reconnects.
const RECONNECT_DELAY: Duration = Duration::from_millis(300);

/// One line of a container's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// The pod.
    pub pod: String,
    /// The container.
    pub container: String,
    /// What to show before the line: the pod, or `pod/container` when the pod has several.
    pub prefix: String,
    /// When the container wrote it (RFC 3339, as the API server says), when known.
    pub timestamp: Option<String>,
    /// The text, without the newline.
    pub text: String,
}

/// Where lines go, as they arrive.
pub type LogSink<'a> = &'a (dyn Fn(LogLine) + Send + Sync);

/// Reads (or follows) the logs of an instance's pods.
#[derive(Debug, Clone)]
pub struct Logs<'a> {
    cfg: &'a Config,
    /// The instance.
    pub instance: String,
    /// The namespace (default: the context's).
    pub namespace: Option<String>,
    /// Only this pod (default: every pod of the instance).
    pub pod: Option<String>,
    /// Only lines newer than this.
    pub since: Option<Duration>,
    /// Only the last lines of each container's log.
    pub tail: Option<i64>,
    /// Keep streaming new lines until cancelled.
    pub follow: bool,
}

/// A pod's identity and containers, as the log readers need them.
#[derive(Debug, Clone)]
struct PodInfo {
    name: String,
    uid: String,
    containers: Vec<String>,
    started: bool,
}

impl PodInfo {
    fn of(pod: &Pod) -> Self {
        let started = pod
            .status
            .as_ref()
            .and_then(|s| s.phase.as_deref())
            .is_some_and(|p| p != "Pending" && p != "Unknown");
        Self {
            name: pod.metadata.name.clone().unwrap_or_default(),
            uid: pod.metadata.uid.clone().unwrap_or_default(),
            containers: pod
                .spec
                .as_ref()
                .map(|s| s.containers.iter().map(|c| c.name.clone()).collect())
                .unwrap_or_default(),
            started,
        }
    }

    fn prefix(&self, container: &str) -> String {
        if self.containers.len() > 1 {
            format!("{}/{container}", self.name)
        } else {
            self.name.clone()
        }
    }
}

impl<'a> Logs<'a> {
    /// Logs with the CLI's defaults: every pod, the whole log, no follow.
    pub fn new(cfg: &'a Config, instance: impl Into<String>) -> Self {
        Self {
            cfg,
            instance: instance.into(),
            namespace: None,
            pod: None,
            since: None,
            tail: None,
            follow: false,
        }
    }

    /// Sends the lines to `sink`; returns when the logs are read, or, with `follow`, when
    /// `cancel` is cancelled.
    #[tracing::instrument(skip(self, sink, cancel), fields(context = %self.cfg.context(), instance = %self.instance))]
    pub async fn run(
        &self,
        sink: LogSink<'_>,
        cancel: CancellationToken,
    ) -> Result<(), ActionError> {
        let cfg = self.cfg;
        let ns = cfg.namespace(&self.namespace);
        let rec = record::load(cfg, &ns, &self.instance).await?;
        let api: Api<Pod> = Api::namespaced(cfg.cluster.client(), &ns);
        let list = ListParams::default().labels(&instance_selector(&rec.instance));
        let pods = self.pods(&api, &list, &ns).await?;
        if let Some(want) = &self.pod
            && !pods.iter().any(|p| &p.name == want)
        {
            let names: Vec<&str> = pods.iter().map(|p| p.name.as_str()).collect();
            return Err(ActionError::NotFound(format!(
                "{} has no pod {want:?}; its pods: {}",
                rec.instance,
                if names.is_empty() {
                    "none".to_owned()
                } else {
                    names.join(", ")
                }
            )));
        }
        let params = LogParams {
            timestamps: true,
            since_seconds: self.since.map(|d| d.as_secs().max(1) as i64),
            tail_lines: self.tail,
            ..LogParams::default()
        };
        if self.follow {
            self.follow(&api, &list, &ns, pods, params, sink, cancel)
                .await
        } else {
            let pods: Vec<PodInfo> = pods
                .into_iter()
                .filter(|p| self.pod.as_ref().is_none_or(|want| want == &p.name))
                .collect();
            read_once(cfg, &api, &ns, &pods, &params, sink, &cancel).await
        }
    }

    async fn pods(
        &self,
        api: &Api<Pod>,
        list: &ListParams,
        ns: &str,
    ) -> Result<Vec<PodInfo>, ActionError> {
        let mut pods: Vec<PodInfo> = api
            .list(list)
            .await
            .map_err(|e| self.cfg.kube_error(format!("list the pods in {ns}"), e))?
            .items
            .iter()
            .map(PodInfo::of)
            .collect();
        pods.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(pods)
    }

    #[allow(clippy::too_many_arguments)]
    async fn follow(
        &self,
        api: &Api<Pod>,
        list: &ListParams,
        ns: &str,
        first: Vec<PodInfo>,
        params: LogParams,
        sink: LogSink<'_>,
        cancel: CancellationToken,
    ) -> Result<(), ActionError> {
        let (tx, mut rx) = mpsc::channel::<LogLine>(1024);
        let streams = cancel.child_token();
        let _stop_streams = streams.clone().drop_guard();
        let mut following: HashSet<String> = HashSet::new();
        let mut pods = first;
        let mut initial = true;
        let mut poll = tokio::time::interval(POD_POLL);
        poll.tick().await;
        loop {
            for pod in &pods {
                let wanted = self.pod.as_ref().is_none_or(|p| p == &pod.name);
                if !wanted || !pod.started || following.contains(&pod.uid) {
                    continue;
                }
                following.insert(pod.uid.clone());
                // pods there from the start honour --tail/--since; later ones are read whole
                let p = if initial {
                    params.clone()
                } else {
                    LogParams {
                        timestamps: true,
                        ..LogParams::default()
                    }
                };
                for container in &pod.containers {
                    let stream = ContainerStream {
                        api: api.clone(),
                        pod: pod.clone(),
                        container: container.clone(),
                        params: LogParams {
                            container: Some(container.clone()),
                            follow: true,
                            ..p.clone()
                        },
                    };
                    tokio::spawn(stream.run(tx.clone(), streams.clone()));
                }
            }
            initial = false;
            loop {
                tokio::select! {
                    _ = cancel.cancelled() => return Ok(()),
                    Some(line) = rx.recv() => sink(line),
                    _ = poll.tick() => break,
                }
            }
            match self.pods(api, list, ns).await {
                Ok(now) => {
                    // forget pods that are gone, so a pod re-created under its name is followed
                    following.retain(|uid| now.iter().any(|p| &p.uid == uid));
                    pods = now;
                }
                Err(e) => tracing::debug!("cannot list the pods, retrying: {e}"),
            }
        }
    }
}

/// Reads every container's log once and sends the lines in time order.
async fn read_once(
    cfg: &Config,
    api: &Api<Pod>,
    ns: &str,
    pods: &[PodInfo],
    params: &LogParams,
    sink: LogSink<'_>,
    cancel: &CancellationToken,
) -> Result<(), ActionError> {
    let mut lines: Vec<(Option<OffsetDateTime>, LogLine)> = Vec::new();
    for pod in pods {
        if !pod.started {
            continue;
        }
        for container in &pod.containers {
            let p = LogParams {
                container: Some(container.clone()),
                ..params.clone()
            };
            let text = match api.logs(&pod.name, &p).await {
                Ok(t) => t,
                // the container has not started (or was replaced) since the pod list
                Err(kube::Error::Api(s)) if s.code == 400 || s.code == 404 => {
                    tracing::debug!("no log for {}/{container}: {}", pod.name, s.message);
                    continue;
                }
                Err(e) => {
                    return Err(cfg.kube_error(format!("read the log of {ns}/{}", pod.name), e));
                }
            };
            for raw in text.lines() {
                let (time, line) = parse(pod, container, raw);
                lines.push((time, line));
            }
        }
    }
    // stable: lines of one container keep their order when times tie or are missing
    lines.sort_by_key(|(t, _)| *t);
    for (_, line) in lines {
        if cancel.is_cancelled() {
            break;
        }
        sink(line);
    }
    Ok(())
}

/// Splits the API server's `timestamp text` line.
fn parse(pod: &PodInfo, container: &str, raw: &str) -> (Option<OffsetDateTime>, LogLine) {
    let (timestamp, text) = match raw.split_once(' ') {
        Some((ts, rest)) if OffsetDateTime::parse(ts, &Rfc3339).is_ok() => (Some(ts), rest),
        _ => (None, raw),
    };
    let time = timestamp.and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok());
    (
        time,
        LogLine {
            pod: pod.name.clone(),
            container: container.to_owned(),
            prefix: pod.prefix(container),
            timestamp: timestamp.map(str::to_owned),
            text: text.trim_end_matches('\r').to_owned(),
        },
    )
}

/// One followed container log, reconnecting while its pod lives.
struct ContainerStream {
    api: Api<Pod>,
    pod: PodInfo,
    container: String,
    params: LogParams,
}

impl ContainerStream {
    async fn run(mut self, tx: mpsc::Sender<LogLine>, cancel: CancellationToken) {
        // the time of the last line delivered and how many lines had exactly that time
        let mut last: Option<(OffsetDateTime, usize)> = None;
        // on a reconnect: how many lines at `last`'s time to skip
        let mut skip_at_last = 0usize;
        loop {
            let opened = tokio::select! {
                _ = cancel.cancelled() => return,
                s = self.api.log_stream(&self.pod.name, &self.params) => s,
            };
            match opened {
                Ok(stream) => {
                    let mut lines = stream.lines();
                    loop {
                        let next = tokio::select! {
                            _ = cancel.cancelled() => return,
                            n = lines.try_next() => n,
                        };
                        let raw = match next {
                            Ok(Some(raw)) => raw,
                            Ok(None) => break,
                            Err(e) => {
                                tracing::debug!("log stream of {} broke: {e}", self.pod.name);
                                break;
                            }
                        };
                        let (time, line) = parse(&self.pod, &self.container, &raw);
                        if let (Some(t), Some((lt, _))) = (time, last) {
                            if t < lt {
                                continue;
                            }
                            if t == lt && skip_at_last > 0 {
                                skip_at_last -= 1;
                                continue;
                            }
                        }
                        if let Some(t) = time {
                            last = match last {
                                Some((lt, n)) if lt == t => Some((lt, n + 1)),
                                _ => Some((t, 1)),
                            };
                        }
                        if tx.send(line).await.is_err() {
                            return;
                        }
                    }
                }
                Err(e) => tracing::debug!("cannot open the log of {}: {e}", self.pod.name),
            }
            // the stream ended: go on only while the same pod is there
            match self.api.get_opt(&self.pod.name).await {
                Ok(Some(p))
                    if p.metadata.uid.as_deref() == Some(self.pod.uid.as_str())
                        && p.metadata.deletion_timestamp.is_none() => {}
                Ok(_) => return,
                Err(e) => tracing::debug!("cannot look at pod {}: {e}", self.pod.name),
            }
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(RECONNECT_DELAY) => {}
            }
            // resume from the last line seen (whole seconds, so a little overlap is skipped)
            self.params.tail_lines = None;
            if let Some((t, n)) = last {
                let ago = (OffsetDateTime::now_utc() - t).whole_seconds().max(0) + 1;
                self.params.since_seconds = Some(ago);
                skip_at_last = n;
            }
            tracing::debug!("reconnecting the log stream of {}", self.pod.name);
        }
    }
}
