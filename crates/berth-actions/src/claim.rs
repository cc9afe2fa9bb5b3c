//! The start every lifecycle action on an existing instance shares: resolve the namespace, take
//! the instance's lock and read its record; and the deadline within which an action's transient
//! API failures are retried.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::lock::{self, InstanceLock};
use crate::record::{self, Record};
use crate::{ActionError, Config};

/// An instance held for one mutating operation.
#[derive(Debug)]
pub(crate) struct Claimed {
    /// The namespace it lives in.
    pub(crate) namespace: String,
    /// Its record as the cluster holds it.
    pub(crate) record: Record,
    /// Held until the operation ends.
    pub(crate) _lock: InstanceLock,
}

/// Runs an action whose transient API failures are retried for at most `timeout` from now.
pub(crate) async fn within<F: Future>(timeout: Duration, action: F) -> F::Output {
    berth_cluster::retry::within_deadline(Instant::now() + timeout, action).await
}

/// Locks the instance and loads its record.
pub(crate) async fn claim(
    cfg: &Config,
    namespace: &Option<String>,
    instance: &str,
) -> Result<Claimed, ActionError> {
    let namespace = cfg.namespace(namespace);
    let lock = lock::acquire(cfg, &namespace, instance)?;
    let record = record::load(cfg, &namespace, instance).await?;
    Ok(Claimed {
        namespace,
        record,
        _lock: lock,
    })
}
