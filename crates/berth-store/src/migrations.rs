//! The embedded, ordered schema migrations. Once released, a migration is never edited: a change
//! is a new file appended to [`MIGRATIONS`].

use rusqlite_migration::{M, Migrations};

/// The migration scripts, oldest first. `PRAGMA user_version` holds how many were applied.
pub(crate) const SCRIPTS: &[&str] = &[
    include_str!("../migrations/0001_contexts.sql"),
    include_str!("../migrations/0002_history.sql"),
    include_str!("../migrations/0003_history_recover_adopt.sql"),
    include_str!("../migrations/0004_settings.sql"),
    include_str!("../migrations/0005_transfers.sql"),
    include_str!("../migrations/0006_metric_samples.sql"),
];

/// The newest schema version this binary knows.
pub const SCHEMA_VERSION: usize = SCRIPTS.len();

/// Migrations over the first `n` scripts: all of them in production, fewer in tests that build an
/// older database to upgrade.
pub(crate) fn up_to(n: usize) -> Migrations<'static> {
    Migrations::new(SCRIPTS[..n].iter().map(|sql| M::up(sql)).collect())
}
