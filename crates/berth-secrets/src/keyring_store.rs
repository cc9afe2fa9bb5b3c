//! The OS keyring behind a timeout.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::{SecretsError, Sensitive};

/// The default time a keyring call may take before Berth gives up on it.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The handle used to check that the keyring answers.
const STATUS_PROBE: &str = "berth-keyring-status-probe";

/// Access to the OS keyring under one namespace (the keyring "service" attribute).
#[derive(Debug, Clone)]
pub struct Keyring {
    pub(crate) namespace: String,
    pub(crate) timeout: Duration,
}

/// Whether the keyring can be used, for the app's Settings and `berth version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyringStatus {
    /// A keyring answered.
    pub available: bool,
    /// The platform store Berth uses (`secret-service`, `keychain`, `credential-manager`).
    pub backend: &'static str,
    /// The namespace Berth's entries live under.
    pub namespace: String,
    /// Why it is not available.
    pub message: Option<String>,
}

impl Default for Keyring {
    fn default() -> Self {
        Self::new()
    }
}

impl Keyring {
    /// The keyring under this build's namespace: `BERTH_KEYRING_NAMESPACE` when set, else
    /// `dev.berth` for a release build and `dev.berth.debug` for a debug build, so a development
    /// build never reads or overwrites a release build's entries.
    pub fn new() -> Self {
        let namespace = std::env::var("BERTH_KEYRING_NAMESPACE")
            .ok()
            .filter(|ns| !ns.trim().is_empty())
            .unwrap_or_else(|| {
                if cfg!(debug_assertions) {
                    "dev.berth.debug"
                } else {
                    "dev.berth"
                }
                .to_owned()
            });
        Self::with_namespace(namespace)
    }

    /// The keyring under an explicit namespace.
    pub fn with_namespace(namespace: impl Into<String>) -> Self {
        Self {
            namespace: namespace.into(),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// The same keyring with another per-call timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The namespace entries live under.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Stores `secret` under `handle`, replacing what was there.
    #[tracing::instrument(level = "debug", skip(self, secret), fields(namespace = %self.namespace))]
    pub fn set(&self, handle: &str, secret: &Sensitive<String>) -> Result<(), SecretsError> {
        let value = Sensitive::new(secret.expose().clone());
        self.call(handle, move |entry| entry.set_password(value.expose()))
    }

    /// The secret stored under `handle`.
    #[tracing::instrument(level = "debug", skip(self), fields(namespace = %self.namespace))]
    pub fn get(&self, handle: &str) -> Result<Sensitive<String>, SecretsError> {
        self.call(handle, |entry| entry.get_password().map(Sensitive::new))
    }

    /// Removes the secret under `handle`; `Ok(false)` when there was none.
    #[tracing::instrument(level = "debug", skip(self), fields(namespace = %self.namespace))]
    pub fn delete(&self, handle: &str) -> Result<bool, SecretsError> {
        match self.call(handle, |entry| entry.delete_credential()) {
            Ok(()) => Ok(true),
            Err(SecretsError::NotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Whether a keyring answers, without storing anything.
    pub fn status(&self) -> KeyringStatus {
        let outcome = match self.get(STATUS_PROBE) {
            Ok(_) | Err(SecretsError::NotFound { .. }) => None,
            Err(e) => Some(e.to_string()),
        };
        KeyringStatus {
            available: outcome.is_none(),
            backend: backend_name(),
            namespace: self.namespace.clone(),
            message: outcome,
        }
    }

    /// Stores several secrets at once, each call on its own thread (and so its own Secret
    /// Service connection): storing an instance's credentials then takes about as long as one
    /// call instead of one call per credential. Every call gets the same timeout; the first
    /// failure (in `entries` order) is returned, and the calls that succeeded stay stored.
    #[tracing::instrument(level = "debug", skip_all, fields(namespace = %self.namespace, count = entries.len()))]
    pub fn set_all(&self, entries: &[(String, Sensitive<String>)]) -> Result<(), SecretsError> {
        let deadline = Instant::now() + self.timeout;
        let started = entries
            .iter()
            .map(|(handle, secret)| {
                let value = Sensitive::new(secret.expose().clone());
                self.start(handle, move |entry| entry.set_password(value.expose()))
                    .map(|rx| (handle, rx))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut first_error = None;
        for (handle, rx) in started {
            if let Err(e) = self.finish(rx, handle, deadline) {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Runs one keyring call on its own thread and waits at most the timeout for it. A call that
    /// times out is left to finish on its thread (keyring calls cannot be cancelled).
    fn call<T: Send + 'static>(
        &self,
        handle: &str,
        op: impl FnOnce(&keyring::Entry) -> keyring::Result<T> + Send + 'static,
    ) -> Result<T, SecretsError> {
        let deadline = Instant::now() + self.timeout;
        let rx = self.start(handle, op)?;
        self.finish(rx, handle, deadline)
    }

    /// Starts one keyring call on its own thread.
    fn start<T: Send + 'static>(
        &self,
        handle: &str,
        op: impl FnOnce(&keyring::Entry) -> keyring::Result<T> + Send + 'static,
    ) -> Result<mpsc::Receiver<keyring::Result<T>>, SecretsError> {
        let (tx, rx) = mpsc::sync_channel(1);
        let namespace = self.namespace.clone();
        let user = handle.to_owned();
        std::thread::Builder::new()
            .name("berth-keyring".into())
            .spawn(move || {
                let result = keyring::Entry::new(&namespace, &user).and_then(|entry| op(&entry));
                let _ = tx.send(result);
            })
            .map_err(|e| SecretsError::Platform(format!("cannot start a keyring thread: {e}")))?;
        Ok(rx)
    }

    /// Waits for a started call until `deadline`.
    fn finish<T>(
        &self,
        rx: mpsc::Receiver<keyring::Result<T>>,
        handle: &str,
        deadline: Instant,
    ) -> Result<T, SecretsError> {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(result) => result.map_err(|e| classify(e, handle)),
            Err(_) => Err(SecretsError::Timeout {
                seconds: self.timeout.as_secs().max(1),
            }),
        }
    }
}

fn classify(err: keyring::Error, handle: &str) -> SecretsError {
    match err {
        keyring::Error::NoEntry => SecretsError::NotFound {
            handle: handle.to_owned(),
        },
        keyring::Error::NoStorageAccess(inner) => {
            let detail = inner.to_string();
            if detail.to_lowercase().contains("locked") {
                SecretsError::Locked
            } else {
                SecretsError::NoService { detail }
            }
        }
        keyring::Error::PlatformFailure(inner) => {
            let detail = inner.to_string();
            let lower = detail.to_lowercase();
            if lower.contains("locked") {
                SecretsError::Locked
            } else if lower.contains("dbus")
                || lower.contains("d-bus")
                || lower.contains("secret service")
            {
                SecretsError::NoService { detail }
            } else {
                SecretsError::Platform(detail)
            }
        }
        other => SecretsError::Platform(other.to_string()),
    }
}

fn backend_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "keychain"
    } else if cfg!(target_os = "windows") {
        "credential-manager"
    } else {
        "secret-service"
    }
}
