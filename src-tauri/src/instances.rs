//! Installed instances: list, status and history (the changes themselves run as operations).

use berth_api::{
    ApiError, ContextInstances, InstanceDetails, InstanceRef, InstanceSummary, RevisionInfo,
    ServiceVersion,
};
use tauri::State;

use crate::app_state::AppState;

/// The instances of one context: the Services screen asks each context on its own, so a
/// reachable one is painted without waiting for the others. The first call for a context takes
/// the listing asked for while the webview started (see [`crate::startup_listing`]).
#[tauri::command]
pub(crate) async fn list_context_instances(
    state: State<'_, AppState>,
    context: String,
    namespace: Option<String>,
) -> Result<ContextInstances, ApiError> {
    if namespace.is_none()
        && let Some(listing) = state.startup_listings.take(&context)
    {
        return listing.await;
    }
    state
        .api()
        .await?
        .list_context_instances(&context, namespace.as_deref())
        .await
}

/// One instance's status.
#[tauri::command]
pub(crate) async fn instance_status(
    state: State<'_, AppState>,
    instance: InstanceRef,
) -> Result<InstanceSummary, ApiError> {
    state.api().await?.instance_status(&instance).await
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
    state.api().await?.history(
        name.as_deref(),
        context.as_deref(),
        namespace.as_deref(),
        limit.unwrap_or(500),
    )
}

/// One instance's status with its pods, recent events and volumes.
#[tauri::command]
pub(crate) async fn instance_details(
    state: State<'_, AppState>,
    instance: InstanceRef,
) -> Result<InstanceDetails, ApiError> {
    state.api().await?.instance_details(&instance).await
}

/// A service's versions in the catalog, with their in-place upgrade targets.
#[tauri::command]
pub(crate) async fn service_versions(
    state: State<'_, AppState>,
    service: String,
) -> Result<Vec<ServiceVersion>, ApiError> {
    state.api().await?.service_versions(&service)
}
