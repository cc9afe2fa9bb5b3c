//! The simulated control plane: controllers reconcile after every write (and on a short
//! tick) through the same write paths clients use.

mod deployment;
mod endpoints;
mod gc;
mod hpa;
mod job;
mod namespace;
pub(crate) mod objects;
mod schedule;
mod statefulset;
mod volume;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::server::State;
use crate::store::EventType;

/// Runs the controllers until shutdown.
pub(crate) async fn run(state: Arc<State>, mut shutdown: watch::Receiver<bool>) {
    let mut events = state.store.subscribe();
    let mut gc_due = true;
    let mut last_gc = tokio::time::Instant::now();
    loop {
        tokio::select! {
            _ = state.wake.notified() => {}
            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            _ = shutdown.changed() => return,
        }
        // Coalesce bursts of writes.
        tokio::time::sleep(Duration::from_millis(10)).await;
        loop {
            match events.try_recv() {
                Ok(e) => {
                    if e.kind == EventType::Deleted
                        || e.object["metadata"]["deletionTimestamp"].is_string()
                    {
                        gc_due = true;
                    }
                }
                Err(tokio::sync::broadcast::error::TryRecvError::Lagged(_)) => gc_due = true,
                Err(_) => break,
            }
        }
        if last_gc.elapsed() > Duration::from_secs(2) {
            gc_due = true;
        }
        let st = state.clone();
        let run_gc = gc_due;
        let r = tokio::task::spawn_blocking(move || reconcile(&st, run_gc)).await;
        if let Err(e) = r {
            tracing::error!(error = %e, "controller pass panicked");
        }
        if gc_due {
            gc_due = false;
            last_gc = tokio::time::Instant::now();
        }
    }
}

fn reconcile(state: &State, run_gc: bool) {
    namespace::reconcile(state);
    deployment::reconcile(state);
    deployment::reconcile_replicasets(state);
    statefulset::reconcile(state);
    schedule::reconcile_cronjobs(state);
    job::reconcile(state);
    schedule::reconcile_daemonsets(state);
    hpa::reconcile(state);
    job::reconcile_pdbs(state);
    volume::reconcile(state);
    endpoints::reconcile(state);
    if run_gc {
        gc::reconcile(state);
    }
}
