//! The keyring from async code: each call runs on tokio's blocking pool, so a keyring waiting
//! for an unlock prompt (up to the timeout) never holds up the runtime's worker threads.

use crate::{Keyring, NewSecrets, SecretsError, Sensitive};

impl Keyring {
    /// [`Keyring::get`] off the async runtime.
    pub async fn read(&self, handle: &str) -> Result<Sensitive<String>, SecretsError> {
        let (keyring, handle) = (self.clone(), handle.to_owned());
        off_runtime(move || keyring.get(&handle)).await?
    }

    /// [`Keyring::get`] of several handles at once, each with its own outcome, in order.
    pub async fn read_each(
        &self,
        handles: Vec<String>,
    ) -> Result<Vec<(String, Result<Sensitive<String>, SecretsError>)>, SecretsError> {
        let keyring = self.clone();
        off_runtime(move || {
            handles
                .into_iter()
                .map(|handle| {
                    let value = keyring.get(&handle);
                    (handle, value)
                })
                .collect()
        })
        .await
    }

    /// [`Keyring::set_all`] off the async runtime.
    pub async fn write_all(
        &self,
        entries: Vec<(String, Sensitive<String>)>,
    ) -> Result<(), SecretsError> {
        let keyring = self.clone();
        off_runtime(move || keyring.set_all(&entries)).await?
    }

    /// [`Keyring::delete`] of every handle, off the async runtime; an absent one is not an
    /// error. Stops at the first failure.
    pub async fn remove_all(&self, handles: Vec<String>) -> Result<(), SecretsError> {
        let keyring = self.clone();
        off_runtime(move || {
            handles
                .iter()
                .try_for_each(|handle| keyring.delete(handle).map(drop))
        })
        .await?
    }
}

impl NewSecrets {
    /// [`NewSecrets::wait`] off the async runtime: whether the write stored the entries.
    pub async fn stored(self) -> Result<bool, SecretsError> {
        off_runtime(move || self.wait()).await?
    }
}

/// Runs a blocking keyring call on the blocking pool.
pub(crate) async fn off_runtime<T: Send + 'static>(
    call: impl FnOnce() -> T + Send + 'static,
) -> Result<T, SecretsError> {
    tokio::task::spawn_blocking(call)
        .await
        .map_err(|e| SecretsError::Platform(format!("a keyring call did not finish: {e}")))
}
