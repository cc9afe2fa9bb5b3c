//! The open lock: an exclusive OS file lock (`berth.db.lock` beside the database) held while a
//! connection is set up and migrated.
//!
//! `rusqlite_migration` reads `PRAGMA user_version` before it opens its migration transaction,
//! so two processes opening a brand-new home at once would both see version 0 and the second
//! would fail on "table contexts already exists". SQLite's own locks cannot cover that read and
//! the transaction together, hence this lock. It is `std::fs::File::lock` (`flock` on Unix,
//! `LockFileEx` on Windows): per open file, so threads of one process exclude each other too, and
//! released by the OS when the process ends, so it is never stale.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::{Result, StoreError};

/// How often a waiting opener tries the lock again.
const RETRY_EVERY: Duration = Duration::from_millis(10);

/// Held while a connection is opened and migrated; dropping it releases the lock.
#[derive(Debug)]
pub(crate) struct OpenLock {
    _file: File,
}

/// The lock file of the database at `database`.
pub(crate) fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.file_name().unwrap_or_default().to_owned();
    name.push(".lock");
    database.with_file_name(name)
}

/// Takes the open lock of the database at `database`, waiting at most `timeout` for another
/// opener to finish.
pub(crate) fn acquire(database: &Path, timeout: Duration) -> Result<OpenLock> {
    let path = lock_path(database);
    let io_err = |source| StoreError::OpenLock {
        path: path.clone(),
        source,
    };
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io_err)?;
    let deadline = Instant::now() + timeout;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(OpenLock { _file: file }),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(RETRY_EVERY);
            }
            Err(TryLockError::WouldBlock) => {
                return Err(io_err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!(
                        "another Berth process has held it for more than {} s",
                        timeout.as_secs()
                    ),
                )));
            }
            Err(TryLockError::Error(e)) => return Err(io_err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn a_held_lock_makes_the_next_opener_wait_then_time_out() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("berth.db");
        assert_eq!(super::lock_path(&db), dir.path().join("berth.db.lock"));
        let held = super::acquire(&db, Duration::from_secs(1)).unwrap();
        let err = super::acquire(&db, Duration::from_millis(50)).unwrap_err();
        assert!(err.to_string().contains("berth.db.lock"), "{err}");
        drop(held);
        super::acquire(&db, Duration::from_millis(50)).unwrap();
    }
}
