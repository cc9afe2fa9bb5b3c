//! `Reconfigure`: new parameters (`berth config`), a new version (`berth upgrade`) or an earlier
//! revision's parameters and version (`berth rollback`): render, diff against what is live,
//! apply, wait.

use std::time::Duration;

use berth_catalog::Definition;
use berth_cluster::{ApplyOptions, ClusterError, ObjectRef};
use berth_store::{NewRevision, Operation, RevisionStatus};
use serde_json::Value;

use crate::pipeline::{Credentials, RevisionGuard, Target, commit, plan, preflight};
use crate::record::{self, Record, record_name};
use crate::volume_growth::{self, Growth};
use crate::wait::{Progress, ProgressSink};
use crate::{ActionError, Config, instance_selector};

/// How one object would change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    /// Created.
    Added,
    /// Some fields change.
    Changed,
    /// Deleted: it is live but no longer rendered.
    Removed,
}

/// One object's change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The object, as `Kind name`.
    pub object: String,
    /// What happens to it.
    pub kind: ChangeKind,
    /// The changed fields: `path: old → new` (values of Secrets are never shown).
    pub fields: Vec<String>,
}

/// Changes a running instance's parameters or version, or rolls it back.
#[derive(Debug, Clone)]
pub struct Reconfigure<'a> {
    cfg: &'a Config,
    /// The instance.
    pub instance: String,
    /// The namespace (default: the context's).
    pub namespace: Option<String>,
    /// `path=value` assignments over the parameters in force.
    pub set: Vec<String>,
    /// The version to move to (in place only).
    pub version: Option<String>,
    /// Roll back: to this revision number, or `Some(None)` for the one before the current.
    pub rollback: Option<Option<u32>>,
    /// Only compute the diff.
    pub diff_only: bool,
    /// Take over fields other managers own.
    pub force_conflicts: bool,
    /// Wait until ready (default true).
    pub wait: bool,
    /// How long to wait (default 5 minutes).
    pub timeout: Duration,
}

/// What a reconfigure did or, with `diff_only`, would do.
#[derive(Debug, Clone)]
pub struct ReconfigureOutcome {
    /// The instance.
    pub instance: String,
    /// The namespace.
    pub namespace: String,
    /// `reconfigure`, `upgrade` or `rollback`.
    pub operation: Operation,
    /// The version before.
    pub from_version: String,
    /// The version after.
    pub version: String,
    /// The changes, object by object.
    pub changes: Vec<Change>,
    /// The revision recorded (none for a diff).
    pub revision: Option<u32>,
}

impl<'a> Reconfigure<'a> {
    /// A reconfigure with the CLI's defaults and nothing to change yet.
    pub fn new(cfg: &'a Config, instance: impl Into<String>) -> Self {
        Self {
            cfg,
            instance: instance.into(),
            namespace: None,
            set: Vec::new(),
            version: None,
            rollback: None,
            diff_only: false,
            force_conflicts: false,
            wait: true,
            timeout: Duration::from_secs(300),
        }
    }

    /// Runs it.
    #[tracing::instrument(skip(self, progress), fields(context = %self.cfg.context(), instance = %self.instance))]
    pub async fn run(&self, progress: ProgressSink<'_>) -> Result<ReconfigureOutcome, ActionError> {
        crate::claim::within(self.timeout, self.run_bounded(progress)).await
    }

    async fn run_bounded(
        &self,
        progress: ProgressSink<'_>,
    ) -> Result<ReconfigureOutcome, ActionError> {
        let cfg = self.cfg;
        let ns = cfg.namespace(&self.namespace);
        let _lock = if self.diff_only {
            None
        } else {
            Some(crate::lock::acquire(cfg, &ns, &self.instance)?)
        };
        let rec = record::load(cfg, &ns, &self.instance).await?;
        if rec.stopped.is_some() {
            return Err(ActionError::Unsupported(format!(
                "{} is stopped: `berth start {}` first",
                rec.instance, rec.instance
            )));
        }
        let def = cfg.definition(&rec.definition)?;
        let (values, version, operation) = self.target(&rec)?;
        check_version_change(def, &rec.version, &version, operation)?;
        let (values, effective) = plan::validate(def, &values, &version)?;
        // the credentials in force, and new ones for what the new parameters add
        let credentials = plan::credentials(
            cfg,
            def,
            &ns,
            &rec.instance,
            &effective,
            Credentials::Resolve {
                known: &rec.credentials,
            },
        )
        .await?;
        let revision = cfg
            .store
            .revisions(cfg.context(), &ns, &rec.instance)?
            .first()
            .map_or(rec.revision + 1, |r| r.revision.max(rec.revision) + 1);
        let plan = plan::render(
            &Target {
                definition: def,
                instance: &rec.instance,
                namespace: &ns,
                version: &version,
                values: &values,
                revision,
            },
            credentials,
        )?;
        let (changes, growths) = diff(cfg, &rec, &plan.objects).await?;
        let mut outcome = ReconfigureOutcome {
            instance: rec.instance.clone(),
            namespace: ns.clone(),
            operation,
            from_version: rec.version.clone(),
            version: version.clone(),
            changes,
            revision: None,
        };
        if self.diff_only {
            return Ok(outcome);
        }
        if outcome.changes.is_empty() && operation != Operation::Rollback {
            return Err(ActionError::InvalidInput(format!(
                "nothing changes: {} already runs with these parameters",
                rec.instance
            )));
        }
        progress(Progress::Step("dry-run".into()));
        preflight::dry_run(
            cfg,
            &volume_growth::for_dry_run(&plan.objects, &growths),
            self.force_conflicts,
        )
        .await?;
        let new_record = Record {
            created: rec.created.clone(),
            fenced: rec.fenced,
            ..plan.record.clone()
        };
        let pending = RevisionGuard::begin(
            cfg,
            &NewRevision {
                context: cfg.context(),
                namespace: &ns,
                instance: &rec.instance,
                definition: def.id(),
                version: &version,
                operation,
                parameters: &plan.record.parameters,
                manifest_digest: Some(&plan.digest),
            },
        )?;
        let revision = pending.number();
        let result = async {
            commit::store_credentials(cfg, &plan).await?;
            for growth in &growths {
                progress(Progress::Step(format!(
                    "grow the volumes of StatefulSet {}",
                    growth.statefulset
                )));
                volume_growth::carry_out(cfg, &ns, growth).await?;
            }
            progress(Progress::Step("apply".into()));
            let options = ApplyOptions {
                dry_run: false,
                force_conflicts: self.force_conflicts,
            };
            let mut applied = Vec::new();
            commit::apply_ranked(cfg, &plan.objects, options, progress, &mut applied).await?;
            for change in &outcome.changes {
                if change.kind == ChangeKind::Removed
                    && let Some((kind, name)) = change.object.split_once(' ')
                {
                    let target = removed_ref(kind, name, &ns);
                    cfg.cluster.delete(&target).await?;
                }
            }
            cfg.cluster
                .apply(&new_record.to_object(), ApplyOptions::default())
                .await?;
            if self.wait {
                crate::wait::until_ready(cfg, def, &new_record, self.timeout, progress).await?;
            }
            Ok(())
        }
        .await;
        pending.finish(&result)?;
        result?;
        outcome.revision = Some(revision);
        Ok(outcome)
    }

    /// The parameters, version and operation asked for.
    fn target(&self, rec: &Record) -> Result<(Value, String, Operation), ActionError> {
        let cfg = self.cfg;
        if let Some(to) = self.rollback {
            let history = cfg
                .store
                .revisions(cfg.context(), &rec.namespace, &rec.instance)?;
            let changed_it = |op: Operation| {
                matches!(
                    op,
                    Operation::Install
                        | Operation::Upgrade
                        | Operation::Reconfigure
                        | Operation::Rollback
                )
            };
            let found = match to {
                Some(n) => history.iter().find(|r| r.revision == n).ok_or_else(|| {
                    ActionError::InvalidInput(format!(
                        "{} has no revision {n} (see `berth history {}`)",
                        rec.instance, rec.instance
                    ))
                })?,
                None => history
                    .iter()
                    .filter(|r| r.revision < rec.revision)
                    .filter(|r| r.status != RevisionStatus::Failed && changed_it(r.operation))
                    .find(|r| r.parameters != rec.parameters || r.version != rec.version)
                    .ok_or_else(|| {
                        ActionError::InvalidInput(format!(
                            "{} has no earlier revision to roll back to",
                            rec.instance
                        ))
                    })?,
            };
            return Ok((
                found.parameters.clone(),
                found.version.clone(),
                Operation::Rollback,
            ));
        }
        let def = cfg.definition(&rec.definition)?;
        let mut values = rec.parameters.clone();
        for set in &self.set {
            def.apply_set(&mut values, set)?;
        }
        let version = self.version.clone().unwrap_or_else(|| rec.version.clone());
        if self.set.is_empty() && version == rec.version && self.version.is_some() {
            return Err(ActionError::InvalidInput(format!(
                "{} already runs version {version}",
                rec.instance
            )));
        }
        if self.set.is_empty() && self.version.is_none() {
            return Err(ActionError::InvalidInput(
                "nothing to change: pass --set key=value or --version".into(),
            ));
        }
        let operation = if version != rec.version {
            Operation::Upgrade
        } else {
            Operation::Reconfigure
        };
        Ok((values, version, operation))
    }
}

fn check_version_change(
    def: &Definition,
    from: &str,
    to: &str,
    operation: Operation,
) -> Result<(), ActionError> {
    if from == to {
        return Ok(());
    }
    let Some(target) = def.version(to) else {
        return Err(ActionError::InvalidInput(format!(
            "{} has no version {to:?}; versions: {}",
            def.id(),
            def.spec
                .versions
                .iter()
                .map(|v| v.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    let current = def.version(from);
    let in_place = current.is_some_and(|c| c.upgradable_to.iter().any(|v| v == to));
    // a rollback may undo an in-place upgrade
    let undo = operation == Operation::Rollback && target.upgradable_to.iter().any(|v| v == from);
    if in_place || undo {
        return Ok(());
    }
    if current.is_some_and(|c| c.copy_upgradable_to.iter().any(|v| v == to)) {
        return Err(ActionError::Unsupported(format!(
            "{} {from} → {to} cannot be upgraded in place (the data format changes): install {to} as a new instance and copy the data into it",
            def.spec.title
        )));
    }
    Err(ActionError::Unsupported(format!(
        "{} {from} → {to} is not a supported upgrade{}",
        def.spec.title,
        current
            .filter(|c| !c.upgradable_to.is_empty())
            .map(|c| format!("; in place from {from}: {}", c.upgradable_to.join(", ")))
            .unwrap_or_default()
    )))
}

fn removed_ref(kind: &str, name: &str, ns: &str) -> ObjectRef {
    let api_version = match kind {
        "StatefulSet" | "Deployment" => "apps/v1",
        "PodDisruptionBudget" => "policy/v1",
        "HorizontalPodAutoscaler" => "autoscaling/v2",
        _ => "v1",
    };
    ObjectRef {
        api_version: api_version.into(),
        kind: kind.into(),
        namespace: Some(ns.to_owned()),
        name: name.into(),
    }
}

/// What applying `objects` would change in the live instance.
/// What would change, and the volumes that would grow with it.
async fn diff(
    cfg: &Config,
    rec: &Record,
    objects: &[Value],
) -> Result<(Vec<Change>, Vec<Growth>), ActionError> {
    let mut changes = Vec::new();
    let mut growths = Vec::new();
    let mut rendered_names = Vec::new();
    for object in objects {
        let target = ObjectRef::of(object)?;
        let name = format!("{} {}", target.kind, target.name);
        rendered_names.push(name.clone());
        match cfg.cluster.get(&target).await? {
            None => changes.push(Change {
                object: name,
                kind: ChangeKind::Added,
                fields: Vec::new(),
            }),
            Some(live) => {
                let secret = target.kind == "Secret";
                let mut fields = Vec::new();
                compare("", object, &live, secret, &mut fields);
                // the revision annotation changes every time; it is not news
                fields.retain(|f| !f.contains("berth.dev/revision"));
                if target.kind == "StatefulSet"
                    && let Some(growth) = volume_growth::plan(
                        cfg,
                        &rec.instance,
                        &rec.namespace,
                        object,
                        &live,
                        &fields,
                    )
                    .await?
                {
                    growths.push(growth);
                }
                if !fields.is_empty() {
                    changes.push(Change {
                        object: name,
                        kind: ChangeKind::Changed,
                        fields,
                    });
                }
            }
        }
    }
    let selector = instance_selector(&rec.instance);
    for (api_version, kind) in crate::uninstall::KINDS {
        let live = match cfg
            .cluster
            .list(api_version, kind, Some(&rec.namespace), &selector)
            .await
        {
            Ok(l) => l,
            Err(ClusterError::Api { code: 404, .. }) => continue,
            Err(e) => return Err(e.into()),
        };
        for object in live {
            let name = object["metadata"]["name"].as_str().unwrap_or_default();
            let key = format!("{kind} {name}");
            // only what Berth applied: an object another tool labelled alike is not Berth's to delete
            if name != record_name(&rec.instance)
                && !rendered_names.contains(&key)
                && crate::recover::applied_by_berth(&object)
            {
                changes.push(Change {
                    object: key,
                    kind: ChangeKind::Removed,
                    fields: Vec::new(),
                });
            }
        }
    }
    Ok((changes, growths))
}

/// Collects the leaves of `want` that differ in `live` as `path: old → new`.
fn compare(path: &str, want: &Value, live: &Value, secret: bool, out: &mut Vec<String>) {
    match want {
        Value::Object(map) => {
            for (k, v) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                compare(&p, v, live.get(k).unwrap_or(&Value::Null), secret, out);
            }
        }
        Value::Array(items) => {
            let live_items = live.as_array();
            if live_items.map(Vec::len) != Some(items.len()) {
                out.push(format!(
                    "{path}: {} items → {} items",
                    live_items.map_or(0, Vec::len),
                    items.len()
                ));
                return;
            }
            for (i, v) in items.iter().enumerate() {
                compare(&format!("{path}[{i}]"), v, &live[i], secret, out);
            }
        }
        leaf => {
            if !same(leaf, live) {
                if secret && (path.starts_with("data.") || path.starts_with("stringData.")) {
                    out.push(format!("{path}: (secret value changes)"));
                } else {
                    out.push(format!("{path}: {live} → {leaf}"));
                }
            }
        }
    }
}

/// Equal, counting `1` and `"1"` alike (the server may normalise scalars).
fn same(a: &Value, b: &Value) -> bool {
    a == b
        || match (a, b) {
            (Value::String(s), other) | (other, Value::String(s)) if !other.is_string() => {
                let text = other.to_string();
                text == *s
            }
            _ => false,
        }
}
