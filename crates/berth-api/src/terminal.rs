//! An interactive terminal in a pod of an instance, for the desktop app's Terminal tab: the
//! same session as `berth shell` (a shell, or the engine's client with `client`), with a
//! terminal, driven by messages instead of this process's stdin and stdout.
//!
//! [`Api::run_terminal`] opens the session, reports [`TerminalEvent`]s to a sink (what the pod
//! prints, as text cut on character boundaries; how it ended) and takes [`TerminalInput`]
//! (keystrokes, a new size) from a channel, until the command exits, the input side is dropped
//! or the session is cancelled; the exec stream is closed then, so no remote process is left
//! attached.

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc::UnboundedReceiver;
use ts_rs::TS;

use crate::{Api, ApiError, CancellationToken, InstanceRef, ShellInput};

/// What to open.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct TerminalOpen {
    /// The instance.
    pub instance: InstanceRef,
    /// The engine's own client (its definition's `operations.client`) instead of a shell.
    pub client: bool,
    /// The pod (default: the client's, else the first running pod).
    pub pod: Option<String>,
    /// The container (default: the pod's first).
    pub container: Option<String>,
    /// The terminal's width in columns.
    pub cols: u16,
    /// The terminal's height in rows.
    pub rows: u16,
}

/// What the user does in the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TerminalInput {
    /// Keystrokes or pasted text.
    Data(Vec<u8>),
    /// The terminal's new size (columns, rows).
    Resize(u16, u16),
}

/// What happens in a terminal session.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum TerminalEvent {
    /// The command runs.
    Opened {
        /// The pod.
        pod: String,
        /// The container, when one was named.
        container: Option<String>,
        /// The command.
        command: Vec<String>,
    },
    /// What the command printed.
    Output {
        /// The text (whole characters: a character cut between two reads waits for the rest).
        data: String,
    },
    /// The command ended.
    Exited {
        /// Its exit code; none when the stream ended without one (a cut connection).
        code: Option<i32>,
    },
}

/// Turns chunks of bytes into text without splitting a UTF-8 character between two chunks.
#[derive(Debug, Default)]
pub(crate) struct Utf8Chunks {
    carry: Vec<u8>,
}

impl Utf8Chunks {
    /// The text `bytes` complete; an incomplete character at the end waits for the next chunk
    /// (invalid bytes become U+FFFD).
    pub(crate) fn push(&mut self, bytes: &[u8]) -> String {
        self.carry.extend_from_slice(bytes);
        let complete = match std::str::from_utf8(&self.carry) {
            Ok(_) => self.carry.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => self.carry.len(),
        };
        let rest = self.carry.split_off(complete);
        let text = String::from_utf8_lossy(&self.carry).into_owned();
        self.carry = rest;
        text
    }
}

impl Api {
    /// Runs a terminal session until the command exits, `input` is closed or `cancel` fires;
    /// the exit code when the command ended on its own.
    #[tracing::instrument(level = "debug", skip(self, input, sink, cancel), fields(instance = %open.instance.name))]
    pub async fn run_terminal(
        &self,
        open: &TerminalOpen,
        mut input: UnboundedReceiver<TerminalInput>,
        sink: &(dyn Fn(TerminalEvent) + Send + Sync),
        cancel: CancellationToken,
    ) -> Result<Option<i32>, ApiError> {
        let shell = ShellInput {
            client: open.client,
            pod: open.pod.clone(),
            container: open.container.clone(),
            command: Vec::new(),
            tty: true,
        };
        let mut session = self.open_shell(&open.instance, &shell).await?;
        sink(TerminalEvent::Opened {
            pod: session.target.pod.clone(),
            container: session.target.container.clone(),
            command: session.target.command.clone(),
        });
        if open.cols > 0 && open.rows > 0 {
            session.resize(open.cols, open.rows).await;
        }
        let mut stdin = session.stdin();
        let mut stdout = session.stdout();
        let mut text = Utf8Chunks::default();
        let mut buffer = vec![0u8; 16 * 1024];
        loop {
            tokio::select! {
                () = cancel.cancelled() => return Ok(None),
                read = async {
                    match stdout.as_mut() {
                        Some(out) => out.read(&mut buffer).await,
                        None => Ok(0),
                    }
                } => match read {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let data = text.push(&buffer[..n]);
                        if !data.is_empty() {
                            sink(TerminalEvent::Output { data });
                        }
                    }
                },
                message = input.recv() => match message {
                    Some(TerminalInput::Data(bytes)) => {
                        if let Some(w) = stdin.as_mut()
                            && (w.write_all(&bytes).await.is_err() || w.flush().await.is_err())
                        {
                            break;
                        }
                    }
                    Some(TerminalInput::Resize(cols, rows)) => session.resize(cols, rows).await,
                    // the window went away: end the session
                    None => return Ok(None),
                },
            }
        }
        drop((stdin, stdout));
        let code = tokio::select! {
            () = cancel.cancelled() => None,
            code = session.exit_code() => code,
        };
        sink(TerminalEvent::Exited { code });
        Ok(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_cut_between_reads_are_kept_whole() {
        let mut t = Utf8Chunks::default();
        let bytes = "héllo → wörld".as_bytes();
        let mut out = String::new();
        for b in bytes {
            out.push_str(&t.push(std::slice::from_ref(b)));
        }
        assert_eq!(out, "héllo → wörld");
        // an invalid byte does not hold the stream back
        assert_eq!(t.push(&[0xff, b'a']), "\u{fffd}a");
    }
}
