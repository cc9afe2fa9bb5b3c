//! Berth's operations on installed services (DESIGN.md §2–4): each action is a struct built over
//! one [`Config`] with option fields whose defaults equal the CLI's, run with `run()`.
//!
//! * [`Install`]: validate → generate credentials → render → server-side dry-run of every object
//!   (all at once) → revision `pending` → apply in dependency waves (the namespace; ConfigMaps,
//!   Secrets, ServiceAccounts and Services together; workloads; what refers to workloads; the
//!   record ConfigMap) → wait until ready with [`Progress`] → revision `succeeded`. The keyring
//!   session opens when the install starts, and the credentials are written over it alongside
//!   the rest (at once when the keyring holds none of the instance's handles, which overwrites
//!   nothing, else once the checks have passed); the install succeeds only if they were stored.
//!   `dry_run` stops after the server-side dry-run; `atomic` deletes what was created on failure.
//! * [`status`]: instances discovered from their record ConfigMaps (so instances installed from
//!   another machine are found), with [`Health`], version, endpoint and age.
//! * [`Stop`] / [`Start`]: stop records replica counts and autoscalers in an annotation of the
//!   record ConfigMap, deletes the autoscalers and scales workloads to zero (volumes and Secrets
//!   stay); start restores exactly that. Both are idempotent.
//! * [`Uninstall`]: deletes every object labelled with the instance; PVCs and the keyring
//!   credentials stay unless `delete_data`.
//!
//! * [`Adopt`]: an instance installed from another machine is taken into the local history.
//! * [`Recover`]: an interrupted or failed last operation is resumed (its revision rendered and
//!   applied again, then waited for) or rolled back to the last successful revision (for a
//!   first install: everything removed); [`recoverable`] lists the candidates.
//!
//! Transient API failures (503, 429, 5xx, connection resets) are retried with backoff within
//! each action's timeout (`berth_cluster::retry`); other failures end the action at once.
//!
//! * [`Logs`]: the logs of every pod of an instance, merged and prefixed; `follow` picks up new
//!   pods and reconnects dropped streams until cancelled (`tokio_util`'s `CancellationToken`,
//!   the tokio project's own cancellation primitive, so callers need nothing Berth-specific).
//!
//! * [`Connect`]: a local port (127.0.0.1) forwarded to a ready pod of the instance's client
//!   Service through kube-rs port-forward; the connection URI with the password masked, the real
//!   one only on request.
//!
//! * [`Shell`]: a command (the container's shell, or the engine's own client as the definition
//!   declares it) in a pod of the instance, with the caller's terminal attached.
//!
//! * [`instance_metrics`]: a CPU and memory sample per pod from `metrics.k8s.io`, or
//!   [`MetricsOutcome::NoMetricsApi`] on a cluster without it.
//!
//! Only one mutating action runs on an instance at a time, across processes ([`lock_path`]);
//! [`interrupted`] finds the `pending` revisions of operations whose process died.
//!
//! Every mutating action writes a `pending` revision before it touches the cluster and gives it
//! its outcome afterwards. Credentials are generated from the OS random number generator
//! (`getrandom`, no user-space PRNG to seed) and are never logged: actions are instrumented with
//! `tracing` spans that skip them.
#![deny(missing_docs)]

mod adopt;
mod claim;
mod connect;
mod credentials;
mod error;
mod install;
mod lock;
mod logs;
pub mod metrics;
mod pipeline;
pub mod prometheus;
mod reconfigure;
mod record;
mod recover;
mod restart;
mod rotate;
mod shell;
pub mod status;
mod stop_start;
pub mod transfer;
mod uninstall;
mod volume_growth;
mod wait;

pub use adopt::Adopt;
pub use connect::{Connect, Forward, ForwardInfo, PASSWORD_MASK};
pub use error::ActionError;
pub use install::{Install, InstallOutcome};
pub use lock::{ABANDONED, INTERRUPTED, InstanceLock, interrupted, lock_path, was_interrupted};
pub use logs::{LogLine, LogSink, Logs};
pub use metrics::{
    ContainerUsage, MetricsOutcome, PodResources, PodUsage, instance_metrics, instance_resources,
};
pub use reconfigure::{Change, ChangeKind, Reconfigure, ReconfigureOutcome};
pub use record::{
    RECORD_LABEL, Record, STOPPED_ANNOTATION, StoppedState, StoppedWorkload, record_name,
};
pub use recover::{Recover, RecoverOutcome, RecoveryKind, recoverable};
pub use restart::{RESTARTED_AT_ANNOTATION, Restart};
pub use rotate::{Rotate, RotateOutcome};
pub use shell::{Shell, ShellSession, ShellTarget};
pub use status::{Health, InstanceStatus};
pub use stop_start::{Start, Stop, StopStartOutcome};
pub use transfer::{Transfer, TransferEvent, TransferOptions, TransferOutcome, TransferPlan};
pub use uninstall::{Uninstall, UninstallOutcome};
pub use wait::{Progress, ProgressSink};

use std::sync::Arc;

use berth_catalog::{Catalog, Definition};
use berth_cluster::Cluster;
use berth_secrets::Keyring;
use berth_store::Store;

/// What every action works with: one cluster context, the local store, the keyring, the catalog.
#[derive(Clone)]
pub struct Config {
    /// The connection to the context acted on.
    pub cluster: Arc<Cluster>,
    /// The local history.
    pub store: Arc<Store>,
    /// Where credentials are kept.
    pub keyring: Keyring,
    /// The service definitions.
    pub catalog: Arc<Catalog>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("context", &self.cluster.context())
            .finish_non_exhaustive()
    }
}

impl Config {
    /// The context name.
    pub fn context(&self) -> &str {
        self.cluster.context()
    }

    /// The namespace asked for, else the context's: the one place an action's namespace
    /// defaults.
    pub fn namespace(&self, namespace: &Option<String>) -> String {
        namespace
            .clone()
            .unwrap_or_else(|| self.cluster.default_namespace().to_owned())
    }

    pub(crate) fn definition(&self, id: &str) -> Result<&Definition, ActionError> {
        Ok(self.catalog.require(id)?)
    }

    pub(crate) fn kube_error(&self, what: impl Into<String>, source: kube::Error) -> ActionError {
        if let Some(unusable) = self.cluster.unusable(&source) {
            return unusable.into();
        }
        ActionError::Kube {
            context: self.context().to_owned(),
            what: what.into(),
            source,
        }
    }
}

/// The field manager of Berth's own scaling (stop and start). Berth's re-applies take
/// `spec.replicas` back from it without `--force-conflicts`: it is Berth's, not another tool's.
pub const SCALE_FIELD_MANAGER: &str = "berth-scale";

/// The label selector of every object of one instance.
pub fn instance_selector(instance: &str) -> String {
    format!("app.kubernetes.io/managed-by=berth,app.kubernetes.io/instance={instance}")
}

/// The label selector of an instance's volumes: PVCs made from claim templates carry the
/// workload's selector labels (name and instance), not necessarily `managed-by`.
pub fn volume_selector(definition: &str, instance: &str) -> String {
    format!("app.kubernetes.io/name={definition},app.kubernetes.io/instance={instance}")
}

/// The keyring handle of one credential of an instance.
pub fn credential_handle(context: &str, namespace: &str, instance: &str, key: &str) -> String {
    format!("{context}/{namespace}/{instance}/{key}")
}
