//! Commands behind the Settings screen and the Contexts screen's "create a local cluster".

use berth_api::{
    ApiError, AppSettings, CreateLocalClusterInput, LocalClusterCreated, LocalClusterToolInfo,
};
use tauri::State;
use tauri::ipc::Channel;

use crate::app_state::AppState;

/// The stored preferences.
#[tauri::command]
pub(crate) async fn get_settings(state: State<'_, AppState>) -> Result<AppSettings, ApiError> {
    state.api().await?.settings()
}

/// Validates and stores the preferences.
#[tauri::command]
pub(crate) async fn set_settings(
    state: State<'_, AppState>,
    settings: AppSettings,
) -> Result<AppSettings, ApiError> {
    state.api().await?.set_settings(&settings)
}

/// Which of kind, k3d and minikube are on PATH.
#[tauri::command]
pub(crate) async fn local_cluster_tools(
    state: State<'_, AppState>,
) -> Result<Vec<LocalClusterToolInfo>, ApiError> {
    Ok(state.api().await?.local_cluster_tools())
}

/// Creates a local cluster, sending every output line of the tool on `output`.
#[tauri::command]
pub(crate) async fn create_local_cluster(
    state: State<'_, AppState>,
    input: CreateLocalClusterInput,
    output: Channel<String>,
) -> Result<LocalClusterCreated, ApiError> {
    let send = |line: String| {
        if let Err(error) = output.send(line) {
            tracing::debug!(%error, "the window stopped listening to the cluster output");
        }
    };
    state.api().await?.create_local_cluster(&input, &send).await
}
