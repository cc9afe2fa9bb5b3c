//! `berth standby watch [NAME...] [--every DURATION]`: syncs each pair whenever its data age
//! reaches the bound, until Ctrl-C or SIGTERM. No daemon: the schedule lives as long as the
//! command (or the desktop app) runs. A failed sync is reported and tried again a minute later;
//! a standby whose data is incomplete is synced at once.

use std::time::Duration;

use berth_api::{Api, ApiError, ErrorCode, StandbyInfo, StandbyState};

use super::interrupted;
use super::standby::age;
use crate::output;

/// How soon a failed sync is tried again (at most `--every`).
const RETRY: Duration = Duration::from_secs(60);

/// Whether `p` is one of the pairs asked for (all when no name is given).
fn wanted(p: &StandbyInfo, names: &[String]) -> bool {
    let name = |place: &str| place.rsplit('/').next().unwrap_or_default().to_owned();
    names.is_empty()
        || names
            .iter()
            .any(|n| *n == name(&p.active) || *n == name(&p.standby))
}

/// How long until `p` is due for a sync: zero when it is.
fn due_in(p: &StandbyInfo, every: Duration) -> Duration {
    match (p.state, p.data_age_secs) {
        (StandbyState::Incomplete, _) | (_, None) => Duration::ZERO,
        (_, Some(age)) => every.saturating_sub(Duration::from_secs(age.max(0).unsigned_abs())),
    }
}

pub(crate) async fn run(api: &Api, names: &[String], every: Duration) -> Result<(), ApiError> {
    if every.is_zero() {
        return Err(ApiError::new(
            ErrorCode::InvalidInput,
            "--every must be longer than 0s",
        ));
    }
    let first = api.standbys().await?;
    if let Some(missing) = names
        .iter()
        .find(|n| !first.iter().any(|p| wanted(p, std::slice::from_ref(n))))
    {
        return Err(ApiError::new(
            ErrorCode::InvalidInput,
            format!("{missing} has no standby on this machine (see `berth standby ls`)"),
        ));
    }
    if first.iter().all(|p| !wanted(p, names)) {
        return Err(ApiError::new(
            ErrorCode::InvalidInput,
            "there is no standby to watch: `berth standby create NAME --on CONTEXT` makes one",
        ));
    }
    let stop = interrupted();
    tokio::pin!(stop);
    output::line(format!(
        "keeping standbys within {} of their active (Ctrl-C stops)",
        age(i64::try_from(every.as_secs()).ok())
    ));
    // pairs whose last sync failed here, and when to try them again
    let mut retry_at: std::collections::HashMap<i64, tokio::time::Instant> = Default::default();
    loop {
        let mut wait = every;
        for p in api.standbys().await?.iter().filter(|p| wanted(p, names)) {
            let now = tokio::time::Instant::now();
            let due = match retry_at.get(&p.id) {
                Some(at) if *at > now => *at - now,
                _ => due_in(p, every),
            };
            if !due.is_zero() {
                wait = wait.min(due);
                continue;
            }
            let active = p.active.rsplit('/').next().unwrap_or_default();
            let sync = api.sync_standby(active, Some(&p.active_context), &|_| {});
            let result = tokio::select! {
                r = sync => r,
                () = &mut stop => {
                    output::warn(&format!(
                        "stopped during the sync of {}: `berth transfer resume` or `abort` decides it",
                        p.standby
                    ));
                    return Ok(());
                }
            };
            match result {
                Ok(t) => {
                    retry_at.remove(&p.id);
                    output::line(format!(
                        "synced {} → {} ({} bytes, transfer {})",
                        p.active, p.standby, t.bytes, t.id
                    ));
                }
                Err(e) => {
                    let again = RETRY.min(every);
                    retry_at.insert(p.id, tokio::time::Instant::now() + again);
                    wait = wait.min(again);
                    output::warn(&format!(
                        "sync of {} failed, trying again in {}: {}",
                        p.standby,
                        age(i64::try_from(again.as_secs()).ok()),
                        e.message
                    ));
                }
            }
        }
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = &mut stop => return Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(age: Option<i64>, state: StandbyState) -> StandbyInfo {
        StandbyInfo {
            id: 1,
            definition: "postgres".into(),
            active: "a/default/pg".into(),
            standby: "b/default/pg-standby".into(),
            active_context: "a".into(),
            standby_context: "b".into(),
            data_as_of: None,
            data_age_secs: age,
            state,
            last_error: None,
        }
    }

    #[test]
    fn a_pair_is_due_when_its_data_reaches_the_bound_or_is_incomplete() {
        let hour = Duration::from_secs(3600);
        assert_eq!(
            due_in(&pair(Some(600), StandbyState::Ready), hour),
            Duration::from_secs(3000)
        );
        assert_eq!(
            due_in(&pair(Some(7200), StandbyState::Ready), hour),
            Duration::ZERO
        );
        assert_eq!(
            due_in(&pair(None, StandbyState::Ready), hour),
            Duration::ZERO
        );
        assert_eq!(
            due_in(&pair(Some(5), StandbyState::Incomplete), hour),
            Duration::ZERO
        );
    }

    #[test]
    fn pairs_are_picked_by_active_or_standby_name() {
        let p = pair(None, StandbyState::Ready);
        assert!(wanted(&p, &[]));
        assert!(wanted(&p, &["pg".into()]));
        assert!(wanted(&p, &["pg-standby".into()]));
        assert!(!wanted(&p, &["redis".into()]));
    }
}
