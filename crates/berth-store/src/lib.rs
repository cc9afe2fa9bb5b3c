//! Berth's local store: one SQLite file in the Berth home folder holding what Berth knows beyond
//! kubeconfig files and clusters — its tags on contexts, the append-only history of operations,
//! the journal of transfers between clusters, recent CPU/memory samples per pod and the desktop
//! app's preferences.
//!
//! Opening a [`Store`] applies the embedded migrations (in one transaction) and refuses a database
//! written by a newer Berth ([`StoreError::TooNew`]) instead of damaging it. The file runs in WAL
//! mode with a busy timeout, so the desktop app and the CLI can use one home at the same time.
//! Opening and migrating happen under an exclusive file lock (`berth.db.lock`), so processes or
//! threads opening a brand-new home at once do not race on the migrations.
//!
//! Durability: WAL with `synchronous = NORMAL`. A commit is in the WAL file (the OS's page cache)
//! before the call returns, so it survives the process being killed (`kill -9` in the middle of
//! an install: `berth recover` finds the `pending` revision); only a power loss can take the last
//! commits back, never corrupt the file. The WAL is not checkpointed and deleted when a process
//! closes its connection (`SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE`): with the default, every short CLI
//! process paid four `fsync`s (creating the WAL again and syncing its header and folder on its
//! first write, then checkpointing on exit), 20-60 ms of an install. SQLite's automatic
//! checkpoint (every 1000 WAL pages) keeps the WAL small instead, and the next process reads the
//! committed transactions from it as usual.
//!
//! Libraries: `rusqlite` (bundled SQLite, so every platform gets the same engine) and
//! `rusqlite_migration` (migrations tracked in `PRAGMA user_version`, no bookkeeping table).
#![deny(missing_docs)]

mod contexts;
mod error;
mod home;
mod metric_samples;
mod migrations;
mod open_lock;
pub mod read_only;
#[macro_use]
mod revisions;
mod settings;
mod time_fmt;
mod transfers;

pub use contexts::ContextRecord;
pub use error::{Result, StoreError};
pub use home::{DATABASE_FILE, default_home, resolve_home};
pub use metric_samples::{MAX_SAMPLES_PER_INSTANCE, MetricSample, MetricScope, RETENTION_SECS};
pub use migrations::SCHEMA_VERSION;
pub use revisions::{NewRevision, Operation, Revision, RevisionStatus};
pub use transfers::{
    NewTransfer, StepStatus, Transfer, TransferKind, TransferStatus, TransferStep, TransferUpdate,
};

use rusqlite::Connection;
use rusqlite::config::DbConfig;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// How long a writer waits for another process's write to finish before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The open local database. Cheap to share behind an `Arc`; calls are serialised internally.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (creating when missing) `berth.db` in the `home` folder and brings its schema up to date.
    #[tracing::instrument(level = "debug")]
    pub fn open_in(home: &Path) -> Result<Self> {
        std::fs::create_dir_all(home).map_err(|source| StoreError::CreateDir {
            path: home.to_owned(),
            source,
        })?;
        Self::open(&home.join(DATABASE_FILE))
    }

    /// Opens (creating when missing) the database file at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_at_version(path, SCHEMA_VERSION)
    }

    /// Opens the database migrated to `version` only: tests use it to build older databases.
    #[doc(hidden)]
    pub fn open_at_version(path: &Path, version: usize) -> Result<Self> {
        let open_err = |source| StoreError::Open {
            path: path.to_owned(),
            source,
        };
        // held until the schema is up to date: see `open_lock`
        let _open_lock = open_lock::acquire(path, BUSY_TIMEOUT)?;
        let mut conn = Connection::open(path).map_err(open_err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        // no checkpoint when the last connection closes: see the crate docs ("Durability")
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)
            .map_err(open_err)?;

        let found: usize = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(open_err)?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path: path.to_owned(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        if version > 0 {
            // the write lock from the first statement: an older Berth without the open lock
            // migrating at the same time then waits (busy timeout) instead of interleaving
            conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
            let migrated = migrations::up_to(version).to_latest(&mut conn);
            conn.set_transaction_behavior(rusqlite::TransactionBehavior::Deferred);
            migrated.map_err(|source| StoreError::Migrate {
                path: path.to_owned(),
                source,
            })?;
        }
        tracing::debug!(path = %path.display(), from = found, to = version, "store open");
        Ok(Self {
            path: path.to_owned(),
            conn: Mutex::new(conn),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<usize> {
        Ok(self
            .conn()
            .pragma_query_value(None, "user_version", |row| row.get(0))?)
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (statements are atomic),
        // so a poisoned lock is safe to reuse.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
