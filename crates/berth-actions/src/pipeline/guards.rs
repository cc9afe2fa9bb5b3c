//! Guards that undo or close what a mutating action started when it does not finish.
//!
//! Dropping a guard before it was finished (an error returned with `?`, a panic, the action's
//! future dropped by a cancelled caller) does what an explicit failure would: the revision is
//! marked failed, early credentials are removed.

use berth_secrets::{Keyring, NewSecrets, SecretsError};
use berth_store::{NewRevision, Revision, Store};

use crate::{ActionError, Config};

/// The error a revision gets when its action ended without saying how.
use crate::lock::ABANDONED;

/// A `pending` revision that is marked failed unless [`RevisionGuard::finish`] gives it its
/// outcome.
#[derive(Debug)]
pub(crate) struct RevisionGuard<'a> {
    store: &'a Store,
    revision: Revision,
    finished: bool,
}

impl<'a> RevisionGuard<'a> {
    /// Writes the `pending` revision.
    pub(crate) fn begin(cfg: &'a Config, new: &NewRevision<'_>) -> Result<Self, ActionError> {
        let revision = cfg.store.begin_revision(new)?;
        Ok(Self {
            store: &cfg.store,
            revision,
            finished: false,
        })
    }

    /// The revision number.
    pub(crate) fn number(&self) -> u32 {
        self.revision.revision
    }

    /// The revision's history row.
    pub(crate) fn id(&self) -> i64 {
        self.revision.id
    }

    /// Leaves the revision `pending` for the caller to finish later (a transfer finishes its
    /// target's revision at the cut-over).
    pub(crate) fn leave_pending(mut self) {
        self.finished = true;
    }

    /// Records the action's outcome: succeeded, or failed with the error's message.
    pub(crate) fn finish<T>(self, result: &Result<T, ActionError>) -> Result<(), ActionError> {
        let message = result.as_ref().err().map(ToString::to_string);
        self.finish_with(message.as_deref().map_or(Ok(()), Err))
    }

    /// Records an outcome with a message of the caller's.
    pub(crate) fn finish_with(mut self, outcome: Result<(), &str>) -> Result<(), ActionError> {
        self.finished = true;
        self.store.finish_revision(self.revision.id, outcome)?;
        Ok(())
    }
}

impl Drop for RevisionGuard<'_> {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        tracing::warn!(
            revision = self.revision.revision,
            "the operation stopped before it finished; its revision is marked failed"
        );
        if let Err(err) = self.store.finish_revision(self.revision.id, Err(ABANDONED)) {
            tracing::warn!(%err, "could not mark an abandoned revision failed");
        }
    }
}

/// A keyring write still under way.
#[derive(Debug)]
enum Write {
    /// A store-if-new whose answer says whether it stored anything.
    Early(NewSecrets),
    /// Any other write on a blocking thread.
    Task(tokio::task::JoinHandle<Result<(), SecretsError>>),
}

/// Credentials written before the checks have passed: removed again unless the action reached
/// the point where they are in use ([`CredentialsGuard::commit`]).
#[derive(Debug)]
pub(crate) struct CredentialsGuard {
    keyring: Keyring,
    /// The handles this action wrote (or is writing) that belong to no one else yet.
    owned: Vec<String>,
    write: Option<Write>,
    committed: bool,
}

impl CredentialsGuard {
    /// Nothing written yet.
    pub(crate) fn new(keyring: Keyring) -> Self {
        Self {
            keyring,
            owned: Vec::new(),
            write: None,
            committed: false,
        }
    }

    /// A store-if-new under way: what it stores (if it does) is this action's.
    pub(crate) fn early(keyring: Keyring, write: NewSecrets) -> Self {
        let mut guard = Self::new(keyring);
        guard.write = Some(Write::Early(write));
        guard
    }

    /// Waits for a store-if-new under way; whether it stored the credentials.
    pub(crate) async fn settle(&mut self) -> Result<bool, ActionError> {
        let Some(early) = self.take_early() else {
            return Ok(false);
        };
        let handles = early.handles().to_vec();
        let stored = early.stored().await?;
        if stored {
            self.owned.extend(handles);
        }
        Ok(stored)
    }

    /// Takes a store-if-new under way, for a write of the caller's that waits for it first.
    pub(crate) fn take_early(&mut self) -> Option<NewSecrets> {
        match self.write.take() {
            Some(Write::Early(early)) => Some(early),
            other => {
                self.write = other;
                None
            }
        }
    }

    /// A write under way on a blocking thread; `owned` are the handles it creates that are
    /// removed if the action stops before it commits.
    pub(crate) fn writing(
        &mut self,
        task: tokio::task::JoinHandle<Result<(), SecretsError>>,
        owned: Vec<String>,
    ) {
        self.write = Some(Write::Task(task));
        self.owned = owned;
    }

    /// The credentials are in use now: they stay whatever happens next. Returns the write still
    /// under way, whose outcome the caller awaits.
    pub(crate) fn commit(mut self) -> Option<tokio::task::JoinHandle<Result<(), SecretsError>>> {
        self.committed = true;
        match self.write.take() {
            Some(Write::Task(task)) => Some(task),
            Some(Write::Early(early)) => {
                Some(tokio::task::spawn_blocking(move || early.wait().map(drop)))
            }
            None => None,
        }
    }

    /// Removes what this action wrote (after the write under way, if any, ended).
    pub(crate) async fn discard(mut self) {
        self.committed = true;
        let (keyring, owned, write) = (
            self.keyring.clone(),
            std::mem::take(&mut self.owned),
            self.write.take(),
        );
        remove(keyring, owned, write).await;
    }
}

impl Drop for CredentialsGuard {
    fn drop(&mut self) {
        if self.committed || (self.owned.is_empty() && self.write.is_none()) {
            return;
        }
        let (keyring, owned, write) = (
            self.keyring.clone(),
            std::mem::take(&mut self.owned),
            self.write.take(),
        );
        // the removal needs the write's answer: it finishes on the runtime, not in `drop`
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(remove(keyring, owned, write));
            }
            Err(_) => tracing::warn!(
                "credentials written by an unfinished operation could not be removed"
            ),
        }
    }
}

/// Waits for `write`, then deletes `owned` and what an early write stored.
async fn remove(keyring: Keyring, mut owned: Vec<String>, write: Option<Write>) {
    match write {
        Some(Write::Early(early)) => {
            let handles = early.handles().to_vec();
            if let Ok(true) = early.stored().await {
                owned.extend(handles);
            }
        }
        Some(Write::Task(task)) => {
            let _ = task.await;
        }
        None => {}
    }
    if owned.is_empty() {
        return;
    }
    if let Err(err) = keyring.remove_all(owned).await {
        tracing::warn!(%err, "could not remove a credential of an operation that stopped");
    }
}
