//! Standbys: thin commands over `berth_api`'s standbys. Create, sync and promote carry a run id
//! the window chose and emit their progress as `berth://transfer` events with it, as moves and
//! copies do; a failed or interrupted one is resumed or aborted from the transfer journal.

use berth_api::{ApiError, StandbyInfo, StandbyInput, TransferInfo};
use tauri::{AppHandle, State};

use crate::app_state::AppState;
use crate::transfer_commands::emitter;

/// Creates a standby of an instance on another context, emitting its progress as `run`.
#[tauri::command]
pub(crate) async fn create_standby(
    app: AppHandle,
    state: State<'_, AppState>,
    run: String,
    input: StandbyInput,
) -> Result<TransferInfo, ApiError> {
    let progress = emitter(app, run);
    state.api().await?.create_standby(&input, &progress).await
}

/// Refreshes the standby of `name` (its active or its standby) from the active.
#[tauri::command]
pub(crate) async fn sync_standby(
    app: AppHandle,
    state: State<'_, AppState>,
    run: String,
    name: String,
    context: Option<String>,
) -> Result<TransferInfo, ApiError> {
    let progress = emitter(app, run);
    state
        .api()
        .await?
        .sync_standby(&name, context.as_deref(), &progress)
        .await
}

/// Makes the standby of `name` the active: planned, or `force`d when the active's cluster
/// does not answer (the window has shown the data age and asked first).
#[tauri::command]
pub(crate) async fn promote_standby(
    app: AppHandle,
    state: State<'_, AppState>,
    run: String,
    name: String,
    context: Option<String>,
    force: bool,
) -> Result<TransferInfo, ApiError> {
    let progress = emitter(app, run);
    state
        .api()
        .await?
        .promote_standby(&name, context.as_deref(), force, &progress)
        .await
}

/// Every active–standby pair, with its data age.
#[tauri::command]
pub(crate) async fn standbys(state: State<'_, AppState>) -> Result<Vec<StandbyInfo>, ApiError> {
    state.api().await?.standbys().await
}

/// Ends the pairing of `name`; with `delete_data` the standby is uninstalled with its data
/// (never the active).
#[tauri::command]
pub(crate) async fn drop_standby(
    state: State<'_, AppState>,
    name: String,
    context: Option<String>,
    delete_data: bool,
) -> Result<StandbyInfo, ApiError> {
    state
        .api()
        .await?
        .drop_standby(&name, context.as_deref(), delete_data)
        .await
}
