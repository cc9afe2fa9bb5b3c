//! Why a context cannot be used, told one way everywhere.
//!
//! A failed connection reaches Berth as a kube-rs error wrapped several times (tower, hyper,
//! hyper-util, io, rustls). [`classify`] turns it into a [`ProbeFailureKind`] and one plain
//! sentence ("nothing answers at https://127.0.0.1:6443 (connection refused)"), and [`hint`] says
//! what to do. The Contexts probe and every request's error go through here, so the Contexts
//! screen, the Services list, the instance page and the CLI say the same thing about the same
//! failure.

use serde::Serialize;
use ts_rs::TS;

use crate::location::host_of;

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

impl ProbeFailureKind {
    /// Every kind, for tables and fixtures that must cover them all.
    pub const ALL: [ProbeFailureKind; 9] = [
        ProbeFailureKind::Dns,
        ProbeFailureKind::Refused,
        ProbeFailureKind::Tls,
        ProbeFailureKind::Unauthorized,
        ProbeFailureKind::Forbidden,
        ProbeFailureKind::Timeout,
        ProbeFailureKind::ExecPlugin,
        ProbeFailureKind::Config,
        ProbeFailureKind::Other,
    ];
}

/// What to do about a failure of this kind, in words that fit the app and the CLI alike.
pub fn hint(kind: ProbeFailureKind) -> &'static str {
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

/// Where a request went: what a failure's sentence names.
#[derive(Debug, Clone, Default)]
pub(crate) struct Endpoint {
    /// The server URL.
    pub server: String,
    /// The exec credential plugin's command, when the context uses one.
    pub exec_command: Option<String>,
}

/// The kind of a failed request and one plain sentence about it (without the context's name).
pub(crate) fn classify(err: &kube::Error, at: &Endpoint) -> (ProbeFailureKind, String) {
    match err {
        kube::Error::Api(status) => {
            let kind = match status.code {
                401 => ProbeFailureKind::Unauthorized,
                403 => ProbeFailureKind::Forbidden,
                _ => ProbeFailureKind::Other,
            };
            let said = if status.message.is_empty() {
                status.reason.clone()
            } else {
                status.message.clone()
            };
            let message = match kind {
                ProbeFailureKind::Unauthorized => {
                    format!("the API server refused the credentials (HTTP 401: {said})")
                }
                ProbeFailureKind::Forbidden => {
                    format!("the API server denied access (HTTP 403: {said})")
                }
                _ => format!("the API server answered HTTP {}: {said}", status.code),
            };
            (kind, message)
        }
        kube::Error::Auth(auth) => auth_failure(auth, at),
        _ => transport_failure(&chain_text(err), &innermost(err), at),
    }
}

/// The kind and sentence of a failure known only by its text (a configuration loader's error).
pub(crate) fn classify_text(text: &str, at: &Endpoint) -> Option<(ProbeFailureKind, String)> {
    let (kind, message) = transport_failure(text, text, at);
    (kind != ProbeFailureKind::Other).then_some((kind, message))
}

/// A credential plugin's failure: which plugin, how it ended, the first line it printed.
fn auth_failure(auth: &kube::client::AuthError, at: &Endpoint) -> (ProbeFailureKind, String) {
    use kube::client::AuthError as A;
    let plugin = at.exec_command.as_deref().map_or_else(
        || "the credential plugin".to_owned(),
        |c| format!("the credential plugin `{c}`"),
    );
    let message = match auth {
        A::AuthExecStart(io) if io.kind() == std::io::ErrorKind::NotFound => {
            format!("{plugin} is not installed (not found on PATH)")
        }
        A::AuthExecStart(io) => format!("{plugin} could not be started: {io}"),
        A::AuthExecRun { out, .. } => {
            let said = String::from_utf8_lossy(&out.stderr)
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .map(|l| format!(": {l}"))
                .unwrap_or_default();
            match out.status.code() {
                Some(code) => format!("{plugin} failed with exit code {code}{said}"),
                None => format!("{plugin} was killed{said}"),
            }
        }
        A::ExecPluginFailed | A::AuthExecParse(_) | A::AuthExec(_) => {
            format!("{plugin} gave no usable credentials ({auth})")
        }
        A::MissingCommand | A::ExecMissingClusterInfo => {
            format!("the context's exec credential is incomplete ({auth})")
        }
        other => return (ProbeFailureKind::Config, chain_text(other)),
    };
    (ProbeFailureKind::ExecPlugin, message)
}

/// A failure below HTTP, sorted by the words of its cause chain: transport errors reach Berth
/// wrapped several times, so their text is the dependable part.
fn transport_failure(text: &str, innermost: &str, at: &Endpoint) -> (ProbeFailureKind, String) {
    let server = at.server.as_str();
    let lower = text.to_ascii_lowercase();
    if lower.contains("dns error")
        || lower.contains("failed to lookup address")
        || lower.contains("name or service not known")
        || lower.contains("no address associated")
        || lower.contains("nodename nor servname")
    {
        let host = host_of(server).unwrap_or(server);
        (
            ProbeFailureKind::Dns,
            format!("the host name {host} does not resolve"),
        )
    } else if lower.contains("connection refused") {
        (
            ProbeFailureKind::Refused,
            format!("nothing answers at {server} (connection refused)"),
        )
    } else if lower.contains("certificate")
        || lower.contains("tls")
        || lower.contains("handshake")
        || lower.contains("unknownissuer")
    {
        (
            ProbeFailureKind::Tls,
            format!("the TLS handshake with {server} failed: {innermost}"),
        )
    } else if lower.contains("timed out")
        || lower.contains("deadline has elapsed")
        || lower.contains("timeout")
    {
        (ProbeFailureKind::Timeout, timeout_sentence(server))
    } else if lower.contains("exec") && (lower.contains("plugin") || lower.contains("auth")) {
        (
            ProbeFailureKind::ExecPlugin,
            format!("the credential plugin failed: {innermost}"),
        )
    } else {
        (
            ProbeFailureKind::Other,
            format!("cannot reach {server}: {innermost}"),
        )
    }
}

/// The sentence of a request that got no answer in time.
pub fn timeout_sentence(server: &str) -> String {
    format!("{server} did not answer in time")
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
