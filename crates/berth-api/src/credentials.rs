//! Revealing one user's generated password, for the configure form's users list.
//!
//! Secrets never cross the API, with one exception: an explicit user request (the Reveal button,
//! like [`Api::reveal_connection_uri`] for the Connect tab). [`Api::reveal_credential`] is that
//! request for an extra user's password; the value is read from the keyring, returned, and
//! never logged or put into an error.

use serde::Deserialize;
use ts_rs::TS;

use crate::instances::action_error;
use crate::{Api, ApiError, ErrorCode, InstanceRef};

/// Whose password to reveal.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct RevealCredentialInput {
    /// The instance.
    pub instance: InstanceRef,
    /// The extra user (an entry of the instance's `auth.users`).
    pub user: String,
}

impl Api {
    /// The password Berth generated for one extra user of an installed instance, from the
    /// keyring. Only for an explicit user request; `NotFound` when the instance has no such user
    /// or Berth keeps no password for it.
    #[tracing::instrument(skip(self, input), fields(instance = %input.instance.name, user = %input.user))]
    pub async fn reveal_credential(
        &self,
        input: &RevealCredentialInput,
    ) -> Result<String, ApiError> {
        let which = &input.instance;
        let cfg = self.action_config(which.context.as_deref()).await?;
        let ns = which
            .namespace
            .clone()
            .unwrap_or_else(|| cfg.cluster.default_namespace().to_owned());
        let status = berth_actions::status::status(&cfg, &ns, &which.name)
            .await
            .map_err(action_error)?;
        let record = status.record;
        let def = cfg
            .catalog
            .require(&record.definition)
            .map_err(|e| ApiError::new(ErrorCode::NotFound, e.to_string()))?;
        let key = def
            .spec
            .credentials
            .iter()
            .filter(|c| c.per_user)
            .map(|c| format!("{}-{}", c.key, input.user))
            .find(|k| record.credentials.contains(k))
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::NotFound,
                    format!(
                        "{} has no user {:?} with a password kept by Berth (users are created, with their passwords, when the configuration is applied)",
                        which.name, input.user
                    ),
                )
            })?;
        let handle = berth_actions::credential_handle(cfg.context(), &ns, &which.name, &key);
        let password = cfg.keyring.read(&handle).await?;
        tracing::info!("credential revealed on request");
        Ok(password.expose().clone())
    }
}

/// The TypeScript bindings of this module's DTOs (see [`crate::dto::typescript_bindings`]).
pub(crate) fn typescript_bindings() -> Vec<(String, String)> {
    vec![crate::dto::binding::<RevealCredentialInput>()]
}
