//! An instance's credentials: which ones Berth keeps ([`Api::credentials`]) and, on an explicit
//! request, their values.
//!
//! Secrets never cross the API, with one exception: an explicit user request (the Reveal button,
//! `berth credentials show --reveal`, like [`Api::reveal_connection_uri`] for the Connect tab).
//! [`Api::reveal_credential`] is that request for an extra user's password; values are read
//! from the keyring, returned, and never logged or put into an error.

use serde::{Deserialize, Serialize};
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

/// One credential of an instance.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CredentialInfo {
    /// Its key in the instance's Secret (`admin-password`, `user-password-app`).
    pub key: String,
    /// What it is for, from the definition.
    pub description: String,
    /// The extra user (`auth.users`) it belongs to, if it is one's.
    pub user: Option<String>,
    /// Whether this machine's keyring holds it (an instance installed elsewhere has none until
    /// `berth adopt`).
    pub stored: bool,
    /// The value: only when revealing was asked for, and the keyring holds it.
    pub value: Option<String>,
    /// Why it cannot be rotated in place, when the definition says it cannot.
    pub fixed: Option<String>,
}

impl Api {
    /// The credentials Berth keeps for an instance, in the record's order, with their values only
    /// when `reveal` (an explicit user request).
    #[tracing::instrument(skip(self), fields(instance = %which.name))]
    pub async fn credentials(
        &self,
        which: &InstanceRef,
        reveal: bool,
    ) -> Result<Vec<CredentialInfo>, ApiError> {
        let cfg = self.action_config(which.context.as_deref()).await?;
        let ns = which
            .namespace
            .clone()
            .unwrap_or_else(|| cfg.cluster.default_namespace().to_owned());
        let record = berth_actions::status::status(&cfg, &ns, &which.name)
            .await
            .map_err(action_error)?
            .record;
        let def = cfg.catalog.get(&record.definition);
        let handles = record
            .credentials
            .iter()
            .map(|key| berth_actions::credential_handle(cfg.context(), &ns, &which.name, key))
            .collect();
        let values = cfg.keyring.read_each(handles).await?;
        let mut out = Vec::new();
        for (key, (_, value)) in record.credentials.iter().zip(values) {
            let spec = def.and_then(|d| {
                d.spec.credentials.iter().find(|c| {
                    c.key == *key
                        || (c.per_user
                            && key
                                .strip_prefix(c.key.as_str())
                                .is_some_and(|rest| rest.starts_with('-')))
                })
            });
            let user = spec
                .filter(|c| c.key != *key)
                .map(|c| key[c.key.len() + 1..].to_owned());
            let value = match value {
                Ok(v) => Some(v),
                Err(berth_secrets::SecretsError::NotFound { .. }) => None,
                Err(e) => return Err(e.into()),
            };
            out.push(CredentialInfo {
                key: key.clone(),
                description: spec.map(|c| c.description.clone()).unwrap_or_default(),
                user,
                stored: value.is_some(),
                fixed: spec.and_then(|c| c.fixed.clone()),
                value: if reveal {
                    value.map(|v| v.expose().clone())
                } else {
                    None
                },
            });
        }
        if reveal {
            tracing::info!(count = out.len(), "credentials revealed on request");
        }
        Ok(out)
    }
}

/// Which credential to rotate.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct RotateCredentialInput {
    /// The instance.
    pub instance: InstanceRef,
    /// The credential key (`admin-password`), empty for the service's main password; for an
    /// extra user's, the per-user key's base (`user-password`, or empty) with `user`, or the
    /// full key (`user-password-app`).
    pub key: String,
    /// The extra user (an entry of the instance's `auth.users`) whose password to rotate.
    pub user: Option<String>,
    /// Only validate: nothing is touched, the result has no revision.
    pub check: bool,
}

/// What a rotation did. Never carries the new value: it is in the keyring (Reveal reads it).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RotateCredentialResult {
    /// The context.
    pub context: String,
    /// The namespace.
    pub namespace: String,
    /// The instance.
    pub name: String,
    /// The credential key rotated (`admin-password`, `user-password-app`).
    pub key: String,
    /// The revision the restart recorded; `None` for a check.
    pub revision: Option<u32>,
}

impl Api {
    /// Rotates one credential: a new value set in the engine (the definition's
    /// `operations.rotate`), then the keyring, then the Secret, then the pods restart. Bad input
    /// (unknown key or user, a definition that cannot rotate) fails before anything is touched;
    /// a failure mid-way says which of engine, keyring and Secret hold the new value.
    #[tracing::instrument(skip(self, input, progress), fields(instance = %input.instance.name, key = %input.key))]
    pub async fn rotate_credential(
        &self,
        input: &RotateCredentialInput,
        progress: &(dyn Fn(crate::ProgressEvent) + Send + Sync),
    ) -> Result<RotateCredentialResult, ApiError> {
        let which = &input.instance;
        let cfg = self.action_config(which.context.as_deref()).await?;
        let mut action = berth_actions::Rotate::new(&cfg, which.name.clone(), input.key.clone());
        action.namespace = which.namespace.clone();
        action.user = input.user.clone().filter(|u| !u.is_empty());
        action.check = input.check;
        let sink = |p: berth_actions::Progress| progress(p.into());
        let done = action.run(&sink).await.map_err(action_error)?;
        Ok(RotateCredentialResult {
            context: cfg.context().to_owned(),
            namespace: crate::instances::namespace_of(&cfg, which),
            name: which.name.clone(),
            key: done.key,
            revision: done.revision,
        })
    }
}

/// The TypeScript bindings of this module's DTOs (see [`crate::dto::typescript_bindings`]).
pub(crate) fn typescript_bindings() -> Vec<(String, String)> {
    vec![
        crate::dto::binding::<RevealCredentialInput>(),
        crate::dto::binding::<CredentialInfo>(),
        crate::dto::binding::<RotateCredentialInput>(),
        crate::dto::binding::<RotateCredentialResult>(),
    ]
}
