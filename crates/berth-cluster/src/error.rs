use std::path::PathBuf;

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
        verb: String,
        /// The object, as `Kind namespace/name`.
        object: String,
        /// The HTTP status code.
        code: u16,
        /// The Kubernetes reason (`Conflict`, `Forbidden`, `NotFound`, ...).
        reason: String,
        /// The server's message.
        message: String,
    },
    /// The API server could not be reached.
    #[error("{context}: the API server cannot be reached: {message}")]
    Unreachable {
        /// The context.
        context: String,
        /// What went wrong.
        message: String,
    },
}
