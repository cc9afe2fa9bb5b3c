//! Is a context's API server reachable, and if not, why?
//!
//! A probe asks `/version` (which every API server answers, even to anonymous users) for the
//! server version, then `/api` to check that the context's credentials are accepted. Everything
//! that can go wrong becomes a [`ProbeFailure`] with a kind the UI can branch on and a hint the
//! user can act on (sorted and worded by [`crate::failure`]); a probe never returns an error and
//! never hangs past its timeout.

use std::time::{Duration, Instant};

use kube::Client;

use crate::LoadedKubeconfig;
use crate::failure::{ProbeFailureKind, classify, hint, timeout_sentence};
use crate::location::host_of;

/// How long a probe may take, by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(4);

/// A failed probe: what kind of failure, what happened, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeFailure {
    /// The kind, for the UI to branch on.
    pub kind: ProbeFailureKind,
    /// What happened.
    pub message: String,
    /// What the user can do.
    pub hint: String,
}

/// The outcome of probing one context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeOutcome {
    /// The context name.
    pub context: String,
    /// Whether the server answered and accepted the credentials.
    pub reachable: bool,
    /// The server's `gitVersion`, when `/version` answered.
    pub server_version: Option<String>,
    /// How long the probe took.
    pub latency: Duration,
    /// Why the context cannot be used, when it cannot.
    pub failure: Option<ProbeFailure>,
}

/// Probes one context of `kubeconfig` within `timeout`.
#[tracing::instrument(level = "debug", skip(kubeconfig))]
pub async fn probe(
    kubeconfig: &LoadedKubeconfig,
    context: &str,
    timeout: Duration,
) -> ProbeOutcome {
    crate::install_crypto_provider();
    let started = Instant::now();
    let mut server_version = None;
    let server = kubeconfig
        .context(context)
        .ok()
        .and_then(|e| e.server)
        .unwrap_or_default();
    let failure = match tokio::time::timeout(
        timeout,
        attempt(kubeconfig, context, timeout, &mut server_version),
    )
    .await
    {
        Ok(Ok(())) => None,
        Ok(Err(failure)) => Some(failure),
        Err(_) => Some(timeout_failure(&server, timeout)),
    };
    let outcome = ProbeOutcome {
        context: context.to_owned(),
        reachable: failure.is_none(),
        server_version,
        latency: started.elapsed(),
        failure,
    };
    tracing::debug!(reachable = outcome.reachable, kind = ?outcome.failure.as_ref().map(|f| f.kind), "probed");
    outcome
}

async fn attempt(
    kubeconfig: &LoadedKubeconfig,
    context: &str,
    timeout: Duration,
    server_version: &mut Option<String>,
) -> Result<(), ProbeFailure> {
    let entry = kubeconfig
        .context(context)
        .map_err(|e| failure(ProbeFailureKind::Config, e.to_string()))?;
    let at = kubeconfig.endpoint(&entry);
    if at.server.is_empty() {
        return Err(failure(
            ProbeFailureKind::Config,
            format!("cluster {:?} has no server URL", entry.cluster),
        ));
    }
    // RFC 6761: names under .invalid never resolve; don't ask a resolver.
    if let Some(host) = host_of(&at.server).filter(|h| {
        h.to_ascii_lowercase()
            .trim_end_matches('.')
            .ends_with(".invalid")
    }) {
        return Err(failure(
            ProbeFailureKind::Dns,
            format!("the host name {host} does not resolve"),
        ));
    }
    let mut config =
        kubeconfig
            .client_config(context)
            .await
            .map_err(|e| match e.failure_kind() {
                Some(kind) => failure(kind, cause_of(&e)),
                None => failure(ProbeFailureKind::Config, e.to_string()),
            })?;
    config.connect_timeout = Some(timeout);
    config.read_timeout = Some(timeout);
    // a probe reports what the server says now, without kube-rs' retries
    config.default_retry = false;
    config.write_timeout = Some(timeout);
    let failed = |e: kube::Error| {
        let (kind, message) = classify(&e, &at);
        failure(kind, message)
    };
    let client = Client::try_from(config).map_err(failed)?;
    let info = client.apiserver_version().await.map_err(failed)?;
    *server_version = Some(info.git_version);
    // /version is public; /api needs credentials the server accepts.
    let request = http::Request::get("/api")
        .body(Vec::new())
        .map_err(|e| failure(ProbeFailureKind::Other, e.to_string()))?;
    client
        .request::<serde_json::Value>(request)
        .await
        .map_err(failed)?;
    Ok(())
}

/// An error's sentence without the context's name in front (a probe's outcome names it).
fn cause_of(e: &crate::ClusterError) -> String {
    match e {
        crate::ClusterError::Unreachable { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

fn failure(kind: ProbeFailureKind, message: String) -> ProbeFailure {
    ProbeFailure {
        kind,
        hint: hint(kind).to_owned(),
        message,
    }
}

fn timeout_failure(server: &str, timeout: Duration) -> ProbeFailure {
    failure(
        ProbeFailureKind::Timeout,
        format!(
            "{} (waited {:.1} s)",
            timeout_sentence(server),
            timeout.as_secs_f64()
        ),
    )
}
