//! Commands behind the Catalog and the install/configure form: the catalog, a render preview,
//! a reconfigure diff against what is live, and the target cluster's StorageClasses and
//! namespaces. Each extracts the state, calls one `berth_api::Api` method, returns its error.

use berth_api::{
    ApiError, CatalogList, ErrorCode, ReconfigureInput, ReconfigureResult, RenderInput,
    RenderedManifests, ServiceDetail, StorageClassInfo,
};
use tauri::State;

use crate::app_state::AppState;

/// Every service in the catalog.
#[tauri::command]
pub(crate) async fn catalog_list(state: State<'_, AppState>) -> Result<CatalogList, ApiError> {
    state.api().await?.catalog_list()
}

/// One service with its README, icon and parameter schema.
#[tauri::command]
pub(crate) async fn catalog_show(
    state: State<'_, AppState>,
    id: String,
) -> Result<ServiceDetail, ApiError> {
    state.api().await?.catalog_show(&id)
}

/// Opens a service's upstream homepage in the default browser. The address comes from the
/// catalog, never from the page, so the webview cannot have anything else opened.
#[tauri::command]
pub(crate) async fn open_homepage(state: State<'_, AppState>, id: String) -> Result<(), ApiError> {
    let url = state.api().await?.catalog_show(&id)?.homepage;
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(ApiError::new(
            ErrorCode::InvalidInput,
            format!("the homepage of {id} is not a web address: {url:?}"),
        ));
    }
    open::that_detached(&url).map_err(|e| {
        ApiError::new(
            ErrorCode::Internal,
            format!("cannot open {url} in the browser: {e}"),
        )
    })
}

/// The objects a service with these parameters renders to (credentials as placeholders).
#[tauri::command]
pub(crate) async fn catalog_render(
    state: State<'_, AppState>,
    input: RenderInput,
) -> Result<RenderedManifests, ApiError> {
    state.api().await?.catalog_render(&input)
}

/// What a reconfigure or upgrade would change on the live instance; changes nothing.
#[tauri::command]
pub(crate) async fn preview_reconfigure(
    state: State<'_, AppState>,
    input: ReconfigureInput,
) -> Result<ReconfigureResult, ApiError> {
    let input = ReconfigureInput {
        diff_only: true,
        ..input
    };
    state
        .api()
        .await?
        .reconfigure_instance(&input, &|_| {})
        .await
}

/// The StorageClasses of a context's cluster, the default first.
#[tauri::command]
pub(crate) async fn storage_classes(
    state: State<'_, AppState>,
    context: Option<String>,
) -> Result<Vec<StorageClassInfo>, ApiError> {
    state.api().await?.storage_classes(context.as_deref()).await
}

/// The namespaces of a context's cluster.
#[tauri::command]
pub(crate) async fn list_namespaces(
    state: State<'_, AppState>,
    context: Option<String>,
) -> Result<Vec<String>, ApiError> {
    state.api().await?.namespaces(context.as_deref()).await
}
