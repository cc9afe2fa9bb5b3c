//! Berth's desktop app: a Tauri v2 window around the React UI in `ui/`.
//!
//! The shell is deliberately thin. It opens `berth_api::Api` once (the same surface the CLI
//! uses), keeps it in Tauri's managed state, and exposes one command per API method; each
//! command extracts the state, calls one method and returns its `ApiError` as `{code, message}`.
//! The commands are declared once in [`command_list`]; the webview may call only these
//! (see `capabilities/default.json`, which the build writes from that list), runs under a
//! strict CSP and loads no remote content (see `tauri.conf.json`). Long operations (install,
//! stop, start...) run in the background through `berth_api::Operations`; every update is
//! emitted as the `berth://operation` event, which the webview may listen to; moves and copies
//! and standbys emit theirs as `berth://transfer` ([`transfer_commands`], [`standby_commands`]).
//!
//! Environment: `BERTH_HOME` picks the data folder (else the platform data directory),
//! `KUBECONFIG` the kubeconfig files, `RUST_LOG` the log filter (default `info`), and
//! `BERTH_BENCH_STARTUP=1` makes the app print `BERTH_FIRST_PAINT process_ms=... webview_ms=...
//! setup_ms=... navigation_ms=... api_ms=...` on stdout once the Services screen is interactive
//! and then exit (used by `scripts/bench-desktop.sh`); with `BERTH_BENCH_STARTUP=idle` it prints the
//! line and keeps running (idle memory is measured).
//!
//! Without a GPU (no `/dev/dri/renderD*`) the webview draws without WebKit's compositing
//! ([`rendering`]).
//!
//! Startup: only what the first frame needs runs before the window. The API (SQLite open and
//! migrations, the keyring handle) opens on a blocking thread while GTK and WebKit start
//! ([`app_state::AppState`]); once it is open the Services screen's data is asked for in the
//! background ([`startup_listing`]), so the UI finds it ready; the catalog is read only when a
//! command asks.
//! Each step is logged (`RUST_LOG=info`) with its time since `main()`.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// Every Berth command the webview may call, declared once.
///
/// `berth_commands!(callback)` hands the list, as `module::command` paths, to a macro: `main.rs`
/// turns it into the invoke handler, `build.rs` (which `include!`s this file) into Tauri's
/// `allow-<command>` permissions and the capability file `capabilities/default.json`, and a test
/// checks that file and the TypeScript command names in `ui/src/ipc/commands.ts` against it.
#[macro_use]
mod command_list;
mod app_state;
mod catalog_commands;
mod commands;
mod credentials_commands;
mod instances;
mod observe;
mod operations;
mod rendering;
mod settings_commands;
mod standby_commands;
mod standby_schedule;
mod startup_listing;
mod terminal_commands;
mod transfer_commands;
mod usage_commands;

use std::process::ExitCode;
use std::time::Instant;

use app_state::AppState;
use tauri::Manager;

/// What can stop the desktop app.
#[derive(Debug, thiserror::Error)]
enum DesktopError {
    /// The window or webview could not be created or the event loop failed.
    #[error("the desktop shell failed: {0}")]
    Tauri(#[from] tauri::Error),
}

/// The invoke handler of every command in [`command_list`].
macro_rules! handler {
    ($($module:ident :: $command:ident),* $(,)?) => {
        tauri::generate_handler![$($module::$command),*]
    };
}

fn run(started: Instant, compositing: rendering::Compositing) -> Result<(), DesktopError> {
    tauri::Builder::default()
        .manage(AppState::open(started))
        .setup(move |app| {
            let ms = app_state::ms_since(started);
            let _ = app.state::<AppState>().steps.setup.set(ms);
            tracing::info!(since_main_ms = ms, "tauri set up, creating the window");
            for window in app.webview_windows().values() {
                rendering::apply(window, compositing);
            }
            standby_schedule::spawn(app.handle().clone());
            Ok(())
        })
        .on_page_load(move |webview, payload| {
            if payload.event() == tauri::webview::PageLoadEvent::Started {
                let ms = app_state::ms_since(started);
                if webview.state::<AppState>().steps.navigation.set(ms).is_ok() {
                    tracing::info!(since_main_ms = ms, url = %payload.url(), "webview navigation started");
                }
            }
        })
        .manage(observe::LogStreams::default())
        .manage(terminal_commands::TerminalSessions::default())
        .manage(berth_api::Operations::new())
        .manage(transfer_commands::TransferRuns::default())
        .invoke_handler(berth_commands!(handler))
        .run(tauri::generate_context!())?;
    Ok(())
}

fn main() -> ExitCode {
    let started = Instant::now();
    let compositing = rendering::choose();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    tracing::info!(?compositing, "webview rendering");
    match run(started, compositing) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "berth-desktop stopped");
            ExitCode::FAILURE
        }
    }
}
