//! Where Berth keeps its files.

use std::path::{Path, PathBuf};

/// The database file's name inside the Berth home folder.
pub const DATABASE_FILE: &str = "berth.db";

/// The platform data folder (`~/.local/share/berth` on Linux, `~/Library/Application Support/dev.berth.berth`
/// on macOS, `%APPDATA%\berth\berth\data` on Windows), or `None` when the platform has no home folder.
pub fn default_home() -> Option<PathBuf> {
    directories::ProjectDirs::from("dev", "berth", "berth").map(|dirs| dirs.data_dir().to_owned())
}

/// The Berth home in force: an explicit folder (`--home`), else `BERTH_HOME`, else [`default_home`].
pub fn resolve_home(explicit: Option<&Path>) -> Option<PathBuf> {
    explicit
        .map(Path::to_owned)
        .or_else(|| {
            std::env::var_os("BERTH_HOME")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .or_else(default_home)
}
