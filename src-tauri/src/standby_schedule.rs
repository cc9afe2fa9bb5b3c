//! The standby schedule of the desktop app: while the app runs and the settings ask for it
//! (`standbySyncMinutes`), each standby older than that is synced in the background, as
//! `berth standby watch --every` does. Nothing is installed: closing the app ends it. Each
//! sync's progress is emitted as `berth://transfer` with the run id `schedule-<pair id>`, so
//! the window shows it like any transfer.

use std::time::Duration;

use berth_api::{ScheduleEvent, StandbySchedule};
use tauri::{AppHandle, Manager};

use crate::app_state::AppState;
use crate::transfer_commands::emitter;

/// How often the settings are read again while the schedule is off or waiting.
const LOOK_AGAIN: Duration = Duration::from_secs(60);

/// The first round waits this long: the window's first paint comes first.
const FIRST_ROUND: Duration = Duration::from_secs(5);

/// Starts the schedule on the app's runtime; it lives as long as the app.
pub(crate) fn spawn(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let mut schedule: Option<StandbySchedule> = None;
        tokio::time::sleep(FIRST_ROUND).await;
        loop {
            let wait = tick(&app, &mut schedule).await;
            tokio::time::sleep(wait).await;
        }
    });
}

/// One round: syncs what is due under the current setting; returns how long to wait.
async fn tick(app: &AppHandle, schedule: &mut Option<StandbySchedule>) -> Duration {
    let state = app.state::<AppState>();
    let Ok(api) = state.api().await else {
        return LOOK_AGAIN;
    };
    let every = api
        .settings()
        .ok()
        .and_then(|s| s.standby_sync_minutes)
        .map(|m| Duration::from_secs(u64::from(m) * 60));
    let Some(every) = every else {
        *schedule = None;
        return LOOK_AGAIN;
    };
    // a changed setting starts a schedule of its own (no retry times carried over)
    if schedule.as_ref().is_some_and(|s| s.every() != every) {
        *schedule = None;
    }
    let schedule = schedule.get_or_insert_with(|| StandbySchedule::new(every));
    let run = std::sync::Mutex::new(String::new());
    let mut events = |event: ScheduleEvent<'_>| match event {
        ScheduleEvent::Syncing(p) => {
            tracing::info!(standby = %p.standby, "scheduled standby sync");
            *run.lock().unwrap_or_else(|e| e.into_inner()) = format!("schedule-{}", p.id);
        }
        ScheduleEvent::Synced(p, t) => {
            tracing::info!(standby = %p.standby, bytes = t.bytes, "standby synced");
        }
        ScheduleEvent::Failed(p, error, again) => {
            tracing::warn!(standby = %p.standby, %error.message, retry_secs = again.as_secs(), "scheduled standby sync failed");
        }
    };
    let run = &run;
    let progress = move |p| emitter(app.clone(), run_id(run))(p);
    match schedule
        .run_due(api, &|_| true, &mut events, &progress)
        .await
    {
        Ok(wait) => wait.min(LOOK_AGAIN),
        Err(error) => {
            tracing::warn!(%error.message, "the standby schedule could not list the pairs");
            LOOK_AGAIN
        }
    }
}

fn run_id(run: &std::sync::Mutex<String>) -> String {
    run.lock().unwrap_or_else(|e| e.into_inner()).clone()
}
