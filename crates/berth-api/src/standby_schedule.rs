//! The standby schedule: syncs each pair whenever its data age reaches a bound. It runs only
//! inside a running process (`berth standby watch`, the desktop app): nothing is installed
//! anywhere. A failed sync is tried again a minute later (at most the bound).

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

use crate::{Api, ApiError, StandbyInfo, TransferInfo, TransferProgress};

/// How soon a failed sync is tried again (at most the schedule's bound).
const RETRY: Duration = Duration::from_secs(60);

/// What the schedule does, as it does it.
#[derive(Debug)]
pub enum ScheduleEvent<'a> {
    /// A sync of this pair begins.
    Syncing(&'a StandbyInfo),
    /// It succeeded.
    Synced(&'a StandbyInfo, Box<TransferInfo>),
    /// It failed; the pair is tried again after `retry_in`.
    Failed(&'a StandbyInfo, ApiError, Duration),
}

/// Keeps standbys within `every` of their actives.
#[derive(Debug)]
pub struct StandbySchedule {
    every: Duration,
    /// Pairs whose last sync failed here, and when to try them again.
    retry_at: HashMap<i64, Instant>,
}

impl StandbySchedule {
    /// A schedule with this bound on the data age (more than zero).
    pub fn new(every: Duration) -> Self {
        Self {
            every: every.max(Duration::from_secs(1)),
            retry_at: HashMap::new(),
        }
    }

    /// The bound on the data age.
    pub fn every(&self) -> Duration {
        self.every
    }

    /// Syncs, one after another, every pair `wanted` picks that is due, telling `events` what
    /// happens; returns how long until the next one is due. Progress of each sync goes to
    /// `progress`.
    pub async fn run_due(
        &mut self,
        api: &Api,
        wanted: &(dyn Fn(&StandbyInfo) -> bool + Sync),
        events: &mut (dyn FnMut(ScheduleEvent<'_>) + Send),
        progress: &(dyn Fn(TransferProgress) + Send + Sync),
    ) -> Result<Duration, ApiError> {
        let mut wait = self.every;
        for p in api.standbys().await?.iter().filter(|p| wanted(p)) {
            let now = Instant::now();
            let due = match self.retry_at.get(&p.id) {
                Some(at) if *at > now => *at - now,
                _ => p.due_in(self.every),
            };
            if !due.is_zero() {
                wait = wait.min(due);
                continue;
            }
            events(ScheduleEvent::Syncing(p));
            let active = p.active.rsplit('/').next().unwrap_or_default();
            match api
                .sync_standby(active, Some(&p.active_context), progress)
                .await
            {
                Ok(t) => {
                    self.retry_at.remove(&p.id);
                    events(ScheduleEvent::Synced(p, Box::new(t)));
                }
                Err(e) => {
                    let again = RETRY.min(self.every);
                    self.retry_at.insert(p.id, Instant::now() + again);
                    wait = wait.min(again);
                    events(ScheduleEvent::Failed(p, e, again));
                }
            }
        }
        Ok(wait)
    }
}
