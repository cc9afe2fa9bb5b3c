//! The Terminal tab's commands: a session per id the UI picks, its output pushed through a
//! `tauri::ipc::Channel`, keystrokes and resizes sent to it by id, closed by id or when its
//! window goes away (see `berth_api::Api::run_terminal`).

use std::collections::HashMap;
use std::sync::Mutex;

use berth_api::{
    ApiError, CancellationToken, ErrorCode, TerminalEvent, TerminalInput, TerminalOpen,
};
use tauri::State;
use tauri::ipc::Channel;
use tokio::sync::mpsc::UnboundedSender;

use crate::app_state::AppState;

/// The open terminal sessions, by the id the UI gave them.
#[derive(Default)]
pub(crate) struct TerminalSessions(
    Mutex<HashMap<String, (UnboundedSender<TerminalInput>, CancellationToken)>>,
);

impl TerminalSessions {
    fn send(&self, id: &str, input: TerminalInput) -> Result<bool, ApiError> {
        let sessions = self
            .0
            .lock()
            .map_err(|_| ApiError::new(ErrorCode::Internal, "terminal sessions table poisoned"))?;
        Ok(sessions
            .get(id)
            .is_some_and(|(tx, _)| tx.send(input).is_ok()))
    }
}

/// Runs a terminal session, pushing its events into `on_event`; resolves with the exit code
/// when the command ends (none when it was closed first).
#[tauri::command]
pub(crate) async fn open_terminal(
    state: State<'_, AppState>,
    sessions: State<'_, TerminalSessions>,
    session_id: String,
    open: TerminalOpen,
    on_event: Channel<TerminalEvent>,
) -> Result<Option<i32>, ApiError> {
    let api = state.api().await?.clone();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let cancel = CancellationToken::new();
    sessions
        .0
        .lock()
        .map_err(|_| ApiError::new(ErrorCode::Internal, "terminal sessions table poisoned"))?
        .insert(session_id.clone(), (tx, cancel.clone()));
    let sink = {
        let gone = cancel.clone();
        move |event: TerminalEvent| {
            if let Err(e) = on_event.send(event) {
                // the webview reloaded or the tab closed: nobody reads this terminal any more
                tracing::debug!("the terminal is gone, closing its session: {e}");
                gone.cancel();
            }
        }
    };
    let result = api.run_terminal(&open, rx, &sink, cancel).await;
    if let Ok(mut s) = sessions.0.lock() {
        s.remove(&session_id);
    }
    result
}

/// Sends keystrokes or pasted text; `false` when the session has ended.
#[tauri::command]
pub(crate) async fn terminal_input(
    sessions: State<'_, TerminalSessions>,
    session_id: String,
    data: String,
) -> Result<bool, ApiError> {
    sessions.send(&session_id, TerminalInput::Data(data.into_bytes()))
}

/// Tells the session its terminal's new size.
#[tauri::command]
pub(crate) async fn terminal_resize(
    sessions: State<'_, TerminalSessions>,
    session_id: String,
    cols: u16,
    rows: u16,
) -> Result<bool, ApiError> {
    sessions.send(&session_id, TerminalInput::Resize(cols, rows))
}

/// Closes a session (its remote command is ended with the exec stream); `false` when it had
/// already ended.
#[tauri::command]
pub(crate) async fn close_terminal(
    sessions: State<'_, TerminalSessions>,
    session_id: String,
) -> Result<bool, ApiError> {
    let entry = sessions
        .0
        .lock()
        .map_err(|_| ApiError::new(ErrorCode::Internal, "terminal sessions table poisoned"))?
        .remove(&session_id);
    Ok(entry.map(|(_, cancel)| cancel.cancel()).is_some())
}
