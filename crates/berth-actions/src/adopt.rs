//! `Adopt`: an instance installed from another machine (its record ConfigMap is in the cluster,
//! this machine's history has nothing about it) is taken into the local history, so that
//! `berth history`, `rollback` and `recover` know where it stands. Its credentials are read from
//! the instance's Secret (the one Berth wrote at install) into this machine's keyring, so `berth
//! config`, `upgrade` and `connect --show-password` work here as on the installing machine.

use berth_store::{NewRevision, Operation};

use crate::claim::claim;
use crate::record::Record;
use crate::{ActionError, Config};

/// Takes an instance installed elsewhere into the local history.
#[derive(Debug, Clone)]
pub struct Adopt<'a> {
    cfg: &'a Config,
    /// The instance.
    pub instance: String,
    /// The namespace (default: the context's).
    pub namespace: Option<String>,
}

impl<'a> Adopt<'a> {
    /// An adoption of `instance`.
    pub fn new(cfg: &'a Config, instance: impl Into<String>) -> Self {
        Self {
            cfg,
            instance: instance.into(),
            namespace: None,
        }
    }

    /// Imports the credentials into the keyring, then records an `adopt` revision with the
    /// record's definition, version and parameters; returns the record and the local revision
    /// number.
    #[tracing::instrument(skip(self), fields(context = %self.cfg.context(), instance = %self.instance))]
    pub async fn run(&self) -> Result<(Record, u32), ActionError> {
        let cfg = self.cfg;
        let claimed = claim(cfg, &self.namespace, &self.instance).await?;
        let rec = claimed.record.clone();
        let known = cfg
            .store
            .revisions(cfg.context(), &claimed.namespace, &rec.instance)?;
        if !known.is_empty() {
            return Err(ActionError::Conflict(format!(
                "{} in {}/{} is already in this machine's history (`berth history {}`)",
                rec.instance,
                cfg.context(),
                claimed.namespace,
                rec.instance
            )));
        }
        let def = cfg.catalog.get(&rec.definition);
        crate::credentials::import(cfg, def, &rec).await?;
        let pending = cfg.store.begin_revision(&NewRevision {
            context: cfg.context(),
            namespace: &claimed.namespace,
            instance: &rec.instance,
            definition: &rec.definition,
            version: &rec.version,
            operation: Operation::Adopt,
            parameters: &rec.parameters,
            manifest_digest: None,
        })?;
        cfg.store.finish_revision(pending.id, Ok(()))?;
        Ok((rec, pending.revision))
    }
}
