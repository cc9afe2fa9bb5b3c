//! The simulated control plane: controllers reconcile after writes (and when a clock
//! comes due: CronJob schedules, HPA syncs, a slow safety pass) through the same write
//! paths clients use.

mod deployment;
mod endpoints;
mod gc;
pub(crate) mod hpa;
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

/// A full pass (garbage collection included) this often when the store changed since the
/// last pass without waking the controllers: a safety net, at the garbage collector's old
/// period.
const SAFETY_PERIOD: Duration = Duration::from_secs(2);

/// How often HorizontalPodAutoscalers re-read the metrics while they exist (the real
/// controller's sync period is 15 s; process-backed pods' CPU changes with no write).
const HPA_SYNC_PERIOD: Duration = Duration::from_secs(1);

/// Runs the controllers until shutdown: a pass after writes (coalesced), at the next
/// minute of the simulated CronJob clock while CronJobs exist, every [`HPA_SYNC_PERIOD`]
/// while HPAs exist, and every [`SAFETY_PERIOD`] if the store changed since the last pass
/// (a pass over an unchanged store, with no clock due, would write nothing: with many
/// objects a pass costs a lot, so an idle simulator skips it).
pub(crate) async fn run(state: Arc<State>, mut shutdown: watch::Receiver<bool>) {
    let mut events = state.store.subscribe();
    let mut gc_due = true;
    let mut last_gc = Instant::now();
    let mut next = Instant::now();
    // Whether `next` is a CronJob or HPA clock (else the safety pass).
    let mut clocked = true;
    // The store's resourceVersion when the last pass started.
    let mut last_rv = 0;
    loop {
        let woken = tokio::select! {
            _ = state.wake.notified() => true,
            _ = tokio::time::sleep_until(next) => false,
            _ = shutdown.changed() => return,
        };
        if !woken && !clocked && state.store.current_rv() == last_rv {
            last_gc = Instant::now();
            (next, clocked) = next_pass(&state, last_gc);
            continue;
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
        if last_gc.elapsed() >= SAFETY_PERIOD {
            gc_due = true;
        }
        state
            .controller_passes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        tracing::trace!(gc = gc_due, "controller pass");
        last_rv = state.store.current_rv();
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
        (next, clocked) = next_pass(&state, last_gc);
    }
}

/// When the next pass is due if no write comes first, and whether a CronJob or HPA clock
/// (rather than the safety period) sets it.
fn next_pass(state: &State, last_gc: Instant) -> (Instant, bool) {
    let now = Instant::now();
    let safety = last_gc + SAFETY_PERIOD;
    let mut next = safety;
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
    (next.max(now), next < safety)
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
