//! Background operations: `start_operation` returns an id at once and every update of the
//! operation is emitted as the `berth://operation` event; `list_operations` gives the running and
//! recent ones (for a window that opens, or reloads, while they run).

use berth_api::{ApiError, OperationRequest, OperationUpdate, Operations};
use tauri::{AppHandle, Emitter, State};

use crate::app_state::AppState;

/// The event every [`OperationUpdate`] is emitted as.
pub(crate) const OPERATION_EVENT: &str = "berth://operation";

/// Starts a long operation in the background and returns its id.
#[tauri::command]
pub(crate) async fn start_operation(
    app: AppHandle,
    state: State<'_, AppState>,
    operations: State<'_, Operations>,
    request: OperationRequest,
) -> Result<String, ApiError> {
    let api = state.api().await?;
    Ok(
        operations.start(api, request, move |update: &OperationUpdate| {
            if let Err(error) = app.emit(OPERATION_EVENT, update) {
                tracing::warn!(%error, id = update.id, "operation update not delivered");
            }
        }),
    )
}

/// Running and recent operations, newest first.
#[tauri::command]
pub(crate) async fn list_operations(
    operations: State<'_, Operations>,
) -> Result<Vec<OperationUpdate>, ApiError> {
    Ok(operations.list())
}

/// Cancels a running operation (it stops at its next await point; Recover finishes the rest).
#[tauri::command]
pub(crate) async fn cancel_operation(
    operations: State<'_, Operations>,
    id: String,
) -> Result<(), ApiError> {
    operations.cancel(&id)
}
