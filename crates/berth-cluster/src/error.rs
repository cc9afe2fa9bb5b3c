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
}
