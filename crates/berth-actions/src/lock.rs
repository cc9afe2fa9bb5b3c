//! One mutating operation per instance at a time, across processes (the app and the CLI on one
//! Berth home): an exclusive OS file lock per instance in `<home>/locks/`. The OS releases it
//! when the process ends, however it ends, so a lock is never stale; a `pending` revision whose
//! lock is free therefore belongs to an operation that was interrupted.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use berth_store::{Revision, Store};

use crate::{ActionError, Config};

/// Held while an operation changes an instance; dropping it releases the lock.
#[derive(Debug)]
pub struct InstanceLock {
    _file: File,
}

/// The lock file of one instance.
pub fn lock_path(home: &Path, context: &str, namespace: &str, instance: &str) -> PathBuf {
    let safe = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    home.join("locks").join(format!(
        "{}__{}__{}.lock",
        safe(context),
        safe(namespace),
        safe(instance)
    ))
}

fn home_of(store: &Store) -> PathBuf {
    store
        .path()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn open(path: &Path) -> Result<File, ActionError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| ActionError::Lock(format!("cannot create {}: {e}", dir.display())))?;
    }
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| ActionError::Lock(format!("cannot open {}: {e}", path.display())))
}

/// Takes the instance's lock, or fails at once when another operation holds it.
pub(crate) fn acquire(
    cfg: &Config,
    namespace: &str,
    instance: &str,
) -> Result<InstanceLock, ActionError> {
    let path = lock_path(&home_of(&cfg.store), cfg.context(), namespace, instance);
    let file = open(&path)?;
    match file.try_lock() {
        Ok(()) => Ok(InstanceLock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(ActionError::Conflict(format!(
            "another Berth process (the app or a CLI) is changing {instance} in {}/{namespace} right now; \
             try again when it has finished (`berth history {instance}` shows it)",
            cfg.context()
        ))),
        Err(TryLockError::Error(e)) => Err(ActionError::Lock(format!(
            "cannot lock {}: {e}",
            path.display()
        ))),
    }
}

/// The error [`interrupted`] records on a revision whose process ended before it finished.
pub const INTERRUPTED: &str = "interrupted: the Berth process ended before the operation finished; \
                               the instance may be half changed (`berth recover NAME` resumes it, `--rollback` undoes it)";

/// The error of a revision whose operation stopped before it finished while its process lived
/// on (cancelled, or its future dropped).
pub const ABANDONED: &str = "interrupted: the operation stopped before it finished; the instance \
                             may be half changed (`berth recover NAME` resumes it, `--rollback` undoes it)";

/// True when `revision` failed because its operation stopped before it finished (its process
/// ended, marked by [`interrupted`], or it was cancelled), as opposed to an error the operation
/// itself met.
pub fn was_interrupted(revision: &Revision) -> bool {
    revision.status == berth_store::RevisionStatus::Failed
        && matches!(revision.error.as_deref(), Some(INTERRUPTED | ABANDONED))
}

/// Finds `pending` revisions whose operation no longer runs (its process ended before it
/// finished), marks them `failed` as interrupted and returns them.
pub fn interrupted(store: &Store) -> Result<Vec<Revision>, ActionError> {
    let home = home_of(store);
    let mut found = Vec::new();
    for r in store.pending_revisions()? {
        let path = lock_path(&home, &r.context, &r.namespace, &r.instance);
        let Ok(file) = open(&path) else { continue };
        if file.try_lock().is_ok() {
            // another process may have finished or marked it meanwhile
            if let Ok(done) = store.finish_revision(r.id, Err(INTERRUPTED)) {
                found.push(done);
            }
        }
    }
    Ok(found)
}
