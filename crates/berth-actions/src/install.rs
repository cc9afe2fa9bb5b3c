//! `Install`: a service from the catalog becomes an instance in a cluster.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use berth_catalog::{RenderRequest, render::apply_rank};
use berth_cluster::{ApplyOptions, ObjectRef};
use berth_secrets::{NewSecrets, PreparedSet, SecretsError, Sensitive};
use berth_store::{NewRevision, Operation};
use serde_json::{Value, json};

use crate::record::{Record, record_name};
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
    /// Credentials supplied by the caller (a transfer brings the source's), used instead of
    /// fresh ones; a key the definition needs that is missing here is generated.
    pub credentials: Option<Vec<(String, Sensitive<String>)>>,
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
    #[tracing::instrument(skip(self, progress, keyring_session), fields(context = %self.cfg.context(), service = %self.service))]
    pub async fn run_prepared(
        &self,
        progress: ProgressSink<'_>,
        keyring_session: Option<PreparedSet>,
    ) -> Result<InstallOutcome, ActionError> {
        let cfg = self.cfg;
        crate::claim::set_deadline(cfg, self.timeout);
        // the keyring session (a D-Bus connection and an encrypted Secret Service session, tens
        // of milliseconds) opens on its own thread first thing, while the definition is loaded,
        // the cluster asked and the objects rendered; nothing is written until the checks below
        // have passed (and bad input just closes it again)
        let keyring_session = (!self.dry_run)
            .then(|| keyring_session.unwrap_or_else(|| cfg.keyring.prepare_set_all()));
        let def = cfg.definition(&self.service)?;
        let instance = self.name.clone().unwrap_or_else(|| def.id().to_owned());
        let namespace = self
            .namespace
            .clone()
            .unwrap_or_else(|| cfg.cluster.default_namespace().to_owned());
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
        // strict Kubernetes schemas, so the round trip costs no extra time.
        let record_ref = ObjectRef {
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            namespace: Some(namespace.clone()),
            name: record_name(&instance),
        };
        // Volumes an earlier `uninstall` kept are asked for too: their data was made with the
        // credentials it kept in the keyring, which this install must then use.
        let checks = {
            let cluster = cfg.cluster.clone();
            let namespace = namespace.clone();
            let volumes = crate::volume_selector(def.id(), &instance);
            tokio::spawn(async move {
                futures::try_join!(
                    cluster.namespace_exists(&namespace),
                    cluster.get(&record_ref),
                    cluster.list("v1", "PersistentVolumeClaim", Some(&namespace), &volumes),
                )
            })
        };
        let render = |secrets: &BTreeMap<String, String>, revision: u32| {
            def.render(&RenderRequest {
                instance: instance.clone(),
                namespace: namespace.clone(),
                version: Some(version.clone()),
                values: values.clone(),
                credentials: secrets.clone(),
                revision: Some(u64::from(revision)),
            })
        };
        // the credentials, and their keyring write at once: it stores them only when the
        // keyring holds none of this instance's handles yet, so it overwrites nothing even
        // before the checks below have said the name is free (if they refuse, what it stored
        // is removed again). The write, tens of milliseconds in the Secret Service, then runs
        // alongside everything up to the apply instead of after the checks.
        let secrets = credentials::generate_all(def, &effective).map(|mut fresh| {
            for (key, value) in self.credentials.iter().flatten() {
                fresh.insert(key.clone(), value.expose().clone());
            }
            fresh
        });
        let early = match (&keyring_session, &secrets) {
            (Some(session), Ok(secrets)) => {
                Some(session.store_if_new(self.entries(&namespace, &instance, secrets)))
            }
            _ => None,
        };
        let local = secrets.and_then(|secrets| {
            let revision = cfg
                .store
                .revisions(cfg.context(), &namespace, &instance)?
                .first()
                .map(|r| r.revision + 1)
                .unwrap_or(1);
            let rendered = render(&secrets, revision)?;
            Ok((secrets, revision, rendered))
        });
        let checked = async {
            let (namespace_exists, existing, kept_volumes) = checks
                .await
                .map_err(|e| ActionError::Failed(format!("checking the cluster failed: {e}")))??;
            if !namespace_exists && !self.create_namespace {
                return Err(ActionError::InvalidInput(format!(
                    "namespace {namespace:?} does not exist in context {:?}: create it or pass --create-namespace",
                    cfg.context()
                )));
            }
            if namespace_exists && existing.is_some() {
                return Err(ActionError::Conflict(format!(
                    "an instance named {instance:?} already exists in namespace {namespace:?}: choose another --name, or `berth uninstall {instance}` first"
                )));
            }
            // errors in the order they were always reported: cluster first, then local
            let local = local?;
            Ok((namespace_exists, kept_volumes, local))
        }
        .await;
        let (namespace_exists, kept_volumes, (mut secrets, revision, mut rendered)) = match checked
        {
            Ok(checked) => checked,
            Err(e) => {
                if let Some(early) = early {
                    self.forget_early(early).await;
                }
                return Err(e);
            }
        };
        // whether the early write is known to have stored the credentials
        let mut early = early;
        let mut stored_early = false;
        let reused = if kept_volumes.is_empty() || self.dry_run {
            BTreeSet::new()
        } else {
            if let Some(e) = early.take() {
                stored_early = tokio::task::spawn_blocking(move || e.wait())
                    .await
                    .map_err(|e| {
                        ActionError::Failed(format!("storing the credentials failed: {e}"))
                    })??;
            }
            if stored_early {
                // the keyring held none of this instance's credentials: none to reuse
                for key in secrets.keys() {
                    missing_credential(&instance, key, progress);
                }
                BTreeSet::new()
            } else {
                let reused = self
                    .reuse_kept_credentials(&namespace, &instance, &mut secrets, progress)
                    .await?;
                if !reused.is_empty() {
                    rendered = render(&secrets, revision)?;
                }
                reused
            }
        };
        let record = Record {
            instance: instance.clone(),
            namespace: namespace.clone(),
            definition: def.id().to_owned(),
            version: version.clone(),
            parameters: rendered.values.clone(),
            revision,
            credentials: secrets.keys().cloned().collect(),
            stopped: None,
            created: None,
        };
        let namespace_object = json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": namespace},
        });
        let mut objects = rendered.objects.clone();
        objects.push(record.to_object());

        // the credentials are (or are being) stored over the session opened at the start, on its
        // thread, while the dry-run, the history and the apply go on: by the early write when
        // the keyring held none of them, else now (a name already taken was refused above, so
        // no live instance's credentials are overwritten). If the dry-run refuses the objects,
        // the credentials stored are removed again.
        let stored = keyring_session.map(|session| {
            let entries = self.entries(&namespace, &instance, &secrets);
            tokio::task::spawn_blocking(move || {
                let stored = match early {
                    Some(early) => early.wait()?,
                    None => stored_early,
                };
                if stored {
                    Ok(())
                } else {
                    session.set_all(entries)
                }
            })
        });

        // server-side dry-run of every object: what the API server would refuse, it refuses now
        progress(Progress::Step("dry-run".into()));
        let dry = ApplyOptions {
            dry_run: true,
            force_conflicts: false,
        };
        let dry_run = async {
            if !namespace_exists {
                cfg.cluster.apply(&namespace_object, dry).await?;
            } else {
                let checks = objects.iter().map(|o| cfg.cluster.apply(o, dry));
                for result in futures::future::join_all(checks).await {
                    result?;
                }
            }
            Ok::<(), ActionError>(())
        };
        let checked = dry_run.await;
        if let Err(e) = checked {
            if let Some(stored) = stored {
                let _ = stored.await;
                let keyring = cfg.keyring.clone();
                // only the credentials made now: kept ones still belong to the kept volumes
                let handles: Vec<String> = secrets
                    .keys()
                    .filter(|key| !reused.contains(*key))
                    .map(|key| credential_handle(cfg.context(), &namespace, &instance, key))
                    .collect();
                let _ = tokio::task::spawn_blocking(move || {
                    for handle in &handles {
                        if let Err(err) = keyring.delete(handle) {
                            tracing::warn!(%err, "could not remove a credential after the dry-run failed");
                        }
                    }
                })
                .await;
            }
            return Err(e);
        }
        let shown: Vec<Value> = (!namespace_exists)
            .then(|| namespace_object.clone())
            .into_iter()
            .chain(objects.iter().map(redact))
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
            return Ok(outcome);
        }

        let pending = cfg.store.begin_revision(&NewRevision {
            context: cfg.context(),
            namespace: &namespace,
            instance: &instance,
            definition: def.id(),
            version: &version,
            operation: self.operation,
            parameters: &rendered.values,
            manifest_digest: None,
        })?;
        let mut created: Vec<ObjectRef> = Vec::new();
        let result = self
            .apply_and_wait(
                &record,
                &objects,
                stored,
                (!namespace_exists).then_some(&namespace_object),
                &mut created,
                progress,
            )
            .await;
        match result {
            Ok(ready) => {
                if !self.keep_pending {
                    cfg.store.finish_revision(pending.id, Ok(()))?;
                }
                Ok(InstallOutcome {
                    revision: pending.revision,
                    revision_id: pending.id,
                    ready,
                    ..outcome
                })
            }
            Err(e) => {
                let mut message = e.to_string();
                if self.atomic {
                    progress(Progress::Step("roll back".into()));
                    let cleanup = self.remove(&record, &created).await;
                    message = match cleanup {
                        Ok(()) => format!("{message} (--atomic: everything created was removed)"),
                        Err(c) => format!("{message} (--atomic cleanup failed too: {c})"),
                    };
                }
                cfg.store.finish_revision(pending.id, Err(&message))?;
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

    /// The install stops before anything was applied: the credentials the early write stored
    /// (if it did: it stores none when the keyring held any of them) are removed again.
    async fn forget_early(&self, early: NewSecrets) {
        let keyring = self.cfg.keyring.clone();
        let handles = early.handles().to_vec();
        let _ = tokio::task::spawn_blocking(move || {
            if let Ok(true) = early.wait() {
                for handle in &handles {
                    if let Err(err) = keyring.delete(handle) {
                        tracing::warn!(%err, "could not remove a credential of an install that stopped");
                    }
                }
            }
        })
        .await;
    }

    /// Volumes of an earlier install of this instance are still there (an `uninstall` keeps
    /// them, and their credentials in the keyring): their data opens only with those
    /// credentials, so they replace the ones just generated. Returns the keys reused; a key the
    /// keyring no longer holds keeps its new value, with a warning.
    async fn reuse_kept_credentials(
        &self,
        namespace: &str,
        instance: &str,
        secrets: &mut BTreeMap<String, String>,
        progress: ProgressSink<'_>,
    ) -> Result<BTreeSet<String>, ActionError> {
        let cfg = self.cfg;
        let handles: Vec<(String, String)> = secrets
            .keys()
            .map(|key| {
                let handle = credential_handle(cfg.context(), namespace, instance, key);
                (key.clone(), handle)
            })
            .collect();
        let keyring = cfg.keyring.clone();
        let found = tokio::task::spawn_blocking(move || {
            handles
                .into_iter()
                .map(|(key, handle)| (key, keyring.get(&handle)))
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|e| ActionError::Failed(format!("reading the keyring failed: {e}")))?;
        let mut reused = BTreeSet::new();
        for (key, value) in found {
            match value {
                Ok(value) => {
                    secrets.insert(key.clone(), value.expose().clone());
                    reused.insert(key);
                }
                Err(SecretsError::NotFound { .. }) => missing_credential(instance, &key, progress),
                Err(e) => return Err(e.into()),
            }
        }
        Ok(reused)
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
            apply_ranked(cfg, objects, apply, progress, created).await
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
        for key in &record.credentials {
            let handle = credential_handle(cfg.context(), &record.namespace, &record.instance, key);
            cfg.keyring.delete(&handle)?;
        }
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

/// Applies objects in apply order; the objects of one rank do not depend on each other and are
/// applied together. Each applied object is pushed to `applied` and reported.
pub(crate) async fn apply_ranked(
    cfg: &Config,
    objects: &[Value],
    options: ApplyOptions,
    progress: ProgressSink<'_>,
    applied: &mut Vec<ObjectRef>,
) -> Result<(), ActionError> {
    let total = objects.len();
    let mut done = 0;
    let mut start = 0;
    while start < objects.len() {
        let rank = rank_of(&objects[start]);
        let end = objects[start..]
            .iter()
            .position(|o| rank_of(o) != rank)
            .map_or(objects.len(), |p| start + p);
        let batch = &objects[start..end];
        let results =
            futures::future::join_all(batch.iter().map(|o| apply_one(cfg, o, options))).await;
        for (object, result) in batch.iter().zip(results) {
            let target = ObjectRef::of(object)?;
            result?;
            done += 1;
            progress(Progress::Applied {
                done,
                total,
                object: format!("{} {}", target.kind, target.name),
            });
            applied.push(target);
        }
        start = end;
    }
    Ok(())
}

/// Server-side applies one object; a conflict only with Berth's own scaling manager (after a
/// stop and start) is resolved by taking the fields back, any other conflict is reported.
pub(crate) async fn apply_one(
    cfg: &Config,
    object: &Value,
    options: ApplyOptions,
) -> Result<Value, berth_cluster::ClusterError> {
    match cfg.cluster.apply(object, options).await {
        Err(berth_cluster::ClusterError::Api {
            code: 409, message, ..
        }) if only_own_conflicts(&message) && !options.force_conflicts => {
            let forced = ApplyOptions {
                force_conflicts: true,
                ..options
            };
            cfg.cluster.apply(object, forced).await
        }
        other => other,
    }
}

/// Whether every manager a conflict message names is Berth's scaling manager.
fn only_own_conflicts(message: &str) -> bool {
    let managers: Vec<&str> = message
        .split("conflict with \"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    !managers.is_empty() && managers.iter().all(|m| *m == crate::SCALE_FIELD_MANAGER)
}

/// The wave an object is applied in: the namespace (applied before these, when created), then
/// configuration, secrets, service accounts and Services together, then the workloads, then
/// what refers to workloads (disruption budgets, autoscalers), then the record.
///
/// Each wave is sent when the previous one's answers are in, so a workload's pods never start
/// before the ConfigMaps, Secrets and ServiceAccount they mount or name exist, nor before the
/// Services whose addresses Kubernetes puts in their environment. The first four kinds do not
/// need each other: a Service selects pods by label and nothing reads a ConfigMap or Secret
/// but pods. Sending them in one wave (the catalog's `apply_rank` lists them in three) saves
/// two round trips of every install and changes nothing a pod sees.
fn rank_of(object: &Value) -> u8 {
    match object["kind"].as_str().unwrap_or_default() {
        // the record goes last, after every object it describes
        "ConfigMap" if object["metadata"]["labels"][crate::RECORD_LABEL] == "true" => u8::MAX,
        "ServiceAccount" | "ConfigMap" | "Secret" | "Service" => 0,
        kind => apply_rank(kind),
    }
}

/// The object as it may be shown: a Secret's values replaced.
pub(crate) fn redact(object: &Value) -> Value {
    let mut shown = object.clone();
    if shown["kind"] == "Secret" {
        for field in ["data", "stringData"] {
            if let Some(map) = shown.get_mut(field).and_then(Value::as_object_mut) {
                for v in map.values_mut() {
                    *v = Value::String("<redacted>".into());
                }
            }
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_conflicts_with_berths_own_scaling_are_taken_back() {
        let own = r#"Apply failed with 1 conflict: conflict with "berth-scale" using apps/v1: .spec.replicas"#;
        let other = r#"Apply failed with 2 conflicts: conflict with "berth-scale" using apps/v1: .spec.replicas; conflict with "kubectl-edit" using apps/v1: .spec.template"#;
        assert!(super::only_own_conflicts(own));
        assert!(!super::only_own_conflicts(other));
        assert!(!super::only_own_conflicts("conflict"));
    }
}
