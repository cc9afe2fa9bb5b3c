//! A write of several secrets whose keyring connection is opened before the secrets are known.
//!
//! On Linux a `keyring::Entry::set_password` opens two D-Bus connections, each with its own
//! encrypted Secret Service session (a Diffie-Hellman key exchange on both sides), searches, and
//! only then creates the item: 30-60 ms per credential on an idle machine, more under load, and
//! the longest step of an install. [`Keyring::prepare_set_all`] opens **one** connection and
//! session on its own thread at once, while the caller still validates and renders; the secrets
//! handed to [`PreparedSet::set_all`] then cost only a search and a create (or an update) each
//! over that session. Items are written exactly as the `keyring` crate writes them (same
//! attributes, default collection), so `Keyring::get`/`delete` find them.
//!
//! This uses `dbus-secret-service`, the crate the `keyring` crate itself drives on Linux (same
//! version, already in the dependency graph). Elsewhere (macOS, Windows) the write is simply
//! [`Keyring::set_all`] when the secrets arrive.

use crate::{Keyring, SecretsError, Sensitive};

/// Secrets to store: keyring handle and value.
type Entries = Vec<(String, Sensitive<String>)>;

/// A keyring write under way: the connection opens now, the secrets come later.
#[derive(Debug)]
pub struct PreparedSet {
    keyring: Keyring,
    #[cfg(target_os = "linux")]
    session: linux::Session,
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
    /// Stores every secret (replacing what was there), waiting at most the keyring's timeout
    /// from now. The first failure is returned; the secrets stored before it stay stored.
    #[tracing::instrument(level = "debug", skip_all, fields(namespace = %self.keyring.namespace, count = entries.len()))]
    pub fn set_all(self, entries: Entries) -> Result<(), SecretsError> {
        #[cfg(target_os = "linux")]
        {
            self.session.write(entries, self.keyring.timeout)
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

    use dbus_secret_service::{EncryptionType, Error, SecretService};

    use super::Entries;
    use crate::SecretsError;

    /// The session thread: connected at once, writing when the secrets arrive.
    #[derive(Debug)]
    pub(super) struct Session {
        secrets: mpsc::SyncSender<Entries>,
        done: mpsc::Receiver<Result<(), SecretsError>>,
    }

    impl Session {
        pub(super) fn open(namespace: String) -> Self {
            let (secrets, incoming) = mpsc::sync_channel::<Entries>(1);
            let (outcome, done) = mpsc::sync_channel(1);
            let spawned = std::thread::Builder::new()
                .name("berth-keyring".into())
                .spawn(move || {
                    // the same session type the keyring crate uses with its crypto feature
                    let service = SecretService::connect(EncryptionType::Dh);
                    let Ok(entries) = incoming.recv() else {
                        return; // never used
                    };
                    let result = service
                        .map_err(classify)
                        .and_then(|service| write_all(&service, &namespace, &entries));
                    let _ = outcome.send(result);
                });
            if let Err(e) = spawned {
                let (failed, done) = mpsc::sync_channel(1);
                let _ = failed.send(Err(SecretsError::Platform(format!(
                    "cannot start a keyring thread: {e}"
                ))));
                return Self { secrets, done };
            }
            Self { secrets, done }
        }

        pub(super) fn write(self, entries: Entries, timeout: Duration) -> Result<(), SecretsError> {
            if entries.is_empty() {
                return Ok(());
            }
            // a thread that could not start has already left its error
            if self.secrets.send(entries).is_err() {
                return self.done.try_recv().unwrap_or_else(|_| {
                    Err(SecretsError::Platform("the keyring thread ended".into()))
                });
            }
            match self.done.recv_timeout(timeout) {
                Ok(result) => result,
                Err(mpsc::RecvTimeoutError::Timeout) => Err(SecretsError::Timeout {
                    seconds: timeout.as_secs().max(1),
                }),
                Err(mpsc::RecvTimeoutError::Disconnected) => Err(SecretsError::Platform(
                    "the keyring thread ended without an answer".into(),
                )),
            }
        }
    }

    /// Sets each secret as `keyring::Entry::new(namespace, handle).set_password` does: the one
    /// item with the entry's attributes is updated, else one is created in the default
    /// collection.
    fn write_all(
        service: &SecretService,
        namespace: &str,
        entries: &Entries,
    ) -> Result<(), SecretsError> {
        // looked up once, unlocked (which may prompt) only when an item must be created
        let default = service.get_default_collection();
        let mut unlocked = false;
        for (handle, secret) in entries {
            let search = HashMap::from([
                ("target", "default"),
                ("service", namespace),
                ("username", handle.as_str()),
            ]);
            let found = service.search_items(search).map_err(classify)?;
            let mut items = found.unlocked.iter().chain(found.locked.iter());
            match (items.next(), items.next()) {
                (Some(item), None) => {
                    item.ensure_unlocked().map_err(classify)?;
                    item.set_secret(secret.expose().as_bytes(), "text/plain")
                        .map_err(classify)?;
                }
                (Some(_), Some(_)) => {
                    return Err(SecretsError::Platform(format!(
                        "several keyring items are named {handle:?}; remove all but one"
                    )));
                }
                (None, _) => {
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
