//! Installed instances: list, status and history (the changes themselves run as operations).

use berth_api::{ApiError, InstanceList, InstanceRef, InstanceSummary, RevisionInfo};
use tauri::State;

use crate::app_state::AppState;

/// Instances in one context, or (with `allContexts`) in every context.
#[tauri::command]
pub(crate) async fn list_instances(
    state: State<'_, AppState>,
    context: Option<String>,
    all_contexts: bool,
    namespace: Option<String>,
) -> Result<InstanceList, ApiError> {
    state
        .api()?
        .list_instances(context.as_deref(), all_contexts, namespace.as_deref())
        .await
}

/// One instance's status.
#[tauri::command]
pub(crate) async fn instance_status(
    state: State<'_, AppState>,
    instance: InstanceRef,
) -> Result<InstanceSummary, ApiError> {
    state.api()?.instance_status(&instance).await
}

/// The history of one instance or of everything, newest first.
#[tauri::command]
pub(crate) async fn history(
    state: State<'_, AppState>,
    name: Option<String>,
    context: Option<String>,
    namespace: Option<String>,
    limit: Option<u32>,
) -> Result<Vec<RevisionInfo>, ApiError> {
    state.api()?.history(
        name.as_deref(),
        context.as_deref(),
        namespace.as_deref(),
        limit.unwrap_or(500),
    )
}
