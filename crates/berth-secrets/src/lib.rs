//! Berth's credentials.
//!
//! * [`Sensitive<T>`] wraps a secret value: its `Debug` is redacted, it implements neither
//!   `Display` nor `Serialize` (so it cannot reach a log line, an IPC payload or SQLite by
//!   accident), and its memory is zeroed when dropped.
//! * [`Keyring`] stores secrets in the OS keyring (Secret Service on Linux, Keychain on macOS,
//!   Credential Manager on Windows) through the `keyring` crate, with every platform store compiled
//!   in — never keyring's silent in-memory fallback. Entries live under a per-build namespace
//!   (`dev.berth` for release builds, `dev.berth.debug` for debug builds, or `BERTH_KEYRING_NAMESPACE`),
//!   and every call has a timeout, because a locked keyring can block on an unlock prompt.
//! * [`PreparedSet`] (`Keyring::prepare_set_all`): one Secret Service session opened ahead on its
//!   own thread, over which several secrets are written later — an install opens it first and
//!   writes its credentials while it validates, renders and applies.
//! * From async code, [`Keyring::read`], [`Keyring::read_each`], [`Keyring::write_all`] and
//!   [`Keyring::remove_all`] run the calls on tokio's blocking pool.
#![deny(missing_docs)]

mod async_calls;
mod keyring_store;
mod prepared_set;
mod sensitive;

pub use keyring_store::{Keyring, KeyringStatus};
pub use prepared_set::{Entries, NewSecrets, PreparedSet};
pub use sensitive::Sensitive;

/// Everything that can go wrong with secrets.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SecretsError {
    /// No keyring service answers (on Linux: no Secret Service on the D-Bus session bus).
    #[error(
        "no keyring service is available ({detail}); on Linux, start a Secret Service such as gnome-keyring or KeePassXC"
    )]
    NoService {
        /// What the platform said.
        detail: String,
    },
    /// The keyring is locked and was not unlocked.
    #[error(
        "the keyring is locked; unlock it (for example by logging in to the desktop) and try again"
    )]
    Locked,
    /// There is no secret under this handle.
    #[error("no secret named {handle:?} in the keyring")]
    NotFound {
        /// The handle that was looked up.
        handle: String,
    },
    /// The keyring did not answer in time, typically because it waits for an unlock prompt.
    #[error(
        "the keyring did not answer within {seconds} s; it may be locked and waiting for an unlock prompt"
    )]
    Timeout {
        /// The timeout in force.
        seconds: u64,
    },
    /// The platform keyring failed in another way.
    #[error("the keyring failed: {0}")]
    Platform(String),
}
