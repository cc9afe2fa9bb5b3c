//! Cut-over: the target's revision succeeds; for a move the source gets its `move-out`
//! revision, is stopped (data kept, fence left up and its new place recorded, so `berth ls`
//! shows the instance once), and is uninstalled only with `--delete-source`, which runs only
//! after the verify passed.

use berth_store::{Operation, TransferKind};

use super::{Transfer, TransferEvent, TransferSink, fence};
use crate::{ActionError, Stop, Uninstall};

impl Transfer<'_> {
    pub(crate) async fn cutover(
        &self,
        plan: &super::TransferPlan,
        target_revision: Option<i64>,
        sink: TransferSink<'_>,
    ) -> Result<(), ActionError> {
        if let Some(id) = target_revision
            && let Ok(Some(r)) = self.target.store.revision(id)
            && r.status == berth_store::RevisionStatus::Pending
        {
            self.target.store.finish_revision(id, Ok(()))?;
        }
        if self.kind != TransferKind::Move {
            return Ok(());
        }
        let (_, ns, instance) = &plan.source;
        let to = format!("{}/{}/{}", plan.target.0, plan.target.1, plan.target.2);
        fence::mark_moved(self.source, ns, instance, &to).await?;
        let mut stop = Stop::new(self.source, instance.clone());
        stop.namespace = Some(ns.clone());
        stop.timeout = self.timeout();
        stop.run(&|_| {}).await?;
        if let Some(record) = &plan.record {
            crate::stop_start::begin(self.source, record, Operation::MoveOut)?
                .finish_with(Ok(()))?;
        }
        if self.options.delete_source {
            sink(TransferEvent::Note(format!(
                "deleting the source {instance} and its data (verified on the target)"
            )));
            let mut u = Uninstall::new(self.source, instance.clone());
            u.namespace = Some(ns.clone());
            u.delete_data = true;
            u.run().await?;
        }
        Ok(())
    }
}
