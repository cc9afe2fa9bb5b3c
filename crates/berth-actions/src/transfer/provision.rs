//! Provision: the target installed with the source's definition, parameters (plus the
//! overrides) and the same credentials from the keyring, so applications keep their passwords.
//! The target's revision (`move-in` for a move) stays `pending` until the cut-over.

use berth_store::{Operation, TransferKind};
use serde_json::json;

use super::{Transfer, TransferEvent, TransferSink};
use crate::{ActionError, Install, Progress};

impl Transfer<'_> {
    pub(crate) async fn provision(
        &self,
        plan: &super::TransferPlan,
        sink: TransferSink<'_>,
    ) -> Result<serde_json::Value, ActionError> {
        let record = plan
            .record
            .as_ref()
            .ok_or_else(|| ActionError::Failed("the plan has no source record".into()))?;
        let credentials = super::plan::source_credentials(self, record).map_err(|missing| {
            ActionError::Failed(format!(
                "the keyring lacks {} of the source",
                missing.join(", ")
            ))
        })?;
        let mut install = Install::new(self.target, plan.definition.clone());
        install.name = Some(plan.target.2.clone());
        install.namespace = Some(plan.target.1.clone());
        install.create_namespace = self.options.create_namespace;
        install.version = Some(plan.target_version.clone());
        install.values = plan.target_values.clone();
        install.credentials = Some(credentials);
        install.timeout = self.timeout();
        install.operation = match self.kind {
            TransferKind::Move => Operation::MoveIn,
            _ => Operation::Install,
        };
        install.keep_pending = true;
        let progress = |p: Progress| {
            if let Progress::Step(s) = p {
                sink(TransferEvent::Note(format!("target: {s}")));
            }
        };
        let out = install.run(&progress).await?;
        Ok(json!({"revisionId": out.revision_id, "revision": out.revision}))
    }
}
