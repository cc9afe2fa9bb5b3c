//! The desktop app's preferences: theme, default namespace and extra catalog folders, kept in
//! the local store (one row per key, JSON values) so they survive restarts and updates.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Api, ApiError, ErrorCode};

/// The colour theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Theme {
    /// Follow the operating system.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

/// What the Settings screen edits.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct AppSettings {
    /// The colour theme.
    pub theme: Theme,
    /// The namespace the install form proposes (else the context's own).
    pub default_namespace: Option<String>,
    /// Catalog folders loaded after the built-in catalog (and `BERTH_CATALOG_PATH`).
    pub catalog_folders: Vec<String>,
    /// While the desktop app runs, sync each standby whose data is older than this many
    /// minutes (as `berth standby watch --every` does); off when unset.
    pub standby_sync_minutes: Option<u32>,
}

/// The longest standby schedule the settings take: a week.
pub const MAX_STANDBY_SYNC_MINUTES: u32 = 7 * 24 * 60;

const THEME: &str = "theme";
const DEFAULT_NAMESPACE: &str = "defaultNamespace";
const CATALOG_FOLDERS: &str = "catalogFolders";
const STANDBY_SYNC_MINUTES: &str = "standbySyncMinutes";

/// Whether `name` is a valid Kubernetes namespace name (an RFC 1123 label).
pub(crate) fn is_namespace_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

impl Api {
    /// The stored preferences; defaults for what was never set (or cannot be read back).
    #[tracing::instrument(level = "debug", skip(self))]
    pub fn settings(&self) -> Result<AppSettings, ApiError> {
        let mut settings = AppSettings::default();
        for (key, value) in self.store.settings()? {
            let parsed = match key.as_str() {
                THEME => serde_json::from_str(&value).map(|v| settings.theme = v),
                DEFAULT_NAMESPACE => {
                    serde_json::from_str(&value).map(|v| settings.default_namespace = v)
                }
                CATALOG_FOLDERS => {
                    serde_json::from_str(&value).map(|v| settings.catalog_folders = v)
                }
                STANDBY_SYNC_MINUTES => {
                    serde_json::from_str(&value).map(|v| settings.standby_sync_minutes = v)
                }
                _ => Ok(()),
            };
            if let Err(error) = parsed {
                tracing::warn!(key, %error, "ignoring an unreadable setting");
            }
        }
        Ok(settings)
    }

    /// Validates and stores the preferences; returns what is now in force.
    #[tracing::instrument(level = "debug", skip(self))]
    pub fn set_settings(&self, settings: &AppSettings) -> Result<AppSettings, ApiError> {
        let namespace = settings
            .default_namespace
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        if let Some(ns) = namespace
            && !is_namespace_name(ns)
        {
            return Err(ApiError::new(
                ErrorCode::InvalidInput,
                format!(
                    "{ns:?} is not a valid namespace name: use lower-case letters, digits and '-', at most 63, starting and ending with a letter or digit"
                ),
            ));
        }
        if let Some(m) = settings.standby_sync_minutes
            && !(1..=MAX_STANDBY_SYNC_MINUTES).contains(&m)
        {
            return Err(ApiError::new(
                ErrorCode::InvalidInput,
                format!(
                    "a standby sync every {m} minutes is out of range: from 1 minute to {MAX_STANDBY_SYNC_MINUTES} (a week)"
                ),
            ));
        }
        let mut folders: Vec<String> = Vec::new();
        for folder in &settings.catalog_folders {
            let folder = folder.trim();
            if folder.is_empty() || folders.iter().any(|f| f == folder) {
                continue;
            }
            let path = std::path::Path::new(folder);
            if !path.is_absolute() || !path.is_dir() {
                return Err(ApiError::new(
                    ErrorCode::InvalidInput,
                    format!("{folder} is not a folder: give the absolute path of a catalog folder"),
                ));
            }
            folders.push(folder.to_owned());
        }
        self.store
            .set_setting(THEME, Some(&json(&settings.theme)))?;
        self.store.set_setting(
            DEFAULT_NAMESPACE,
            namespace.map(|n| json(&n.to_owned())).as_deref(),
        )?;
        self.store
            .set_setting(CATALOG_FOLDERS, Some(&json(&folders)))?;
        self.store.set_setting(
            STANDBY_SYNC_MINUTES,
            settings.standby_sync_minutes.map(|m| json(&m)).as_deref(),
        )?;
        self.settings()
    }

    /// The extra catalog folders from the settings (none when they cannot be read).
    pub(crate) fn settings_catalog_folders(&self) -> Vec<std::path::PathBuf> {
        match self.store.setting(CATALOG_FOLDERS) {
            Ok(Some(text)) => serde_json::from_str::<Vec<String>>(&text)
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// A setting's stored text (these types always serialise).
fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}
