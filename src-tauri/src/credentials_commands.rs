//! The Credentials card's commands: an instance's credentials (values only on Reveal) and a
//! rotation with its progress pushed through a `tauri::ipc::Channel`.

use berth_api::{
    ApiError, CredentialInfo, InstanceRef, ProgressEvent, RotateCredentialInput,
    RotateCredentialResult,
};
use tauri::State;
use tauri::ipc::Channel;

use crate::app_state::AppState;

/// The credentials Berth keeps for an instance; values only when `reveal` (the user asked).
#[tauri::command]
pub(crate) async fn instance_credentials(
    state: State<'_, AppState>,
    instance: InstanceRef,
    reveal: bool,
) -> Result<Vec<CredentialInfo>, ApiError> {
    state.api().await?.credentials(&instance, reveal).await
}

/// Rotates one credential (engine, keyring, Secret, then the pods restart); resolves when the
/// pods are ready again. The result never carries the new value.
#[tauri::command]
pub(crate) async fn rotate_credential(
    state: State<'_, AppState>,
    input: RotateCredentialInput,
    on_progress: Channel<ProgressEvent>,
) -> Result<RotateCredentialResult, ApiError> {
    let api = state.api().await?.clone();
    let progress = move |event: ProgressEvent| {
        // a closed window no longer follows it; the rotation goes on
        let _ = on_progress.send(event);
    };
    api.rotate_credential(&input, &progress).await
}
