//! Berth's view of Kubernetes clusters.
//!
//! * [`kubeconfig`]: reads kubeconfig files the way kubectl does (`KUBECONFIG` with several paths
//!   merged, first file wins; else `~/.kube/config`). A broken file becomes a [`KubeconfigProblem`]
//!   naming the file and the fault while the other files still load; nothing here panics on input.
//! * [`location`]: infers whether a context is a `laptop`, `cloud` or `private` cluster from its
//!   name and server URL.
//! * [`probe`]: checks whether a context's API server answers, with a short timeout, and says why
//!   not (DNS, refused, TLS, 401/403, exec-plugin failure, timeout) with a hint for the user.
//! * [`failure`]: the one classification of those failures, shared by the probe and every
//!   request's error, so every screen and the CLI tell a failure the same way.
//!
//! * [`objects`]: a connection to one context that server-side applies, gets, lists and deletes
//!   objects given as JSON, with errors that name the verb, the object and the server's reason.
//! * [`listing`]: lists objects keeping only the fields a caller reads ([`Fields`]), parsed
//!   straight from the answer: a listing of hundreds of pods costs a fraction of the CPU.
//! * [`retry`]: transient failures (503, 429, 5xx, connection resets) are retried with
//!   exponential backoff within the operation's deadline; answers about the request are not.
//!
//! Built on kube-rs (rustls with ring: no OpenSSL to install), which also parses kubeconfig and
//! runs exec credential plugins exactly as other kube-rs tools do.
#![deny(missing_docs)]

mod error;
pub mod failure;
pub mod hints;
pub mod kubeconfig;
pub mod listing;
pub mod location;
pub mod objects;
pub mod probe;
pub mod retry;

pub use error::ClusterError;
pub use failure::ProbeFailureKind;
pub use hints::Remedy;
pub use kubeconfig::{ContextEntry, KubeconfigProblem, LoadedKubeconfig};
pub use listing::Fields;
pub use location::Location;
pub use objects::{ApplyOptions, Cluster, FIELD_MANAGER, ObjectRef};
pub use probe::{ProbeFailure, ProbeOutcome};

/// Installs ring as rustls' process-wide crypto provider, once, so that TLS works whichever other
/// rustls features the final binary's dependency graph happens to enable.
pub fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
