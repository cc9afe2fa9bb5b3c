//! The simulated control plane: controllers reconcile after writes (and when a clock
//! comes due: CronJob schedules, HPA syncs, a slow safety pass) through the same write
//! paths clients use.

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
use tokio::time::Instant;

use crate::resources::GroupResource;
use crate::server::State;
use crate::store::EventType;

/// A full pass (garbage collection included) at least this often, even with no writes: a
/// safety net for anything no write announces.
const SAFETY_PERIOD: Duration = Duration::from_secs(5);

/// How often HorizontalPodAutoscalers re-read the metrics while they exist (the real
/// controller's sync period is 15 s; process-backed pods' CPU changes with no write).
const HPA_SYNC_PERIOD: Duration = Duration::from_secs(1);

/// Runs the controllers until shutdown: a pass after writes (coalesced), at the next
/// minute of the simulated CronJob clock while CronJobs exist, every [`HPA_SYNC_PERIOD`]
/// while HPAs exist, and every [`SAFETY_PERIOD`] otherwise. An idle simulator costs one
/// pass every few seconds.
pub(crate) async fn run(state: Arc<State>, mut shutdown: watch::Receiver<bool>) {
    let mut events = state.store.subscribe();
    let mut gc_due = true;
    let mut last_gc = Instant::now();
    let mut next = Instant::now();
    loop {
        tokio::select! {
            _ = state.wake.notified() => {}
            _ = tokio::time::sleep_until(next) => {}
            _ = shutdown.changed() => return,
        }
        // Coalesce bursts of writes.
        tokio::time::sleep(Duration::from_millis(10)).await;
        loop {
            match events.try_recv() {
                Ok(e) => {
                    // Deletions, and objects created or changed with owners (which may
                    // already be gone), are the garbage collector's business.
                    if e.kind == EventType::Deleted
                        || e.object["metadata"]["deletionTimestamp"].is_string()
                        || (e.kind == EventType::Added
                            && e.object["metadata"]["ownerReferences"].is_array())
                        || e.old.as_ref().is_some_and(|o| {
                            o["metadata"]["ownerReferences"]
                                != e.object["metadata"]["ownerReferences"]
                        })
                    {
                        gc_due = true;
                    }
                }
                Err(tokio::sync::broadcast::error::TryRecvError::Lagged(_)) => gc_due = true,
                Err(_) => break,
            }
        }
        if last_gc.elapsed() >= SAFETY_PERIOD {
            gc_due = true;
        }
        state
            .controller_passes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let st = state.clone();
        let run_gc = gc_due;
        let r = tokio::task::spawn_blocking(move || reconcile(&st, run_gc)).await;
        if let Err(e) = r {
            tracing::error!(error = %e, "controller pass panicked");
        }
        if gc_due {
            gc_due = false;
            last_gc = Instant::now();
        }
        next = next_pass(&state, last_gc);
    }
}

/// When the next pass is due if no write comes first.
fn next_pass(state: &State, last_gc: Instant) -> Instant {
    let now = Instant::now();
    let mut next = last_gc + SAFETY_PERIOD;
    let has = |group: &str, plural: &str| {
        state
            .store
            .resources()
            .contains(&GroupResource::new(group, plural))
    };
    if has("autoscaling", "horizontalpodautoscalers") {
        next = next.min(now + HPA_SYNC_PERIOD);
    }
    if has("batch", "cronjobs") {
        next = next.min(now + schedule::until_next_minute(state) + Duration::from_millis(1));
    }
    next.max(now)
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
