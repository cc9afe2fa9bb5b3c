//! What every command shares: the opened API (or why it could not be opened) and startup data.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use berth_api::{Api, ApiError, ErrorCode};
use tokio::sync::OnceCell;

use crate::startup_listing::StartupListings;

/// Tauri managed state. Opening the API can fail (an unreadable data folder, a database from a
/// newer Berth); the window still opens and every command answers with that error, so the UI
/// can say what is wrong instead of the app vanishing.
///
/// The API is opened in the background (creating and migrating the database is file IO the first
/// frame does not need): [`AppState::open`] starts it on a blocking thread and returns at once, so
/// the window and webview are created meanwhile; a command that arrives first waits for it.
pub(crate) struct AppState {
    api: Arc<OnceCell<Result<Api, ApiError>>>,
    /// When `main` started, for the startup benchmark.
    pub(crate) started: Instant,
    /// Milliseconds from `main` to each startup step, for the log and the startup benchmark.
    pub(crate) steps: StartupSteps,
    /// `BERTH_BENCH_STARTUP=1`: report the first paint on stdout and exit.
    pub(crate) bench_startup: bool,
    /// The home screen's listings, asked for while the webview starts.
    pub(crate) startup_listings: StartupListings,
    /// `BERTH_BENCH_STARTUP=idle`: report the first paint on stdout and keep running (the
    /// benchmark then measures idle memory).
    pub(crate) bench_stay: bool,
}

impl AppState {
    /// Starts opening the API in `BERTH_HOME` or the platform data directory, in the background.
    pub(crate) fn open(started: Instant) -> Self {
        let api = Arc::new(OnceCell::new());
        let cell = api.clone();
        let steps = StartupSteps::default();
        let api_opened = steps.api_opened.clone();
        let startup_listings = StartupListings::default();
        let listings = startup_listings.clone();
        tauri::async_runtime::spawn(async move {
            cell.get_or_init(|| open_api(started)).await;
            let _ = api_opened.set(ms_since(started));
            listings.start(cell).await;
        });
        let bench = std::env::var_os("BERTH_BENCH_STARTUP");
        Self {
            api,
            started,
            steps,
            startup_listings,
            bench_startup: bench.as_ref().is_some_and(|v| v == "1" || v == "idle"),
            bench_stay: bench.is_some_and(|v| v == "idle"),
        }
    }

    /// The API (waiting until it is open), or the error that kept it from opening.
    pub(crate) async fn api(&self) -> Result<&Api, ApiError> {
        self.api
            .get_or_init(|| open_api(self.started))
            .await
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// Opens the API on a blocking thread (SQLite file IO and migrations) and logs how long it took.
async fn open_api(started: Instant) -> Result<Api, ApiError> {
    let opened = tauri::async_runtime::spawn_blocking(|| Api::open(None))
        .await
        .unwrap_or_else(|e| {
            Err(ApiError::new(
                ErrorCode::Internal,
                format!("opening Berth's data stopped: {e}"),
            ))
        });
    let ms = ms_since(started);
    match &opened {
        Ok(_) => tracing::info!(since_main_ms = ms, "berth api opened"),
        Err(error) => tracing::error!(?error, "berth api could not be opened"),
    }
    opened
}

/// Milliseconds since `started`.
pub(crate) fn ms_since(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

/// When (ms after `main`) each startup step was done; unset until it is.
#[derive(Default)]
pub(crate) struct StartupSteps {
    /// Tauri's set-up hook ran: the event loop exists, the window is being created.
    pub(crate) setup: OnceLock<f64>,
    /// The webview started loading the UI (navigation start).
    pub(crate) navigation: OnceLock<f64>,
    /// The API (store, keyring handle) is open, in the background.
    pub(crate) api_opened: Arc<OnceLock<f64>>,
}

impl StartupSteps {
    /// `setup_ms=... navigation_ms=... api_ms=...` (`-1` for a step not done yet).
    pub(crate) fn line(&self) -> String {
        let ms = |cell: &OnceLock<f64>| cell.get().copied().unwrap_or(-1.0);
        format!(
            "setup_ms={:.1} navigation_ms={:.1} api_ms={:.1}",
            ms(&self.setup),
            ms(&self.navigation),
            ms(&self.api_opened)
        )
    }
}
