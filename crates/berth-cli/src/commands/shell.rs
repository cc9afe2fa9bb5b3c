//! `berth shell NAME [--client] [--pod P] [--container C] [-- COMMAND...]`: the container's
//! shell, the engine's client or a command in a pod of the instance, attached to this terminal
//! (raw mode, and the remote terminal follows this one's size) or, when stdin is not a terminal,
//! to the pipes: `echo 'select 1;' | berth shell pg --client`. Berth exits with the command's
//! exit code (returned to `main`, so every destructor runs first).

use std::io::IsTerminal;
use std::process::ExitCode;

use berth_api::{Api, ApiError, ErrorCode, ShellInput};
use tokio::io::AsyncWriteExt;

use crate::cli::Global;
use crate::commands::instance_ref;

/// Puts the terminal into raw mode for as long as it lives.
struct RawMode;

impl RawMode {
    fn enter() -> Result<Self, ApiError> {
        crossterm::terminal::enable_raw_mode().map_err(|e| {
            ApiError::new(
                ErrorCode::Internal,
                format!("cannot put the terminal into raw mode: {e}"),
            )
        })?;
        Ok(Self)
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

pub(crate) async fn run(
    api: &Api,
    global: &Global,
    name: &str,
    mut input: ShellInput,
) -> Result<ExitCode, ApiError> {
    input.tty = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let mut session = api.open_shell(&instance_ref(global, name), &input).await?;
    let raw = if input.tty {
        Some(RawMode::enter()?)
    } else {
        None
    };
    if input.tty
        && let Ok((w, h)) = crossterm::terminal::size()
    {
        session.resize(w, h).await;
    }
    let mut remote_in = session.stdin();
    let mut remote_out = session.stdout();
    let mut remote_err = session.stderr();
    {
        // this side's input: copied until it ends, then the remote input is closed
        let stdin_done = async {
            if let Some(w) = remote_in.as_mut() {
                let _ = tokio::io::copy(&mut tokio::io::stdin(), w).await;
                let _ = w.shutdown().await;
            }
            std::future::pending::<()>().await;
        };
        let output = async {
            let out = async {
                if let Some(r) = remote_out.as_mut() {
                    let _ = tokio::io::copy(r, &mut tokio::io::stdout()).await;
                }
            };
            let err = async {
                if let Some(r) = remote_err.as_mut() {
                    let _ = tokio::io::copy(r, &mut tokio::io::stderr()).await;
                }
            };
            futures::join!(out, err);
        };
        let resizes = follow_resizes(input.tty);
        tokio::pin!(resizes);
        tokio::pin!(output);
        tokio::pin!(stdin_done);
        loop {
            tokio::select! {
                () = &mut output => break,
                () = &mut stdin_done => {}
                size = &mut resizes => {
                    if let Some((w, h)) = size {
                        session.resize(w, h).await;
                    }
                    resizes.set(follow_resizes(input.tty));
                }
            }
        }
    }
    drop((remote_in, remote_out, remote_err));
    let code = session.exit_code().await;
    drop(raw);
    let _ = tokio::io::stdout().flush().await;
    match code {
        // exit codes past 255 do not come through a shell: report them as a failure
        Some(code) => Ok(ExitCode::from(u8::try_from(code).unwrap_or(1))),
        None => Err(ApiError::new(
            ErrorCode::Cluster,
            "the connection to the pod ended without the command's exit status",
        )),
    }
}

/// The terminal's new size after the next SIGWINCH (never without a terminal).
async fn follow_resizes(tty: bool) -> Option<(u16, u16)> {
    #[cfg(unix)]
    if tty
        && let Ok(mut winch) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::window_change())
    {
        winch.recv().await;
        return crossterm::terminal::size().ok();
    }
    let _ = tty;
    std::future::pending().await
}
