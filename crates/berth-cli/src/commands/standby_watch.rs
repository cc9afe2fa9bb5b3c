//! `berth standby watch [NAME...] [--every DURATION]`: syncs each pair whenever its data age
//! reaches the bound, until Ctrl-C or SIGTERM. No daemon: the schedule lives as long as the
//! command (or the desktop app) runs. A failed sync is reported and tried again a minute later;
//! a standby whose data is incomplete is synced at once.

use std::time::Duration;

use berth_api::{Api, ApiError, ErrorCode, ScheduleEvent, StandbyInfo, StandbySchedule};

use super::interrupted;
use super::standby::age;
use crate::output;

/// Whether `p` is one of the pairs asked for (all when no name is given).
fn wanted(p: &StandbyInfo, names: &[String]) -> bool {
    let name = |place: &str| place.rsplit('/').next().unwrap_or_default().to_owned();
    names.is_empty()
        || names
            .iter()
            .any(|n| *n == name(&p.active) || *n == name(&p.standby))
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
    let mut schedule = StandbySchedule::new(every);
    // the pair being synced, for the word said when a signal stops it
    let syncing = std::sync::Mutex::new(None::<String>);
    loop {
        let mut events = |event: ScheduleEvent<'_>| match event {
            ScheduleEvent::Syncing(p) => {
                *syncing.lock().unwrap_or_else(|e| e.into_inner()) = Some(p.standby.clone());
            }
            ScheduleEvent::Synced(p, t) => {
                *syncing.lock().unwrap_or_else(|e| e.into_inner()) = None;
                output::line(format!(
                    "synced {} → {} ({} bytes, transfer {})",
                    p.active, p.standby, t.bytes, t.id
                ));
            }
            ScheduleEvent::Failed(p, e, again) => {
                *syncing.lock().unwrap_or_else(|e| e.into_inner()) = None;
                output::warn(&format!(
                    "sync of {} failed, trying again in {}: {}",
                    p.standby,
                    age(i64::try_from(again.as_secs()).ok()),
                    e.message
                ));
            }
        };
        let wanted = |p: &StandbyInfo| wanted(p, names);
        let wait = tokio::select! {
            r = schedule.run_due(api, &wanted, &mut events, &|_| {}) => r?,
            () = &mut stop => {
                if let Some(standby) = syncing.lock().unwrap_or_else(|e| e.into_inner()).take() {
                    output::warn(&format!(
                        "stopped during the sync of {standby}: `berth transfers` shows it, `berth transfer resume` or `abort` decides it"
                    ));
                }
                return Ok(());
            }
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = &mut stop => return Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use berth_api::StandbyState;

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
            pair(Some(600), StandbyState::Ready).due_in(hour),
            Duration::from_secs(3000)
        );
        assert_eq!(
            pair(Some(7200), StandbyState::Ready).due_in(hour),
            Duration::ZERO
        );
        assert_eq!(pair(None, StandbyState::Ready).due_in(hour), Duration::ZERO);
        assert_eq!(
            pair(Some(5), StandbyState::Incomplete).due_in(hour),
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
