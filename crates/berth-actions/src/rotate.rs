//! `Rotate`: a new value for one credential of an installed instance, accepted by the engine.
//!
//! A Secret alone does not change a password an initialised database already holds, so the
//! definition's `operations.rotate` runs in the pod first and makes the engine take the new
//! value. The steps, in order, and the state a failure at each leaves behind:
//!
//! 1. **Validate** (nothing touched): the instance is running, its definition declares
//!    `operations.rotate`, the key is one of the record's credentials (a per-user key names a
//!    user of `auth.users`), and the Secret holding it is found.
//! 2. **Engine**: `operations.rotate` gets the key, the user and the new value on stdin (never on
//!    a command line). A failure here changes nothing: the old value still works everywhere.
//! 3. **Keyring**: the new value is written first to this machine's keyring, so it is never
//!    lost once the engine holds it. A failure here is the one state with the new value known
//!    only to the engine; the error says so, and rotating again (the rotate operation logs in
//!    without the rotated value) sets a value Berth keeps.
//! 4. **Secret**: the new value is written to the instance's Secret. On failure, the engine and
//!    the keyring hold the new value and the Secret the old one; the error says so, and rotating
//!    again finishes (a fresh value goes through all steps).
//! 5. **Restart**: the pods restart (the existing restart action, recorded in history) so every
//!    process reads the new value from the Secret, and Berth waits until ready. On failure,
//!    engine, keyring and Secret already agree; `berth restart` finishes.
//!
//! The new value stays in [`Sensitive`] and the keyring: it is never logged, never put in an
//! error, never returned.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use berth_secrets::Sensitive;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;
use tokio::io::AsyncWriteExt;

use crate::claim::claim;
use crate::restart::Restart;
use crate::transfer::remote::{self, Place};
use crate::wait::ProgressSink;
use crate::{ActionError, Config, credential_handle, credentials};

/// Rotates one credential of an instance.
#[derive(Debug, Clone)]
pub struct Rotate<'a> {
    cfg: &'a Config,
    /// The instance.
    pub instance: String,
    /// The namespace (default: the context's).
    pub namespace: Option<String>,
    /// The credential key (`admin-password`); empty for the definition's main password
    /// (`connection.passwordCredential`); for a per-user credential, its base key
    /// (`user-password`) with [`Rotate::user`], or the full key (`user-password-app`).
    pub key: String,
    /// The extra user (`auth.users`) whose password to rotate.
    pub user: Option<String>,
    /// How long to wait for the pods after the restart (default 5 minutes).
    pub timeout: Duration,
    /// Only validate (step 1): touch nothing, return the key that would be rotated.
    pub check: bool,
}

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotateOutcome {
    /// The credential key rotated (`admin-password`, `user-password-app`).
    pub key: String,
    /// The revision the restart recorded (`None` for a check).
    pub revision: Option<u32>,
}

/// What to rotate, resolved before anything is touched.
struct Target {
    /// The full key in the record (`user-password-app`).
    key: String,
    /// The key the rotate operation gets (`user-password`).
    base: String,
    /// The extra user, if any.
    user: String,
}

impl<'a> Rotate<'a> {
    /// A rotation of `key` with the CLI's defaults.
    pub fn new(cfg: &'a Config, instance: impl Into<String>, key: impl Into<String>) -> Self {
        Self {
            cfg,
            instance: instance.into(),
            namespace: None,
            key: key.into(),
            user: None,
            timeout: Duration::from_secs(300),
            check: false,
        }
    }

    /// Runs it (see the module docs for the order of the steps).
    #[tracing::instrument(skip(self, progress), fields(context = %self.cfg.context(), instance = %self.instance, key = %self.key))]
    pub async fn run(&self, progress: ProgressSink<'_>) -> Result<RotateOutcome, ActionError> {
        let cfg = self.cfg;
        let (target, ns) = {
            let claimed = claim(cfg, &self.namespace, &self.instance).await?;
            let (ns, rec) = (claimed.namespace.clone(), &claimed.record);
            if rec.stopped.is_some() {
                return Err(ActionError::Unsupported(format!(
                    "{} is stopped: `berth start {}` starts it, then rotate",
                    rec.instance, rec.instance
                )));
            }
            let def = cfg.catalog.require(&rec.definition)?;
            let Some(op) = def.spec.operations.rotate.as_ref() else {
                return Err(ActionError::Unsupported(format!(
                    "the {} definition cannot rotate credentials (it declares no `operations.rotate`); nothing was changed",
                    rec.definition
                )));
            };
            let target = self.target(def, rec)?;
            let (secret, data_key) = credentials::secret_of(cfg, def, rec, &target.key).await?;
            if self.check {
                return Ok(RotateOutcome {
                    key: target.key,
                    revision: None,
                });
            }
            let value = Sensitive::new(credentials::generate(credentials::length(
                def,
                &target.key,
            ))?);
            let handle = credential_handle(cfg.context(), &ns, &rec.instance, &target.key);

            progress(crate::Progress::Step(format!(
                "set the new {} in the engine",
                target.key
            )));
            let place = Place::of(op, &ns, &rec.instance);
            engine(cfg, &place, &op.command, &target, &value).await?;
            tracing::info!("the engine accepts the new value");

            progress(crate::Progress::Step(format!(
                "keep the new {} in the keyring",
                target.key
            )));
            cfg.keyring
                .write_all(vec![(handle, value.clone())])
                .await
                .map_err(|e| {
                    ActionError::Failed(format!(
                        "the engine of {} already accepts a new {} but this machine's keyring could not keep it ({e}); \
                         the Secret still holds the old value: run `berth credentials rotate {} {}` again",
                        rec.instance, target.key, rec.instance, target.key
                    ))
                })?;

            progress(crate::Progress::Step(format!(
                "write the new {} to Secret {secret}",
                target.key
            )));
            let secrets: Api<Secret> = Api::namespaced(cfg.cluster.client(), &ns);
            let patch = Patch::Merge(json!({"data": {
                data_key.as_str(): BASE64.encode(value.expose().as_bytes())
            }}));
            let params = PatchParams::default();
            cfg.cluster
                .retry(&format!("patch Secret {ns}/{secret}"), || {
                    secrets.patch(&secret, &params, &patch)
                })
                .await
                .map_err(|e| {
                    let cause = cfg.kube_error(format!("patch Secret {ns}/{secret}"), e);
                    ActionError::Failed(format!(
                        "the engine of {} and this machine's keyring hold the new {} but Secret {secret} still holds the old one ({cause}); \
                         run `berth credentials rotate {} {}` again",
                        rec.instance, target.key, rec.instance, target.key
                    ))
                })?;
            tracing::info!(secret = %secret, "the Secret holds the new value");
            (target, ns)
        };

        let mut restart = Restart::new(cfg, self.instance.clone());
        restart.namespace = Some(ns);
        restart.timeout = self.timeout;
        let revision = restart.run(progress).await.map_err(|e| {
            ActionError::Failed(format!(
                "the new {} is set in the engine, the keyring and the Secret, but restarting the pods failed ({e}); \
                 `berth restart {}` finishes",
                target.key, self.instance
            ))
        })?;
        Ok(RotateOutcome {
            key: target.key,
            revision: Some(revision),
        })
    }

    /// Resolves the key and user against the record and the definition.
    fn target(
        &self,
        def: &berth_catalog::Definition,
        rec: &crate::Record,
    ) -> Result<Target, ActionError> {
        let users: Vec<&str> = rec
            .parameters
            .pointer("/auth/users")
            .and_then(|u| u.as_array())
            .into_iter()
            .flatten()
            .filter_map(|u| u["name"].as_str().or_else(|| u.as_str()))
            .collect();
        let specs = &def.spec.credentials;
        let (base, user) = match &self.user {
            Some(user) => {
                let spec = specs
                    .iter()
                    .find(|c| c.per_user && (self.key.is_empty() || c.key == self.key))
                    .ok_or_else(|| {
                        ActionError::InvalidInput(format!(
                            "{:?} is not a per-user credential of {}",
                            self.key, rec.definition
                        ))
                    })?;
                if !users.contains(&user.as_str()) {
                    return Err(ActionError::InvalidInput(format!(
                        "{} has no user {user:?} in auth.users (users: {})",
                        rec.instance,
                        if users.is_empty() {
                            "none".to_owned()
                        } else {
                            users.join(", ")
                        }
                    )));
                }
                (spec.key.clone(), user.clone())
            }
            None if self.key.is_empty() => {
                let key = def.spec.connection.password_credential.clone().ok_or_else(|| {
                    ActionError::InvalidInput(format!(
                        "the {} definition names no main password: name the credential to rotate (credentials: {})",
                        rec.definition,
                        rec.credentials.join(", ")
                    ))
                })?;
                (key, String::new())
            }
            None => match specs.iter().find(|c| c.key == self.key && !c.per_user) {
                Some(c) => (c.key.clone(), String::new()),
                None => {
                    let per_user = specs.iter().find_map(|c| {
                        let user = self.key.strip_prefix(&format!("{}-", c.key))?;
                        (c.per_user && users.contains(&user))
                            .then(|| (c.key.clone(), user.to_owned()))
                    });
                    per_user.ok_or_else(|| {
                        ActionError::InvalidInput(format!(
                            "{} has no credential {:?} (credentials: {})",
                            rec.instance,
                            self.key,
                            rec.credentials.join(", ")
                        ))
                    })?
                }
            },
        };
        if let Some(why) = specs
            .iter()
            .find(|c| c.key == base)
            .and_then(|c| c.fixed.as_ref())
        {
            return Err(ActionError::InvalidInput(format!(
                "the {base} of {} cannot be rotated in place: {why}; nothing was changed",
                rec.instance
            )));
        }
        let key = if user.is_empty() {
            base.clone()
        } else {
            format!("{base}-{user}")
        };
        if !rec.credentials.contains(&key) {
            return Err(ActionError::InvalidInput(format!(
                "{} has no credential {key:?} kept by Berth (credentials: {})",
                rec.instance,
                rec.credentials.join(", ")
            )));
        }
        Ok(Target { key, base, user })
    }
}

/// Runs the rotate operation with the key, user and new value on stdin.
async fn engine(
    cfg: &Config,
    place: &Place,
    command: &[String],
    target: &Target,
    value: &Sensitive<String>,
) -> Result<(), ActionError> {
    let mut process = remote::start(cfg, place, command.to_vec(), true, 64 * 1024).await?;
    let mut stdin = process.stdin().expect("stdin requested");
    let stdout = process.stdout().expect("stdout requested");
    let stderr = process.stderr().expect("stderr requested");
    let status = process.take_status().expect("status taken once");
    let payload = Sensitive::new(format!(
        "{}\n{}\n{}\n",
        target.base,
        target.user,
        value.expose()
    ));
    let write = async move {
        let written = stdin.write_all(payload.expose().as_bytes()).await;
        let _ = stdin.shutdown().await;
        written
    };
    let (written, _, err, status) = tokio::join!(
        write,
        remote::read_tail(stdout, 4096),
        remote::read_tail(stderr, 4096),
        status
    );
    let _ = process.join().await;
    let failed = |why: String| {
        ActionError::Failed(format!(
            "rotating {} in pod {} failed, nothing was changed: {why}",
            target.key, place.pod
        ))
    };
    written.map_err(|e| failed(e.to_string()))?;
    remote::exited_zero(status).map_err(|e| {
        let err = String::from_utf8_lossy(&err);
        // The operation's stderr never echoes stdin; strip the value all the same.
        let err = err.replace(value.expose().as_str(), "****");
        failed(if err.trim().is_empty() {
            e
        } else {
            format!("{e}: {}", err.trim())
        })
    })
}
