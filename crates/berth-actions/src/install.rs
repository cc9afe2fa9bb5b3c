//! `Install`: a service from the catalog becomes an instance in a cluster.

use std::collections::BTreeMap;
use std::time::Duration;

use berth_cluster::{ApplyOptions, ObjectRef};
use berth_secrets::{PreparedSet, Sensitive};
use berth_store::{NewRevision, Operation};
use serde_json::{Value, json};

use crate::pipeline::plan::{self, Resolved};
use crate::pipeline::{
    Credentials, CredentialsGuard, Plan, RevisionGuard, Target, commit, preflight,
};
use crate::record::Record;
use crate::wait::{Progress, ProgressSink};
use crate::{ActionError, Config, credential_handle, credentials};

/// Installs a service. The defaults of the fields equal the CLI's.
#[derive(Debug, Clone)]
pub struct Install<'a> {
    cfg: &'a Config,
    /// The catalog service id.
    pub service: String,
    /// The instance name (default: the service id).
    pub name: Option<String>,
    /// The namespace (default: the context's namespace).
    pub namespace: Option<String>,
    /// Create the namespace when it does not exist.
    pub create_namespace: bool,
    /// The version (default: the definition's default).
    pub version: Option<String>,
    /// Parameter values, before `set`.
    pub values: Value,
    /// `path=value` assignments applied over `values`.
    pub set: Vec<String>,
    /// Wait until the instance is ready (default true).
    pub wait: bool,
    /// How long to wait (default 5 minutes).
    pub timeout: Duration,
    /// Delete what was created when the install fails.
    pub atomic: bool,
    /// Validate everything with the server, change nothing.
    pub dry_run: bool,
    /// Credentials to install with instead of fresh ones (a transfer provisions its target
    /// with the source's): every key the definition needs with these parameters must be
    /// there; they are stored in the keyring under the new instance's handles.
    pub credentials: Option<BTreeMap<String, Sensitive<String>>>,
    /// The operation recorded (default `install`; a transfer records `move-in`).
    pub operation: Operation,
    /// Leave the revision `pending` after a successful apply: the caller finishes it
    /// ([`InstallOutcome::revision_id`]), as a transfer does at its cut-over.
    pub keep_pending: bool,
}

/// What an install did (or, with `dry_run`, would do).
#[derive(Debug, Clone)]
pub struct InstallOutcome {
    /// The instance name.
    pub instance: String,
    /// The namespace.
    pub namespace: String,
    /// The definition id.
    pub definition: String,
    /// The version installed.
    pub version: String,
    /// The revision number (0 for a dry run).
    pub revision: u32,
    /// The objects applied (or that would be), in order, without the Secret's data.
    pub objects: Vec<Value>,
    /// Whether the namespace was (or would be) created.
    pub created_namespace: bool,
    /// Whether the instance was waited for and is ready.
    pub ready: bool,
    /// Whether nothing was changed.
    pub dry_run: bool,
    /// The history row of the revision (0 for a dry run).
    pub revision_id: i64,
}

impl<'a> Install<'a> {
    /// An install of `service` with the CLI's defaults.
    pub fn new(cfg: &'a Config, service: impl Into<String>) -> Self {
        Self {
            cfg,
            service: service.into(),
            name: None,
            namespace: None,
            create_namespace: false,
            version: None,
            values: json!({}),
            set: Vec::new(),
            wait: true,
            timeout: Duration::from_secs(300),
            atomic: false,
            dry_run: false,
            credentials: None,
            operation: Operation::Install,
            keep_pending: false,
        }
    }

    /// Runs the install, reporting progress.
    pub async fn run(&self, progress: ProgressSink<'_>) -> Result<InstallOutcome, ActionError> {
        self.run_prepared(progress, None).await
    }

    /// [`Install::run`] over a keyring session the caller opened earlier
    /// ([`berth_secrets::Keyring::prepare_set_all`], unused by a dry run): it then connects
    /// while the caller still loads the definition and the kubeconfig.
    ///
    /// The pipeline's phases, overlapped: the keyring session opens first thing, the cluster
    /// is asked where the instance lands ([`preflight::landing`]) while the objects are
    /// rendered, and fresh credentials are written while the checks run (guarded: removed if a
    /// check refuses).
    #[tracing::instrument(skip(self, progress, keyring_session), fields(context = %self.cfg.context(), service = %self.service))]
    pub async fn run_prepared(
        &self,
        progress: ProgressSink<'_>,
        keyring_session: Option<PreparedSet>,
    ) -> Result<InstallOutcome, ActionError> {
        crate::claim::within(self.timeout, self.run_bounded(progress, keyring_session)).await
    }

    async fn run_bounded(
        &self,
        progress: ProgressSink<'_>,
        keyring_session: Option<PreparedSet>,
    ) -> Result<InstallOutcome, ActionError> {
        let cfg = self.cfg;
        // the keyring session (a D-Bus connection and an encrypted Secret Service session, tens
        // of milliseconds) opens on its own thread first thing, while the definition is loaded,
        // the cluster asked and the objects rendered; nothing is written until the checks below
        // have passed (and bad input just closes it again)
        let keyring_session = (!self.dry_run)
            .then(|| keyring_session.unwrap_or_else(|| cfg.keyring.prepare_set_all()));
        let def = cfg.definition(&self.service)?;
        let instance = self.name.clone().unwrap_or_else(|| def.id().to_owned());
        let namespace = cfg.namespace(&self.namespace);
        let mut values = if self.values.is_null() {
            json!({})
        } else {
            self.values.clone()
        };
        if !values.is_object() {
            return Err(ActionError::InvalidInput(
                "parameter values must be a mapping".into(),
            ));
        }
        for set in &self.set {
            def.apply_set(&mut values, set)?;
        }
        let effective = def.validate_values(&values)?;
        let version = self
            .version
            .clone()
            .or_else(|| effective["version"].as_str().map(str::to_owned))
            .unwrap_or_else(|| def.default_version().id.clone());
        let _lock = crate::lock::acquire(cfg, &namespace, &instance)?;

        // the cluster: namespace and name collisions, before anything is created (both asked
        // at once: the record of an instance in a missing namespace is simply not found). The
        // questions travel while this thread renders the objects and checks them against the
        // strict Kubernetes schemas, so the round trip costs no extra time. Volumes an earlier
        // `uninstall` kept are asked for too: their data was made with the credentials it kept
        // in the keyring, which this install must then use.
        let landing = preflight::landing(cfg.cluster.clone(), def.id(), &namespace, &instance);
        let target = |revision| Target {
            definition: def,
            instance: &instance,
            namespace: &namespace,
            version: &version,
            values: &values,
            revision,
        };
        // the credentials (supplied, or fresh), and their keyring write at once: it stores them
        // only when the keyring holds none of this instance's handles yet, so it overwrites
        // nothing even before the checks below have said the name is free (if they refuse, the
        // guard removes what it stored). The write, tens of milliseconds in the Secret
        // Service, then runs alongside everything up to the apply instead of after the checks.
        let secrets = match &self.credentials {
            Some(given) => {
                let given = Credentials::Supplied(given);
                plan::credentials(cfg, def, &namespace, &instance, &effective, given).await
            }
            None => credentials::generate_all(def, &effective).map(|values| Resolved {
                generated: values.keys().cloned().collect(),
                values,
            }),
        };
        let mut guard = match (&keyring_session, &secrets) {
            (Some(session), Ok(secrets)) => CredentialsGuard::early(
                cfg.keyring.clone(),
                session.store_if_new(self.entries(&namespace, &instance, &secrets.values)),
            ),
            _ => CredentialsGuard::new(cfg.keyring.clone()),
        };
        let local = secrets.and_then(|secrets| {
            let revision = cfg
                .store
                .revisions(cfg.context(), &namespace, &instance)?
                .first()
                .map(|r| r.revision + 1)
                .unwrap_or(1);
            plan::render(&target(revision), secrets)
        });
        let checked = async {
            let landing = landing
                .await
                .map_err(|e| ActionError::Failed(format!("checking the cluster failed: {e}")))??;
            preflight::check_landing(cfg, &landing, &namespace, &instance, self.create_namespace)?;
            // errors in the order they were always reported: cluster first, then local
            Ok((landing, local?))
        }
        .await;
        let (landing, mut plan) = match checked {
            Ok(checked) => checked,
            Err(e) => {
                guard.discard().await;
                return Err(e);
            }
        };
        let namespace_exists = landing.namespace_exists;
        // whether the early write is known to have stored the credentials
        let mut stored_early = false;
        if !landing.kept_volumes.is_empty() && !self.dry_run && self.credentials.is_none() {
            stored_early = guard.settle().await?;
            if stored_early {
                // the keyring held none of this instance's credentials: none to reuse
                for key in plan.credentials.values.keys() {
                    missing_credential(&instance, key, progress);
                }
            } else {
                plan = self
                    .reuse_kept_credentials(&target(plan.record.revision), plan, progress)
                    .await?;
            }
        }
        let namespace_object = commit::namespace_object(&namespace);
        let objects = plan.with_record();

        // the credentials are (or are being) stored over the session opened at the start, on its
        // thread, while the dry-run, the history and the apply go on: by the early write when
        // the keyring held none of them, else now (a name already taken was refused above, so
        // no live instance's credentials are overwritten). If the dry-run refuses the objects,
        // the guard removes the credentials made now (kept ones still belong to the kept
        // volumes).
        if let Some(session) = keyring_session {
            let entries = self.entries(&namespace, &instance, &plan.credentials.values);
            let early = guard.take_early();
            let task = tokio::task::spawn_blocking(move || {
                let stored = match early {
                    Some(early) => early.wait()?,
                    None => stored_early,
                };
                if stored {
                    Ok(())
                } else {
                    session.set_all(entries)
                }
            });
            let owned = plan
                .credentials
                .generated
                .iter()
                .map(|key| credential_handle(cfg.context(), &namespace, &instance, key))
                .collect();
            guard.writing(task, owned);
        }

        // server-side dry-run of every object: what the API server would refuse, it refuses now
        // (in a namespace still to be created, only the namespace can be checked)
        progress(Progress::Step("dry-run".into()));
        let checked = if namespace_exists {
            preflight::dry_run(cfg, &objects, false).await
        } else {
            preflight::dry_run(cfg, std::slice::from_ref(&namespace_object), false).await
        };
        if let Err(e) = checked {
            guard.discard().await;
            return Err(e);
        }
        let shown: Vec<Value> = (!namespace_exists)
            .then(|| namespace_object.clone())
            .into_iter()
            .chain(objects.iter().map(commit::redact))
            .collect();
        let outcome = InstallOutcome {
            instance: instance.clone(),
            namespace: namespace.clone(),
            definition: def.id().to_owned(),
            version: version.clone(),
            revision: 0,
            objects: shown,
            created_namespace: !namespace_exists,
            ready: false,
            dry_run: self.dry_run,
            revision_id: 0,
        };
        if self.dry_run {
            guard.discard().await;
            return Ok(outcome);
        }

        let pending = RevisionGuard::begin(
            cfg,
            &NewRevision {
                context: cfg.context(),
                namespace: &namespace,
                instance: &instance,
                definition: def.id(),
                version: &version,
                operation: self.operation,
                parameters: &plan.record.parameters,
                manifest_digest: Some(&plan.digest),
            },
        )?;
        let (revision, revision_id) = (pending.number(), pending.id());
        // from here on the credentials are in use: a failed install keeps them for `recover`
        // (`--atomic` removes them with everything else)
        let stored = guard.commit();
        let mut created: Vec<ObjectRef> = Vec::new();
        let result = self
            .apply_and_wait(
                &plan.record,
                &objects,
                stored,
                (!namespace_exists).then_some(&namespace_object),
                &mut created,
                progress,
            )
            .await;
        match result {
            Ok(ready) => {
                if self.keep_pending {
                    pending.leave_pending();
                } else {
                    pending.finish_with(Ok(()))?;
                }
                Ok(InstallOutcome {
                    revision,
                    revision_id,
                    ready,
                    ..outcome
                })
            }
            Err(e) => {
                let mut message = e.to_string();
                if self.atomic {
                    progress(Progress::Step("roll back".into()));
                    let cleanup = self.remove(&plan.record, &created).await;
                    message = match cleanup {
                        Ok(()) => format!("{message} (--atomic: everything created was removed)"),
                        Err(c) => format!("{message} (--atomic cleanup failed too: {c})"),
                    };
                }
                pending.finish_with(Err(&message))?;
                Err(if self.atomic {
                    ActionError::Failed(message)
                } else {
                    match e {
                        ActionError::Timeout(_) => ActionError::Timeout(message),
                        other => other,
                    }
                })
            }
        }
    }

    /// The keyring entries of an instance's credentials.
    fn entries(
        &self,
        namespace: &str,
        instance: &str,
        secrets: &BTreeMap<String, String>,
    ) -> Vec<(String, Sensitive<String>)> {
        secrets
            .iter()
            .map(|(key, value)| {
                let handle = credential_handle(self.cfg.context(), namespace, instance, key);
                (handle, Sensitive::new(value.clone()))
            })
            .collect()
    }

    /// Volumes of an earlier install of this instance are still there (an `uninstall` keeps
    /// them, and their credentials in the keyring): their data opens only with those
    /// credentials, so they replace the ones just generated ([`plan::resolve`]), and the plan
    /// is rendered again with them. A key the keyring no longer holds keeps a new value, with
    /// a warning.
    async fn reuse_kept_credentials(
        &self,
        target: &Target<'_>,
        plan: Plan,
        progress: ProgressSink<'_>,
    ) -> Result<Plan, ActionError> {
        let keys = plan.credentials.values.keys().cloned().collect();
        let resolved = plan::resolve(
            self.cfg,
            target.definition,
            target.namespace,
            target.instance,
            keys,
            &[],
        )
        .await?;
        for key in &resolved.generated {
            missing_credential(target.instance, key, progress);
        }
        if resolved.generated.len() == resolved.values.len() {
            // nothing reused: the plan stands as rendered
            return Ok(plan);
        }
        plan::render(target, resolved)
    }

    async fn apply_and_wait(
        &self,
        record: &Record,
        objects: &[Value],
        stored: Option<tokio::task::JoinHandle<Result<(), berth_secrets::SecretsError>>>,
        namespace_object: Option<&Value>,
        created: &mut Vec<ObjectRef>,
        progress: ProgressSink<'_>,
    ) -> Result<bool, ActionError> {
        let cfg = self.cfg;
        // the install succeeds only when both the credentials were stored and the objects
        // applied (a failure of either fails the revision, and `--atomic` removes what was made)
        progress(Progress::Step("apply".into()));
        let apply = ApplyOptions::default();
        let applied = async {
            if let Some(ns) = namespace_object {
                cfg.cluster.apply(ns, apply).await?;
                created.push(ObjectRef::of(ns)?);
            }
            commit::apply_ranked(cfg, objects, apply, progress, created).await
        }
        .await;
        if let Some(stored) = stored {
            let stored = stored
                .await
                .map_err(|e| ActionError::Failed(format!("storing the credentials failed: {e}")))?;
            applied?;
            stored?;
        } else {
            applied?;
        }
        if !self.wait {
            return Ok(false);
        }
        let def = cfg.definition(&record.definition)?;
        crate::wait::until_ready(cfg, def, record, self.timeout, progress).await?;
        Ok(true)
    }

    /// `--atomic`: deletes what this install created, newest first, and forgets its credentials.
    async fn remove(&self, record: &Record, created: &[ObjectRef]) -> Result<(), ActionError> {
        let cfg = self.cfg;
        for target in created.iter().rev() {
            cfg.cluster.delete(target).await?;
        }
        // volumes the StatefulSet controller made from claim templates
        let pvcs = cfg
            .cluster
            .list(
                "v1",
                "PersistentVolumeClaim",
                Some(&record.namespace),
                &crate::volume_selector(&record.definition, &record.instance),
            )
            .await?;
        for pvc in &pvcs {
            cfg.cluster.delete(&ObjectRef::of(pvc)?).await?;
        }
        let handles: Vec<String> = record
            .credentials
            .iter()
            .map(|key| credential_handle(cfg.context(), &record.namespace, &record.instance, key))
            .collect();
        cfg.keyring.remove_all(handles).await?;
        Ok(())
    }
}

/// Warns that kept volumes were made with a credential the keyring no longer holds.
fn missing_credential(instance: &str, key: &str, progress: ProgressSink<'_>) {
    let warning = format!(
        "volumes of an earlier install of {instance} are kept, but its credential {key:?} is not in this keyring: a new one is used, which the kept data may not accept"
    );
    tracing::warn!("{warning}");
    progress(Progress::Event(warning));
}
