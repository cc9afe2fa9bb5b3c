//! Moves and copies: thin commands over `berth_api`'s transfers. A run (`run_transfer`,
//! `resume_transfer`, `abort_transfer`) carries an id the window chose; each progress event is
//! emitted as `berth://transfer` with that id, and `cancel_transfer` stops a run and aborts
//! what it journaled (the half-made target removed, the source's fence lifted).

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

use berth_api::{
    Api, ApiError, ErrorCode, TransferInfo, TransferInput, TransferPlan, TransferProgress,
    TransferRunEvent,
};
use tauri::{AppHandle, Emitter, State};

use crate::app_state::AppState;

/// The event every [`TransferRunEvent`] is emitted as.
pub(crate) const TRANSFER_EVENT: &str = "berth://transfer";

/// How many journal rows `cancel_transfer` looks through for the run's own.
const RECENT_ROWS: u32 = 50;

/// A transfer running in this process.
struct Running {
    /// Stops its task.
    handle: tokio::task::AbortHandle,
    /// The newest journal id before it started: its own row is newer.
    after: i64,
    /// The source instance's name.
    instance: String,
}

/// The transfers this window started and that are still running, by run id.
#[derive(Default)]
pub(crate) struct TransferRuns(Mutex<HashMap<String, Running>>);

impl TransferRuns {
    fn insert(&self, run: &str, running: Running) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(run.to_owned(), running);
    }

    fn remove(&self, run: &str) -> Option<Running> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(run)
    }
}

/// A progress callback that emits each event for `run`.
pub(crate) fn emitter(
    app: AppHandle,
    run: String,
) -> impl Fn(TransferProgress) + Send + Sync + 'static {
    move |progress| {
        let event = TransferRunEvent {
            run: run.clone(),
            progress,
        };
        if let Err(error) = app.emit(TRANSFER_EVENT, &event) {
            tracing::warn!(%error, run = event.run, "transfer progress not delivered");
        }
    }
}

/// Checks a transfer on both clusters without changing anything.
#[tauri::command]
pub(crate) async fn plan_transfer(
    state: State<'_, AppState>,
    input: TransferInput,
) -> Result<TransferPlan, ApiError> {
    state.api().await?.plan_transfer(&input).await
}

/// Runs a transfer to its end (its plan first), emitting its progress as `run`.
#[tauri::command]
pub(crate) async fn run_transfer(
    app: AppHandle,
    state: State<'_, AppState>,
    runs: State<'_, TransferRuns>,
    run: String,
    input: TransferInput,
) -> Result<TransferInfo, ApiError> {
    let api = state.api().await?.clone();
    let after = api.transfers(1)?.first().map_or(0, |t| t.id);
    let instance = input.options.instance.clone();
    let progress = emitter(app, run.clone());
    let task = async move { api.run_transfer(&input, &progress).await };
    follow(&runs, &run, after, instance, task).await
}

/// Continues an interrupted transfer from its last finished step.
#[tauri::command]
pub(crate) async fn resume_transfer(
    app: AppHandle,
    state: State<'_, AppState>,
    run: String,
    id: i64,
) -> Result<TransferInfo, ApiError> {
    let progress = emitter(app, run);
    state.api().await?.resume_transfer(id, &progress).await
}

/// Undoes a transfer: the half-made target removed, the source's fence lifted.
#[tauri::command]
pub(crate) async fn abort_transfer(
    app: AppHandle,
    state: State<'_, AppState>,
    run: String,
    id: i64,
) -> Result<TransferInfo, ApiError> {
    let progress = emitter(app, run);
    state.api().await?.abort_transfer(id, &progress).await
}

/// Stops a running transfer of this window and aborts what it journaled; `None` when it was
/// stopped before it began (while planning): nothing was changed.
#[tauri::command]
pub(crate) async fn cancel_transfer(
    app: AppHandle,
    state: State<'_, AppState>,
    runs: State<'_, TransferRuns>,
    run: String,
) -> Result<Option<TransferInfo>, ApiError> {
    let running = runs.remove(&run).ok_or_else(|| {
        ApiError::new(
            ErrorCode::NotFound,
            format!("no running transfer {run} in this window"),
        )
    })?;
    running.handle.abort();
    let api = state.api().await?;
    match own_row(api, &running)? {
        Some(id) => Ok(Some(api.abort_transfer(id, &emitter(app, run)).await?)),
        None => Ok(None),
    }
}

/// The journal, newest first.
#[tauri::command]
pub(crate) async fn transfers(
    state: State<'_, AppState>,
    limit: Option<u32>,
) -> Result<Vec<TransferInfo>, ApiError> {
    state.api().await?.transfers(limit.unwrap_or(100))
}

/// Transfers that were interrupted or failed: shown at start-up with Resume and Abort.
#[tauri::command]
pub(crate) async fn interrupted_transfers(
    state: State<'_, AppState>,
) -> Result<Vec<TransferInfo>, ApiError> {
    state.api().await?.interrupted_transfers()
}

/// Runs `task` on its own tokio task, registered as `run` so `cancel_transfer` can stop it.
async fn follow(
    runs: &TransferRuns,
    run: &str,
    after: i64,
    instance: String,
    task: impl Future<Output = Result<TransferInfo, ApiError>> + Send + 'static,
) -> Result<TransferInfo, ApiError> {
    let joined = tokio::spawn(task);
    runs.insert(
        run,
        Running {
            handle: joined.abort_handle(),
            after,
            instance,
        },
    );
    let outcome = joined.await;
    runs.remove(run);
    match outcome {
        Ok(result) => result,
        Err(e) if e.is_cancelled() => Err(ApiError::new(
            ErrorCode::Conflict,
            "the transfer was cancelled: its target is being removed and the source's fence lifted",
        )),
        Err(e) => Err(ApiError::new(
            ErrorCode::Internal,
            format!("the transfer task failed: {e}"),
        )),
    }
}

/// The journal row a cancelled run wrote (the newest one since it began, for its instance), if
/// it got that far.
fn own_row(api: &Api, running: &Running) -> Result<Option<i64>, ApiError> {
    let suffix = format!("/{}", running.instance);
    Ok(api
        .transfers(RECENT_ROWS)?
        .into_iter()
        .find(|t| t.id > running.after && t.source.ends_with(&suffix))
        .map(|t| t.id))
}
