//! A write of several secrets whose keyring connection is opened before the secrets are known.
//!
//! On Linux a `keyring::Entry::set_password` opens two D-Bus connections, each with its own
//! encrypted Secret Service session (a Diffie-Hellman key exchange on both sides), searches, and
//! only then creates the item: 30-60 ms per credential on an idle machine, more under load, and
//! the longest step of an install. [`Keyring::prepare_set_all`] opens **one** connection and
//! session on its own thread at once, while the caller still validates and renders; the secrets
//! handed to [`PreparedSet::set_all`] then cost only a search and a create (or an update) each
//! over that session. [`PreparedSet::store_if_new`] even starts writing before the caller knows
//! it may: it stores only when none of the handles holds an item yet, so nothing is overwritten,
//! and the caller removes what it stored if it then gives up. Items are written exactly as the `keyring` crate writes them (same
//! attributes, default collection), so `Keyring::get`/`delete` find them.
//!
//! This uses `dbus-secret-service`, the crate the `keyring` crate itself drives on Linux (same
//! version, already in the dependency graph). Elsewhere (macOS, Windows) the write is simply
//! [`Keyring::set_all`] when the secrets arrive.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::{Keyring, SecretsError, Sensitive};

/// Secrets to store: keyring handle and value.
pub type Entries = Vec<(String, Sensitive<String>)>;

/// A keyring write under way: the connection opens now, the secrets come later.
#[derive(Debug)]
pub struct PreparedSet {
    keyring: Keyring,
    #[cfg(target_os = "linux")]
    session: linux::Session,
}

/// A [`PreparedSet::store_if_new`] under way.
#[derive(Debug)]
pub struct NewSecrets {
    handles: Vec<String>,
    answer: Option<mpsc::Receiver<Result<bool, SecretsError>>>,
    deadline: Instant,
    timeout: Duration,
}

impl NewSecrets {
    /// The handles it stores.
    pub fn handles(&self) -> &[String] {
        &self.handles
    }

    /// Waits (at most the keyring's timeout from the start) for whether the secrets were stored
    /// (`true`), or not because a handle already held an item (`false`).
    pub fn wait(self) -> Result<bool, SecretsError> {
        let Some(answer) = self.answer else {
            return Ok(false);
        };
        match answer.recv_timeout(self.deadline.saturating_duration_since(Instant::now())) {
            Ok(result) => result,
            Err(mpsc::RecvTimeoutError::Timeout) => Err(SecretsError::Timeout {
                seconds: self.timeout.as_secs().max(1),
            }),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(SecretsError::Platform(
                "the keyring thread ended without an answer".into(),
            )),
        }
    }
}

impl Keyring {
    /// Starts opening a keyring session for a [`PreparedSet::set_all`] that follows. Nothing is
    /// written (and no unlock prompt shown) until then; dropping it unused just closes the
    /// connection.
    pub fn prepare_set_all(&self) -> PreparedSet {
        PreparedSet {
            keyring: self.clone(),
            #[cfg(target_os = "linux")]
            session: linux::Session::open(self.namespace.clone()),
        }
    }
}

impl PreparedSet {
    /// Starts storing `entries` now, but only if the keyring holds none of their handles yet:
    /// nothing is ever overwritten. Returns at once; [`NewSecrets::wait`] tells whether they were
    /// stored. (Where the session is not prepared ahead, on macOS and Windows, nothing is stored
    /// and the answer is `false`.)
    pub fn store_if_new(&self, entries: Entries) -> NewSecrets {
        let timeout = self.keyring.timeout;
        let handles = entries.iter().map(|(handle, _)| handle.clone()).collect();
        #[cfg(target_os = "linux")]
        let answer = Some(self.session.store_if_new(entries));
        #[cfg(not(target_os = "linux"))]
        let answer = {
            drop(entries);
            None
        };
        NewSecrets {
            handles,
            answer,
            deadline: Instant::now() + timeout,
            timeout,
        }
    }

    /// Stores every secret (replacing what was there), waiting at most the keyring's timeout
    /// from now. The first failure is returned; the secrets stored before it stay stored.
    #[tracing::instrument(level = "debug", skip_all, fields(namespace = %self.keyring.namespace, count = entries.len()))]
    pub fn set_all(self, entries: Entries) -> Result<(), SecretsError> {
        #[cfg(target_os = "linux")]
        {
            self.session.set_all(entries, self.keyring.timeout)
        }
        #[cfg(not(target_os = "linux"))]
        {
            self.keyring.set_all(&entries)
        }
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::collections::HashMap;
    use std::sync::mpsc;
    use std::time::Duration;

    use dbus_secret_service::{EncryptionType, Error, Item, SecretService};

    use super::Entries;
    use crate::SecretsError;

    /// What the session thread is asked to do.
    enum Command {
        /// Store every entry unless a handle already holds an item; answer whether it stored.
        StoreIfNew(Entries, mpsc::SyncSender<Result<bool, SecretsError>>),
        /// Store every entry, replacing existing items.
        SetAll(Entries, mpsc::SyncSender<Result<(), SecretsError>>),
    }

    /// The session thread: connected at once, writing when the secrets arrive.
    #[derive(Debug)]
    pub(super) struct Session {
        commands: mpsc::Sender<Command>,
    }

    impl std::fmt::Debug for Command {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("Command")
        }
    }

    impl Session {
        pub(super) fn open(namespace: String) -> Self {
            let (commands, incoming) = mpsc::channel::<Command>();
            // if the thread cannot start, the commands find the channel closed and say so
            let _ = std::thread::Builder::new()
                .name("berth-keyring".into())
                .spawn(move || {
                    // the same session type the keyring crate uses with its crypto feature
                    let service = SecretService::connect(EncryptionType::Dh).map_err(classify);
                    tracing::debug!(ok = service.is_ok(), "keyring: session open");
                    for command in incoming {
                        match command {
                            Command::StoreIfNew(entries, answer) => {
                                let result = match &service {
                                    Ok(service) => store_if_new(service, &namespace, &entries),
                                    Err(e) => Err(e.clone()),
                                };
                                tracing::debug!(stored = ?result.as_ref().ok(), "keyring: new credentials written");
                                let _ = answer.send(result);
                            }
                            Command::SetAll(entries, answer) => {
                                let result = match &service {
                                    Ok(service) => set_all(service, &namespace, &entries),
                                    Err(e) => Err(e.clone()),
                                };
                                let _ = answer.send(result);
                            }
                        }
                    }
                });
            Self { commands }
        }

        pub(super) fn store_if_new(
            &self,
            entries: Entries,
        ) -> mpsc::Receiver<Result<bool, SecretsError>> {
            let (answer, receiver) = mpsc::sync_channel(1);
            if let Err(mpsc::SendError(Command::StoreIfNew(_, answer))) =
                self.commands.send(Command::StoreIfNew(entries, answer))
            {
                let _ = answer.send(Err(thread_gone()));
            }
            receiver
        }

        pub(super) fn set_all(
            self,
            entries: Entries,
            timeout: Duration,
        ) -> Result<(), SecretsError> {
            if entries.is_empty() {
                return Ok(());
            }
            let (answer, receiver) = mpsc::sync_channel(1);
            if self
                .commands
                .send(Command::SetAll(entries, answer))
                .is_err()
            {
                return Err(thread_gone());
            }
            match receiver.recv_timeout(timeout) {
                Ok(result) => result,
                Err(mpsc::RecvTimeoutError::Timeout) => Err(SecretsError::Timeout {
                    seconds: timeout.as_secs().max(1),
                }),
                Err(mpsc::RecvTimeoutError::Disconnected) => Err(thread_gone()),
            }
        }
    }

    fn thread_gone() -> SecretsError {
        SecretsError::Platform("the keyring thread ended without an answer".into())
    }

    /// The items under one handle, as `keyring::Entry::new(namespace, handle)` finds them.
    fn find<'a>(
        service: &'a SecretService,
        namespace: &str,
        handle: &str,
    ) -> Result<Vec<Item<'a>>, SecretsError> {
        let search = HashMap::from([
            ("target", "default"),
            ("service", namespace),
            ("username", handle),
        ]);
        let found = service.search_items(search).map_err(classify)?;
        Ok(found.unlocked.into_iter().chain(found.locked).collect())
    }

    fn store_if_new(
        service: &SecretService,
        namespace: &str,
        entries: &Entries,
    ) -> Result<bool, SecretsError> {
        for (handle, _) in entries {
            if !find(service, namespace, handle)?.is_empty() {
                return Ok(false);
            }
        }
        // none exists: created without searching for each again
        write_all(service, namespace, entries, |_| Ok(Vec::new()))?;
        Ok(true)
    }

    /// Sets each secret as `keyring::Entry::new(namespace, handle).set_password` does: the one
    /// item with the entry's attributes is updated, else one is created in the default
    /// collection.
    fn set_all(
        service: &SecretService,
        namespace: &str,
        entries: &Entries,
    ) -> Result<(), SecretsError> {
        write_all(service, namespace, entries, |handle| {
            find(service, namespace, handle)
        })
    }

    /// Writes each secret into the items `existing` finds under its handle (one is updated, none
    /// means one is created).
    fn write_all<'a>(
        service: &'a SecretService,
        namespace: &str,
        entries: &Entries,
        existing: impl Fn(&str) -> Result<Vec<Item<'a>>, SecretsError>,
    ) -> Result<(), SecretsError> {
        // looked up once, unlocked (which may prompt) only when an item must be created
        let default = service.get_default_collection();
        let mut unlocked = false;
        for (handle, secret) in entries {
            let items = existing(handle)?;
            match items.as_slice() {
                [item] => {
                    item.ensure_unlocked().map_err(classify)?;
                    item.set_secret(secret.expose().as_bytes(), "text/plain")
                        .map_err(classify)?;
                }
                [] => {
                    let collection = default.as_ref().map_err(|e| {
                        SecretsError::Platform(format!("no default keyring collection: {e}"))
                    })?;
                    if !unlocked {
                        collection.ensure_unlocked().map_err(classify)?;
                        unlocked = true;
                    }
                    let attributes = HashMap::from([
                        ("target", "default"),
                        ("service", namespace),
                        ("username", handle.as_str()),
                        ("application", "rust-keyring"),
                    ]);
                    let label = format!("{handle}@{namespace}:default (berth)");
                    collection
                        .create_item(
                            &label,
                            attributes,
                            secret.expose().as_bytes(),
                            true,
                            "text/plain",
                        )
                        .map_err(classify)?;
                }
                _ => {
                    return Err(SecretsError::Platform(format!(
                        "several keyring items are named {handle:?}; remove all but one"
                    )));
                }
            }
        }
        Ok(())
    }

    fn classify(err: Error) -> SecretsError {
        match err {
            Error::Locked | Error::Prompt => SecretsError::Locked,
            Error::Dbus(_) | Error::Unavailable => SecretsError::NoService {
                detail: err.to_string(),
            },
            other => SecretsError::Platform(other.to_string()),
        }
    }
}
