//! The Tauri commands: each extracts the state, calls one `berth_api::Api` method and returns
//! its error as `{code, message}`. They are `async` so none runs on (and blocks) the UI thread.

use berth_api::{ApiError, AppInfo, ContextInfo, ContextList, ContextProbe, Location};
use tauri::{AppHandle, State};

use crate::app_state::AppState;

/// Every kubeconfig context with Berth's tags (no network).
#[tauri::command]
pub(crate) async fn list_contexts(state: State<'_, AppState>) -> Result<ContextList, ApiError> {
    state.api().await?.list_contexts().await
}

/// Probes one context's API server.
#[tauri::command]
pub(crate) async fn probe_context(
    state: State<'_, AppState>,
    name: String,
) -> Result<ContextProbe, ApiError> {
    state.api().await?.probe_context(&name).await
}

/// Overrides a context's location; `null` goes back to the inferred one.
#[tauri::command]
pub(crate) async fn set_context_location(
    state: State<'_, AppState>,
    name: String,
    location: Option<Location>,
) -> Result<ContextInfo, ApiError> {
    state.api().await?.set_context_location(&name, location)
}

/// Marks or unmarks a context as a favourite.
#[tauri::command]
pub(crate) async fn set_context_favourite(
    state: State<'_, AppState>,
    name: String,
    favourite: bool,
) -> Result<ContextInfo, ApiError> {
    state.api().await?.set_context_favourite(&name, favourite)
}

/// Version, data folder and keyring status.
#[tauri::command]
pub(crate) async fn app_info(state: State<'_, AppState>) -> Result<AppInfo, ApiError> {
    Ok(state.api().await?.app_info())
}

/// The UI calls this once the home screen (Services) is painted with its list, with its startup
/// marks (ms since navigation of each step: entry script, context list, first listing, frame).
/// Logged always; with `BERTH_BENCH_STARTUP=1` also printed on stdout for the benchmark, which
/// then closes the app.
#[tauri::command]
pub(crate) async fn report_first_paint(
    app: AppHandle,
    state: State<'_, AppState>,
    ms: f64,
    marks: Option<std::collections::HashMap<String, f64>>,
) -> Result<(), ApiError> {
    let process_ms = crate::app_state::ms_since(state.started);
    let steps = state.steps.line();
    let mut marks: Vec<(String, f64)> = marks.unwrap_or_default().into_iter().collect();
    marks.sort_by(|a, b| a.1.total_cmp(&b.1));
    let marks = marks
        .iter()
        .map(|(name, ms)| format!("{name}:{ms:.0}"))
        .collect::<Vec<_>>()
        .join(",");
    tracing::info!(process_ms, webview_ms = ms, steps, marks, "first paint");
    if state.bench_startup {
        println!(
            "BERTH_FIRST_PAINT process_ms={process_ms:.1} webview_ms={ms:.1} {steps} marks={marks}"
        );
        if !state.bench_stay {
            app.exit(0);
        }
    }
    Ok(())
}
