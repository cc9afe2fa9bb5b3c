use berth_catalog::CatalogError;
use berth_cluster::ClusterError;
use berth_secrets::SecretsError;
use berth_store::StoreError;

/// Everything that can go wrong in an action.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// The catalog has no such service, or the parameters or version are invalid.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The request is wrong in a way the catalog does not judge (a missing namespace, a bad name).
    #[error("{0}")]
    InvalidInput(String),
    /// The named instance does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with what exists (a name already taken).
    #[error("{0}")]
    Conflict(String),
    /// The operation makes no sense for this instance (stop on a service that cannot stop).
    #[error("{0}")]
    Unsupported(String),
    /// The cluster refused or could not be reached.
    #[error(transparent)]
    Cluster(Box<ClusterError>),
    /// A Kubernetes request made directly through kube-rs failed.
    #[error("{context}: cannot {what}: {source}")]
    Kube {
        /// The context.
        context: String,
        /// What Berth tried.
        what: String,
        /// The client error.
        #[source]
        source: kube::Error,
    },
    /// The instance did not become ready in time.
    #[error("{0}")]
    Timeout(String),
    /// The operation failed and what it had created was removed (`--atomic`).
    #[error("{0}")]
    Failed(String),
    /// The instance lock file could not be used.
    #[error("{0}")]
    Lock(String),
    /// The local history failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The keyring failed.
    #[error(transparent)]
    Secrets(#[from] SecretsError),
    /// The system random number generator failed.
    #[error("cannot generate a credential: {0}")]
    Random(String),
}

impl From<ClusterError> for ActionError {
    fn from(e: ClusterError) -> Self {
        ActionError::Cluster(Box::new(e))
    }
}

impl ActionError {
    /// Whether the error is a refusal of the request itself (nothing was changed).
    pub fn is_invalid_input(&self) -> bool {
        matches!(
            self,
            ActionError::InvalidInput(_)
                | ActionError::Catalog(
                    CatalogError::NotFound(_)
                        | CatalogError::UnknownVersion { .. }
                        | CatalogError::InvalidParameters(_)
                        | CatalogError::InvalidSet { .. }
                        | CatalogError::MissingCredential(_)
                )
        )
    }
}
