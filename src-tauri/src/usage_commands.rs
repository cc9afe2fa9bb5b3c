//! Commands of the Services screen's sparklines and the users list's Reveal button.

use berth_api::{ApiError, RevealCredentialInput, UsageInput, UsageSeries};
use tauri::State;

use crate::app_state::AppState;

/// The recent CPU and memory of every instance on screen, in one call (the screen polls it).
#[tauri::command]
pub(crate) async fn instance_usage(
    state: State<'_, AppState>,
    input: UsageInput,
) -> Result<Vec<UsageSeries>, ApiError> {
    state.api().await?.instance_usage(&input).await
}

/// One extra user's generated password: only on the user's "Reveal".
#[tauri::command]
pub(crate) async fn reveal_credential(
    state: State<'_, AppState>,
    input: RevealCredentialInput,
) -> Result<String, ApiError> {
    state.api().await?.reveal_credential(&input).await
}
