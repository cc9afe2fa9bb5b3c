//! What every command shares: the opened API (or why it could not be opened) and startup data.

use std::time::Instant;

use berth_api::{Api, ApiError};

/// Tauri managed state. Opening the API can fail (an unreadable data folder, a database from a
/// newer Berth); the window still opens and every command answers with that error, so the UI
/// can say what is wrong instead of the app vanishing.
pub(crate) struct AppState {
    api: Result<Api, ApiError>,
    /// When `main` started, for the startup benchmark.
    pub(crate) started: Instant,
    /// `BERTH_BENCH_STARTUP=1`: report the first paint on stdout and exit.
    pub(crate) bench_startup: bool,
    /// `BERTH_BENCH_STARTUP=idle`: report the first paint on stdout and keep running (the
    /// benchmark then measures idle memory).
    pub(crate) bench_stay: bool,
}

impl AppState {
    /// Opens the API in `BERTH_HOME` or the platform data directory.
    pub(crate) fn open(started: Instant) -> Self {
        let api = Api::open(None);
        match &api {
            Ok(_) => tracing::info!("berth api opened"),
            Err(error) => tracing::error!(?error, "berth api could not be opened"),
        }
        let bench = std::env::var_os("BERTH_BENCH_STARTUP");
        Self {
            api,
            started,
            bench_startup: bench.as_ref().is_some_and(|v| v == "1" || v == "idle"),
            bench_stay: bench.is_some_and(|v| v == "idle"),
        }
    }

    /// The API, or the error that kept it from opening.
    pub(crate) fn api(&self) -> Result<&Api, ApiError> {
        self.api.as_ref().map_err(Clone::clone)
    }
}
