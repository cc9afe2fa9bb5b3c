//! Errors at the API boundary: `{code, message}`.

use berth_cluster::ProbeFailureKind;
use serde::Serialize;
use ts_rs::TS;

/// The closed set of error codes clients branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ErrorCode {
    /// The request itself is wrong (a bad value, an unknown option); nothing was changed.
    InvalidInput,
    /// What the request names does not exist.
    NotFound,
    /// A kubeconfig file cannot be used.
    Kubeconfig,
    /// The local database failed or belongs to a newer Berth.
    Store,
    /// The OS keyring failed.
    Keyring,
    /// A cluster failed or could not be reached.
    Cluster,
    /// The request conflicts with the current state.
    Conflict,
    /// The operation ran out of time (an instance not ready in time); what it did stays, and
    /// `recover` resumes or undoes it.
    Timeout,
    /// The operation makes no sense for this instance (stop of a service that cannot stop).
    Unsupported,
    /// The operation was stopped before it finished (cancelled, or its process ended); what it
    /// did stays, and `recover` resumes or undoes it.
    Interrupted,
    /// A bug in Berth.
    Internal,
}

impl ErrorCode {
    /// The code as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "invalidInput",
            ErrorCode::NotFound => "notFound",
            ErrorCode::Kubeconfig => "kubeconfig",
            ErrorCode::Store => "store",
            ErrorCode::Keyring => "keyring",
            ErrorCode::Cluster => "cluster",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Unsupported => "unsupported",
            ErrorCode::Interrupted => "interrupted",
            ErrorCode::Internal => "internal",
        }
    }
}

/// An error as clients see it: a code to branch on, the cause in one sentence, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct ApiError {
    /// What kind of error.
    pub code: ErrorCode,
    /// What happened and, where the fix depends on the request, what to do about it.
    pub message: String,
    /// Why a context cannot be used, when that is the cause: the same kinds, sentences and
    /// hints the Contexts screen shows for its probe.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub failure: Option<ProbeFailureKind>,
    /// What to do about it, when the message does not say, in words (the app adds its
    /// buttons).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub hint: Option<String>,
    /// The same advice with the CLI's commands and flags, where that wording differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub cli_hint: Option<String>,
}

impl ApiError {
    /// An error with this code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            failure: None,
            hint: None,
            cli_hint: None,
        }
    }
}

impl From<berth_store::StoreError> for ApiError {
    fn from(e: berth_store::StoreError) -> Self {
        let code = match e {
            berth_store::StoreError::NotFound(_) => ErrorCode::NotFound,
            _ => ErrorCode::Store,
        };
        Self::new(code, e.to_string())
    }
}

impl From<berth_cluster::ClusterError> for ApiError {
    fn from(e: berth_cluster::ClusterError) -> Self {
        use berth_cluster::ClusterError as E;
        let code = match e {
            E::ContextNotFound { .. } => ErrorCode::NotFound,
            E::Kubeconfig { .. } | E::NoKubeconfig => ErrorCode::Kubeconfig,
            E::Config { .. } => ErrorCode::Kubeconfig,
            E::NoCurrentContext => ErrorCode::InvalidInput,
            E::InvalidObject(_) => ErrorCode::Internal,
            E::Api { code, .. } => match code {
                404 => ErrorCode::NotFound,
                409 => ErrorCode::Conflict,
                400 | 422 => ErrorCode::InvalidInput,
                _ => ErrorCode::Cluster,
            },
            E::Unreachable { .. } => ErrorCode::Cluster,
        };
        Self {
            failure: e.failure_kind(),
            hint: e.hint(),
            cli_hint: e.cli_hint(),
            ..Self::new(code, e.to_string())
        }
    }
}

impl From<berth_secrets::SecretsError> for ApiError {
    fn from(e: berth_secrets::SecretsError) -> Self {
        let code = match e {
            berth_secrets::SecretsError::NotFound { .. } => ErrorCode::NotFound,
            _ => ErrorCode::Keyring,
        };
        Self::new(code, e.to_string())
    }
}
