//! The start every lifecycle action on an existing instance shares: resolve the namespace, set
//! the deadline within which transient API failures are retried, take the instance's lock and
//! read its record.

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

/// Retries transient failures for at most `timeout` from now.
pub(crate) fn set_deadline(cfg: &Config, timeout: Duration) {
    cfg.cluster.set_deadline(Instant::now() + timeout);
}

/// Locks the instance and loads its record; `timeout` bounds the retries of what follows.
pub(crate) async fn claim(
    cfg: &Config,
    namespace: &Option<String>,
    instance: &str,
    timeout: Option<Duration>,
) -> Result<Claimed, ActionError> {
    if let Some(t) = timeout {
        set_deadline(cfg, t);
    }
    let namespace = cfg.namespace(namespace);
    let lock = lock::acquire(cfg, &namespace, instance)?;
    let record = record::load(cfg, &namespace, instance).await?;
    Ok(Claimed {
        namespace,
        record,
        _lock: lock,
    })
}
