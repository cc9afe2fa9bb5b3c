//! The journal of a running transfer: each step written `running` before it starts and given
//! its outcome after, so a resume knows the last finished step.

use berth_store::{StepStatus, Store, Transfer, TransferStatus};
use serde_json::Value;

use crate::ActionError;

/// Runs one step under the journal.
pub(crate) async fn step<T>(
    store: &Store,
    id: i64,
    name: &str,
    work: impl Future<Output = Result<(T, Option<Value>), ActionError>>,
) -> Result<T, ActionError> {
    store.begin_transfer_step(id, name)?;
    match work.await {
        Ok((value, detail)) => {
            store.finish_transfer_step(id, name, detail.as_ref(), Ok(()))?;
            Ok(value)
        }
        Err(e) => {
            let message = e.to_string();
            store.finish_transfer_step(id, name, None, Err(&message))?;
            Err(e)
        }
    }
}

/// Whether a step already finished.
pub(crate) fn done(t: &Transfer, name: &str) -> bool {
    t.steps
        .iter()
        .any(|s| s.step == name && s.status == StepStatus::Succeeded)
}

/// Whether a step was begun at all.
pub(crate) fn begun(t: &Transfer, name: &str) -> bool {
    t.steps.iter().any(|s| s.step == name)
}

/// The detail a finished step recorded.
pub(crate) fn detail<'t>(t: &'t Transfer, name: &str) -> Option<&'t Value> {
    t.steps
        .iter()
        .find(|s| s.step == name)
        .and_then(|s| s.detail.as_ref())
}

fn alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    if cfg!(target_os = "linux") {
        std::path::Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}

/// Transfers that need a decision: failed ones, and running ones whose process is gone (killed,
/// or the machine restarted). Reported at the start of the CLI and the app.
pub fn interrupted_transfers(store: &Store) -> Result<Vec<Transfer>, ActionError> {
    Ok(store
        .unfinished_transfers()?
        .into_iter()
        .filter(|t| t.status == TransferStatus::Failed || !t.pid.is_some_and(alive))
        .collect())
}
