//! Exec probes, run for real for pods bound to a backend.
//!
//! A pod that a config backend binds to a real process (a database server on loopback) is
//! Ready only while its containers' `readinessProbe` commands succeed, run as local processes
//! with the same environment `exec` gives them (the container's, Secret references resolved,
//! and the backend's): a pod whose real database is down turns NotReady, as on a real kubelet, and a
//! client waiting for readiness waits for the real server. A `startupProbe` must succeed once
//! before readiness is probed. Pods without a backend, or without exec probes, keep the
//! time-based readiness of the kubelet.
//!
//! Semantics follow the kubelet's: the first probe after `initialDelaySeconds`, then one every
//! `periodSeconds` (default 10, or the config's `probePeriodMs` for every probe), each within
//! `timeoutSeconds` (default 1); Ready after `successThreshold` (1) successes, NotReady after
//! `failureThreshold` (default 3) consecutive failures. Not modelled: liveness restarts,
//! httpGet/tcpSocket/grpc probes (they count as passing).

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use crate::resources::GroupResource;
use crate::server::State;

/// What the probes of one pod last said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Not decided yet (no probe has succeeded): not Ready.
    Pending,
    /// The readiness probes pass.
    Ready,
    /// They failed `failureThreshold` times in a row.
    NotReady,
}

/// The probers of the pods being probed, by pod uid.
#[derive(Debug, Default)]
pub(crate) struct Probes {
    verdicts: Mutex<HashMap<String, Verdict>>,
}

/// One exec probe of a container.
#[derive(Debug, Clone)]
struct Exec {
    command: Vec<String>,
    env: Vec<(String, String)>,
    initial_delay: Duration,
    period: Duration,
    timeout: Duration,
    failure_threshold: u32,
}

impl Probes {
    /// Whether the running pod `uid` is Ready by its probes: `None` when probes do not decide
    /// (no backend binds it, or it has no exec readiness or startup probe). Starts the pod's
    /// prober the first time it is asked.
    pub(crate) fn ready(
        self: &Arc<Self>,
        state: &Arc<State>,
        pod: &Value,
        uid: &str,
    ) -> Option<bool> {
        if let Some(v) = self.lock().get(uid) {
            return Some(*v == Verdict::Ready);
        }
        if !crate::exec::probed(state, pod) {
            return None;
        }
        let period_override = state
            .config
            .kubelet
            .probe_period_ms
            .map(Duration::from_millis);
        let probes = |field: &str| -> Vec<Exec> {
            pod["spec"]["containers"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| {
                    exec_probe(
                        &c[field],
                        crate::exec::container_env(state, pod, c),
                        period_override,
                    )
                })
                .collect()
        };
        let (startup, readiness) = (probes("startupProbe"), probes("readinessProbe"));
        if startup.is_empty() && readiness.is_empty() {
            return None;
        }
        self.lock().insert(uid.to_owned(), Verdict::Pending);
        let ns = pod["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let name = pod["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        tokio::spawn(prober(
            Arc::clone(state),
            Arc::clone(self),
            uid.to_owned(),
            (ns, name),
            startup,
            readiness,
        ));
        Some(false)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Verdict>> {
        self.verdicts.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set(&self, state: &State, uid: &str, verdict: Verdict) {
        let changed = self.lock().insert(uid.to_owned(), verdict) != Some(verdict);
        if changed {
            tracing::debug!(uid, ?verdict, "probe verdict changes");
            state.kubelet_wake.notify_one();
        }
    }
}

/// The exec probe `probe` describes, if it is one.
fn exec_probe(
    probe: &Value,
    env: Vec<(String, String)>,
    period_override: Option<Duration>,
) -> Option<Exec> {
    let command: Vec<String> = probe["exec"]["command"]
        .as_array()?
        .iter()
        .filter_map(|a| a.as_str().map(str::to_owned))
        .collect();
    if command.is_empty() {
        return None;
    }
    let secs =
        |field: &str, default: u64| Duration::from_secs(probe[field].as_u64().unwrap_or(default));
    Some(Exec {
        command,
        env,
        initial_delay: if period_override.is_some() {
            Duration::ZERO
        } else {
            secs("initialDelaySeconds", 0)
        },
        period: period_override.unwrap_or_else(|| secs("periodSeconds", 10)),
        timeout: secs("timeoutSeconds", 1).max(Duration::from_secs(1)),
        failure_threshold: probe["failureThreshold"].as_u64().unwrap_or(3).max(1) as u32,
    })
}

/// Probes one pod until it is gone or kubesim stops.
async fn prober(
    state: Arc<State>,
    probes: Arc<Probes>,
    uid: String,
    (ns, name): (String, String),
    startup: Vec<Exec>,
    readiness: Vec<Exec>,
) {
    let shutdown = state.shutdown.clone();
    let all = startup.iter().chain(&readiness);
    let delay = all
        .clone()
        .map(|p| p.initial_delay)
        .max()
        .unwrap_or_default();
    let period = all
        .clone()
        .map(|p| p.period)
        .min()
        .unwrap_or(Duration::from_secs(10));
    let threshold = readiness
        .iter()
        .map(|p| p.failure_threshold)
        .max()
        .unwrap_or(3);
    let alive = |state: &State| {
        state
            .store
            .get(&GroupResource::new("", "pods"), &ns, &name)
            .is_some_and(|p| {
                p["metadata"]["uid"] == uid.as_str() && p["metadata"]["deletionTimestamp"].is_null()
            })
    };
    let sleep = |d: Duration| {
        let mut shutdown = shutdown.clone();
        async move {
            tokio::select! {
                _ = tokio::time::sleep(d) => true,
                _ = shutdown.changed() => false,
            }
        }
    };
    if !sleep(delay).await {
        return;
    }
    let mut started = startup.is_empty();
    let mut failures = 0u32;
    loop {
        if !alive(&state) || *shutdown.borrow() {
            probes.lock().remove(&uid);
            return;
        }
        if !started {
            started = passes(&startup).await;
        }
        if started {
            if passes(&readiness).await {
                failures = 0;
                probes.set(&state, &uid, Verdict::Ready);
            } else {
                failures += 1;
                if failures >= threshold {
                    probes.set(&state, &uid, Verdict::NotReady);
                }
            }
        }
        if !sleep(period).await {
            return;
        }
    }
}

/// Whether every probe's command exits 0 within its timeout.
async fn passes(probes: &[Exec]) -> bool {
    for p in probes {
        let run = tokio::process::Command::new(&p.command[0])
            .args(&p.command[1..])
            .envs(p.env.iter().cloned())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .status();
        match tokio::time::timeout(p.timeout, run).await {
            Ok(Ok(status)) if status.success() => {}
            _ => return false,
        }
    }
    true
}
