//! Commands of the Instance Logs, Connect and Metrics panels: a log stream pushed through a
//! `tauri::ipc::Channel` in batches (stopped by id), port-forward sessions, metrics samples
//! and their stored history.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use berth_api::{
    ApiError, CancellationToken, ErrorCode, InstanceLogLine, InstanceMetrics, InstanceRef,
    LogsInput, MetricsHistory, MetricsHistoryInput, PortForwardInput, PortForwardSession,
};
use tauri::State;
use tauri::ipc::Channel;

use crate::app_state::AppState;

/// How often buffered log lines are pushed to the webview: one message per batch, not per line,
/// so a burst of thousands of lines costs a few IPC messages.
const FLUSH_EVERY: Duration = Duration::from_millis(100);

/// The running log streams, by the id the UI gave them.
#[derive(Default)]
pub(crate) struct LogStreams(Mutex<HashMap<String, CancellationToken>>);

/// Streams an instance's logs into `on_lines` (batches of lines) until it ends or
/// `stop_instance_logs(stream_id)`; resolves when the stream is over.
#[tauri::command]
pub(crate) async fn instance_logs(
    state: State<'_, AppState>,
    streams: State<'_, LogStreams>,
    stream_id: String,
    input: LogsInput,
    on_lines: Channel<Vec<InstanceLogLine>>,
) -> Result<(), ApiError> {
    let api = state.api().await?.clone();
    let cancel = CancellationToken::new();
    streams
        .0
        .lock()
        .map_err(|_| ApiError::new(ErrorCode::Internal, "log streams table poisoned"))?
        .insert(stream_id.clone(), cancel.clone());
    let buffer: Arc<Mutex<Vec<InstanceLogLine>>> = Arc::default();
    let flush = {
        let (buffer, channel, gone) = (buffer.clone(), on_lines.clone(), cancel.clone());
        move || {
            let batch = std::mem::take(&mut *buffer.lock().unwrap_or_else(|e| e.into_inner()));
            if !batch.is_empty()
                && let Err(e) = channel.send(batch)
            {
                // the webview reloaded or closed the panel: nobody reads this stream any more
                tracing::debug!("the log panel is gone, stopping its stream: {e}");
                gone.cancel();
            }
        }
    };
    let flusher = {
        let (flush, done) = (flush.clone(), cancel.clone());
        // tauri's async runtime is tokio, so tokio's timer works here
        tauri::async_runtime::spawn(async move {
            loop {
                tokio::select! {
                    _ = done.cancelled() => return,
                    _ = tokio::time::sleep(FLUSH_EVERY) => flush(),
                }
            }
        })
    };
    let sink = {
        let buffer = buffer.clone();
        move |line: InstanceLogLine| {
            buffer.lock().unwrap_or_else(|e| e.into_inner()).push(line);
        }
    };
    let result = api.instance_logs(&input, &sink, cancel.clone()).await;
    cancel.cancel();
    let _ = flusher.await;
    flush();
    if let Ok(mut s) = streams.0.lock() {
        s.remove(&stream_id);
    }
    result
}

/// Stops a log stream; `false` when it had already ended.
#[tauri::command]
pub(crate) async fn stop_instance_logs(
    streams: State<'_, LogStreams>,
    stream_id: String,
) -> Result<bool, ApiError> {
    let token = streams
        .0
        .lock()
        .map_err(|_| ApiError::new(ErrorCode::Internal, "log streams table poisoned"))?
        .remove(&stream_id);
    Ok(token.map(|t| t.cancel()).is_some())
}

/// Opens a port-forward to an instance's client Service.
#[tauri::command]
pub(crate) async fn start_port_forward(
    state: State<'_, AppState>,
    input: PortForwardInput,
) -> Result<PortForwardSession, ApiError> {
    state.api().await?.start_port_forward(&input).await
}

/// Closes a port-forward session.
#[tauri::command]
pub(crate) async fn stop_port_forward(
    state: State<'_, AppState>,
    id: String,
) -> Result<bool, ApiError> {
    state.api().await?.stop_port_forward(&id).await
}

/// The open port-forward sessions.
#[tauri::command]
pub(crate) async fn port_forwards(
    state: State<'_, AppState>,
) -> Result<Vec<PortForwardSession>, ApiError> {
    Ok(state.api().await?.port_forwards())
}

/// The connection URI of a session with its password: only on the user's "Reveal".
#[tauri::command]
pub(crate) async fn reveal_connection_uri(
    state: State<'_, AppState>,
    id: String,
) -> Result<String, ApiError> {
    state.api().await?.reveal_connection_uri(&id).await
}

/// A CPU and memory sample per pod, or why there is none.
#[tauri::command]
pub(crate) async fn instance_metrics(
    state: State<'_, AppState>,
    instance: InstanceRef,
) -> Result<InstanceMetrics, ApiError> {
    state.api().await?.instance_metrics(&instance).await
}

/// The stored samples per pod over a range, with each pod's requests and limits.
#[tauri::command]
pub(crate) async fn metrics_history(
    state: State<'_, AppState>,
    input: MetricsHistoryInput,
) -> Result<MetricsHistory, ApiError> {
    state.api().await?.metrics_history(&input).await
}
