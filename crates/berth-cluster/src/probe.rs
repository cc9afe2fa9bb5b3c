//! Is a context's API server reachable, and if not, why?
//!
//! A probe asks `/version` (which every API server answers, even to anonymous users) for the
//! server version, then `/api` to check that the context's credentials are accepted. Everything
//! that can go wrong becomes a [`ProbeFailure`] with a kind the UI can branch on and a hint the
//! user can act on; a probe never returns an error and never hangs past its timeout.

use std::time::{Duration, Instant};

use kube::Client;
use serde::Serialize;
use ts_rs::TS;

use crate::LoadedKubeconfig;
use crate::location::host_of;

/// How long a probe may take, by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(4);

/// Why a context cannot be used. Also a DTO of `berth-api` (hence `TS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ProbeFailureKind {
    /// The server's host name does not resolve.
    Dns,
    /// Nothing listens at the server's address.
    Refused,
    /// The TLS handshake failed (untrusted or mismatched certificate).
    Tls,
    /// The server rejected the credentials (HTTP 401).
    Unauthorized,
    /// The server accepted the credentials but denied access (HTTP 403).
    Forbidden,
    /// No answer within the timeout.
    Timeout,
    /// The exec credential plugin (aws, gcloud, kubelogin...) failed.
    ExecPlugin,
    /// The context itself is incomplete or invalid.
    Config,
    /// Anything else.
    Other,
}

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
    let failure = match tokio::time::timeout(
        timeout,
        attempt(kubeconfig, context, timeout, &mut server_version),
    )
    .await
    {
        Ok(Ok(())) => None,
        Ok(Err(failure)) => Some(failure),
        Err(_) => Some(timeout_failure(timeout)),
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
    let server = entry.server.clone().ok_or_else(|| {
        failure(
            ProbeFailureKind::Config,
            format!("cluster {:?} has no server URL", entry.cluster),
        )
    })?;
    // RFC 6761: names under .invalid never resolve; don't ask a resolver.
    if host_of(&server).is_some_and(|h| {
        h.to_ascii_lowercase()
            .trim_end_matches('.')
            .ends_with(".invalid")
    }) {
        return Err(failure(
            ProbeFailureKind::Dns,
            format!("{server}: the host name does not resolve (.invalid is never a real domain)"),
        ));
    }
    let mut config = kubeconfig.client_config(context).await.map_err(|e| {
        classify_text(&e.to_string(), e.to_string())
            .unwrap_or_else(|| failure(ProbeFailureKind::Config, e.to_string()))
    })?;
    config.connect_timeout = Some(timeout);
    config.read_timeout = Some(timeout);
    // a probe reports what the server says now, without kube-rs' retries
    config.default_retry = false;
    config.write_timeout = Some(timeout);
    let client = Client::try_from(config).map_err(|e| classify(&e, &server))?;
    let info = client
        .apiserver_version()
        .await
        .map_err(|e| classify(&e, &server))?;
    *server_version = Some(info.git_version);
    // /version is public; /api needs credentials the server accepts.
    let request = http::Request::get("/api")
        .body(Vec::new())
        .map_err(|e| failure(ProbeFailureKind::Other, e.to_string()))?;
    client
        .request::<serde_json::Value>(request)
        .await
        .map_err(|e| classify(&e, &server))?;
    Ok(())
}

fn failure(kind: ProbeFailureKind, message: String) -> ProbeFailure {
    ProbeFailure {
        kind,
        hint: hint(kind).to_owned(),
        message,
    }
}

fn timeout_failure(timeout: Duration) -> ProbeFailure {
    failure(
        ProbeFailureKind::Timeout,
        format!("no answer within {:.1} s", timeout.as_secs_f64()),
    )
}

fn hint(kind: ProbeFailureKind) -> &'static str {
    match kind {
        ProbeFailureKind::Dns => {
            "The server's host name does not resolve: check the server URL in the kubeconfig, and your VPN or network."
        }
        ProbeFailureKind::Refused => {
            "Nothing listens at the server's address: is the cluster running? (kind, k3d and minikube clusters stop with Docker or a reboot.)"
        }
        ProbeFailureKind::Tls => {
            "The server's certificate is not trusted by this context's certificate authority: fetch a fresh kubeconfig for this cluster."
        }
        ProbeFailureKind::Unauthorized => {
            "The server rejected the credentials; they may have expired: fetch a fresh kubeconfig or log in again with your cloud CLI."
        }
        ProbeFailureKind::Forbidden => {
            "The credentials are valid but may not read the API: ask the cluster's administrator for access."
        }
        ProbeFailureKind::Timeout => {
            "The server did not answer in time: the cluster may be stopped, or reachable only through a VPN or firewall."
        }
        ProbeFailureKind::ExecPlugin => {
            "The credential plugin failed: check that it is installed and that you are logged in (for example `aws sso login`, `gcloud auth login`)."
        }
        ProbeFailureKind::Config => {
            "The context is incomplete or invalid: fix it in the kubeconfig file it comes from."
        }
        ProbeFailureKind::Other => "See the message for details.",
    }
}

/// Sorts a kube-rs error into a failure kind by its variant and, for transport errors, its causes.
fn classify(err: &kube::Error, server: &str) -> ProbeFailure {
    match err {
        kube::Error::Api(status) => {
            let kind = match status.code {
                401 => ProbeFailureKind::Unauthorized,
                403 => ProbeFailureKind::Forbidden,
                _ => ProbeFailureKind::Other,
            };
            let message = if status.message.is_empty() {
                format!("HTTP {} {}", status.code, status.reason)
            } else {
                format!("HTTP {}: {}", status.code, status.message)
            };
            failure(kind, message)
        }
        kube::Error::Auth(auth) => {
            let kind = match auth {
                kube::client::AuthError::ExecPluginFailed
                | kube::client::AuthError::AuthExecStart(_)
                | kube::client::AuthError::AuthExecRun { .. }
                | kube::client::AuthError::AuthExecParse(_)
                | kube::client::AuthError::AuthExec(_)
                | kube::client::AuthError::MissingCommand
                | kube::client::AuthError::ExecMissingClusterInfo => ProbeFailureKind::ExecPlugin,
                _ => ProbeFailureKind::Config,
            };
            failure(kind, chain_text(err))
        }
        _ => {
            let text = chain_text(err);
            let message = format!("{server}: {}", innermost(err));
            classify_text(&text, message).unwrap_or_else(|| failure(ProbeFailureKind::Other, text))
        }
    }
}

/// Sorts an error by the words of its cause chain. Transport errors reach us wrapped several
/// times (tower, hyper, hyper-util, io, rustls), so their text is the dependable part.
fn classify_text(text: &str, message: String) -> Option<ProbeFailure> {
    let lower = text.to_ascii_lowercase();
    let kind = if lower.contains("dns error")
        || lower.contains("failed to lookup address")
        || lower.contains("name or service not known")
        || lower.contains("no address associated")
        || lower.contains("nodename nor servname")
    {
        ProbeFailureKind::Dns
    } else if lower.contains("connection refused") {
        ProbeFailureKind::Refused
    } else if lower.contains("certificate")
        || lower.contains("tls")
        || lower.contains("handshake")
        || lower.contains("unknownissuer")
    {
        ProbeFailureKind::Tls
    } else if lower.contains("timed out")
        || lower.contains("deadline has elapsed")
        || lower.contains("timeout")
    {
        ProbeFailureKind::Timeout
    } else if lower.contains("exec") && (lower.contains("plugin") || lower.contains("auth")) {
        ProbeFailureKind::ExecPlugin
    } else {
        return None;
    };
    Some(failure(kind, message))
}

/// The most specific cause of an error (`Connection refused (os error 111)`), which says more
/// to a user than the layers of wrapping above it.
fn innermost(err: &dyn std::error::Error) -> String {
    let mut last = err;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}

/// The error and its causes, most specific last, without repeats.
fn chain_text(err: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = vec![err.to_string()];
    let mut source = err.source();
    while let Some(e) = source {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = e.source();
    }
    parts.join(": ")
}
