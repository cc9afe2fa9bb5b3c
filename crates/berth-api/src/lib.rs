//! The one surface every Berth client uses: the desktop app's Tauri commands and the `berth` CLI
//! call [`Api`] methods and nothing below it.
//!
//! * Data crosses the boundary as DTOs ([`dto`]) that derive `serde` (camelCase) and `ts_rs::TS`;
//!   their TypeScript declarations are committed in `ui/src/ipc/bindings/` and a test fails when
//!   they drift (`BERTH_BLESS=1 cargo test -p berth-api` rewrites them).
//! * Errors cross it as [`ApiError`] `{code, message}` with a closed set of [`ErrorCode`]s, so the
//!   UI branches on the code, never on the text. No secret is ever part of a DTO or an error.
#![deny(missing_docs)]

mod catalog;
mod cluster_facts;
mod context_listing;
mod contexts;
mod credentials;
mod details;
mod instances;
mod local_clusters;
mod local_names;
pub mod operations;
mod recovery;
mod revisions;
mod settings;
mod shell;
mod standby_schedule;
mod standbys;
mod terminal;
mod timestamps;
mod transfers;
pub use catalog::*;
pub use cluster_facts::*;
pub use context_listing::ContextInstances;
pub use contexts::parse_location;
pub use details::{EventInfo, InstanceDetails, PodInfo, VolumeInfo};
pub use instances::*;
pub use recovery::*;
pub use revisions::{RevisionOperation, RevisionStatus};
pub use shell::{ShellInput, ShellSession, ShellTarget};
pub use standby_schedule::{ScheduleEvent, StandbySchedule};
pub use standbys::*;
pub use terminal::{TerminalEvent, TerminalInput, TerminalOpen};
pub use transfers::*;
mod metrics_history;
mod observe;
mod usage;
pub use credentials::*;
pub use local_clusters::*;
pub use local_names::*;
pub use metrics_history::*;
pub use observe::*;
pub use operations::{
    OperationKind, OperationRequest, OperationResult, OperationState, OperationTarget,
    OperationUpdate, Operations,
};
pub use settings::*;
/// Cancels a long stream (`instance_logs` with follow): tokio's own token, re-exported so
/// clients need no extra dependency.
pub use tokio_util::sync::CancellationToken;
pub use usage::*;
pub mod dto;
mod error;

pub use dto::*;
pub use error::{ApiError, ErrorCode};

use std::path::{Path, PathBuf};
use std::sync::Arc;

use berth_secrets::Keyring;
use berth_store::Store;

/// Berth's version, as built.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// An open Berth home: the local store, the keyring and the kubeconfig files in force.
/// Cheap to clone; safe to share between threads.
#[derive(Debug, Clone)]
pub struct Api {
    home: PathBuf,
    store: Arc<Store>,
    keyring: Keyring,
    kubeconfig: Option<Vec<PathBuf>>,
    forwards: Arc<observe::Forwards>,
    usage: Arc<usage::UsageHistory>,
    tool_path: Option<std::ffi::OsString>,
}

impl Api {
    /// Opens the Berth home: `home` when given, else `BERTH_HOME`, else the platform data folder.
    /// Creates the folder and the database on first use and migrates an older database.
    pub fn open(home: Option<&Path>) -> Result<Self, ApiError> {
        let home = berth_store::resolve_home(home).ok_or_else(no_home)?;
        let store = Store::open_in(&home)?;
        Ok(Self {
            home,
            store: Arc::new(store),
            keyring: Keyring::new(),
            kubeconfig: None,
            forwards: Arc::default(),
            usage: Arc::default(),
            tool_path: None,
        })
    }

    /// Uses these kubeconfig files instead of `KUBECONFIG` / `~/.kube/config`.
    pub fn with_kubeconfig(mut self, paths: Vec<PathBuf>) -> Self {
        self.kubeconfig = Some(paths);
        self
    }

    /// Looks for local-cluster tools (`kind`, `k3d`, `minikube`) in these folders (a `PATH`-style
    /// list) instead of `PATH`.
    pub fn with_tool_path(mut self, path: impl Into<std::ffi::OsString>) -> Self {
        self.tool_path = Some(path.into());
        self
    }

    /// Uses this keyring (tests give each their own namespace) instead of the default one.
    pub fn with_keyring(mut self, keyring: Keyring) -> Self {
        self.keyring = keyring;
        self
    }

    /// The Berth home folder in use.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// What the app's About and Settings show: version, home, keyring status, build.
    pub fn app_info(&self) -> AppInfo {
        app_info_for(&self.home, &self.keyring)
    }
}

/// How this Berth was built.
pub fn build_info() -> BuildInfo {
    BuildInfo {
        version: VERSION.to_owned(),
        git_commit: env!("BERTH_GIT_COMMIT").to_owned(),
        build_date: env!("BERTH_BUILD_DATE").to_owned(),
        target: env!("BERTH_TARGET").to_owned(),
        kubernetes_versions: berth_catalog::kube::KUBE_VERSIONS
            .iter()
            .map(|v| (*v).to_owned())
            .collect(),
        catalog_version: berth_catalog::CATALOG_DIGEST.to_owned(),
    }
}

/// [`Api::app_info`] without opening the home: resolves it (`home`, else `BERTH_HOME`, else the
/// platform folder) and asks the keyring, but creates and writes nothing (`berth version`).
pub fn app_info_at(home: Option<&Path>) -> Result<AppInfo, ApiError> {
    let home = berth_store::resolve_home(home).ok_or_else(no_home)?;
    Ok(app_info_for(&home, &Keyring::new()))
}

fn app_info_for(home: &Path, keyring: &Keyring) -> AppInfo {
    let status = keyring.status();
    AppInfo {
        version: VERSION.to_owned(),
        home: home.display().to_string(),
        keyring: KeyringStatus {
            available: status.available,
            backend: status.backend.to_owned(),
            message: status.message,
        },
        build: build_info(),
    }
}

fn no_home() -> ApiError {
    ApiError::new(
        ErrorCode::Store,
        "cannot find a home folder for Berth's data: set BERTH_HOME or pass --home",
    )
}
