use std::path::PathBuf;

use crate::failure::ProbeFailureKind;
use crate::hints::Remedy;

/// Everything that can go wrong in `berth-cluster`.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// No kubeconfig context has this name.
    #[error("no context named {name:?} in the kubeconfig ({files})")]
    ContextNotFound {
        /// The name asked for.
        name: String,
        /// The files that were read, for the message.
        files: String,
    },
    /// A kubeconfig file could not be read or parsed.
    #[error("kubeconfig {}: {message}", path.display())]
    Kubeconfig {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// No kubeconfig could be found (no `KUBECONFIG`, no home folder).
    #[error("no kubeconfig found: set KUBECONFIG or create ~/.kube/config")]
    NoKubeconfig,
    /// The context's configuration cannot make a client (bad CA data, missing cluster, ...).
    #[error("context {context:?} is misconfigured: {message}")]
    Config {
        /// The context.
        context: String,
        /// What is wrong.
        message: String,
    },
    /// The kubeconfig has no current context and none was named.
    #[error("no context given and the kubeconfig has no current context: pass --context")]
    NoCurrentContext,
    /// An object handed to Berth lacks what every Kubernetes object has.
    #[error("invalid object: {0}")]
    InvalidObject(String),
    /// The API server answered with an error.
    #[error("{context}: cannot {verb} {object}: {message} ({code} {reason})")]
    Api {
        /// The context.
        context: String,
        /// What Berth tried (`apply`, `get`, `list`, `delete`, `discover`).
        verb: &'static str,
        /// The object, as `Kind namespace/name`.
        object: String,
        /// The HTTP status code.
        code: u16,
        /// The Kubernetes reason (`Conflict`, `Forbidden`, `NotFound`, ...).
        reason: String,
        /// The server's message.
        message: String,
        /// What to do about it, for the refusals people meet most.
        remedy: Option<Box<Remedy>>,
    },
    /// The API server could not be reached, or the context's credentials could not be had
    /// (a failing credential plugin) or were refused before any answer about the request.
    #[error("{context}: {message}")]
    Unreachable {
        /// The context.
        context: String,
        /// Why, for clients to branch on.
        kind: ProbeFailureKind,
        /// What went wrong, in one plain sentence (see [`crate::failure`]).
        message: String,
    },
}

impl ClusterError {
    /// Why the context cannot be used, when that is what this error says: the same kinds the
    /// Contexts probe reports.
    pub fn failure_kind(&self) -> Option<ProbeFailureKind> {
        match self {
            ClusterError::Unreachable { kind, .. } => Some(*kind),
            ClusterError::Api { code: 401, .. } => Some(ProbeFailureKind::Unauthorized),
            ClusterError::Config { .. } => Some(ProbeFailureKind::Config),
            _ => None,
        }
    }

    /// What to do about it, in words for the app, when the message itself does not say.
    pub fn hint(&self) -> Option<String> {
        match self {
            ClusterError::Api {
                remedy: Some(r), ..
            } => Some(r.advice()),
            _ => self
                .failure_kind()
                .map(|k| crate::failure::hint(k).to_owned()),
        }
    }

    /// What to do about it with the CLI's commands and flags, where that differs from
    /// [`Self::hint`].
    pub fn cli_hint(&self) -> Option<String> {
        match self {
            ClusterError::Api {
                remedy: Some(r), ..
            } => Some(r.cli_advice()),
            _ => None,
        }
    }
}
