//! `Recover`: brings an instance whose last operation was interrupted (its process died) or
//! failed (the API server went away for longer than the timeout) back to a consistent state.
//!
//! * Resume (the default): the failed revision's parameters and version are rendered again with
//!   the credentials in the keyring and every object, the record last, is server-side applied
//!   (re-applying what is already there changes nothing), then Berth waits until it is ready.
//!   An interrupted uninstall is finished instead (volumes and credentials kept).
//! * Roll back (`rollback`): the same with the parameters and version of the last revision that
//!   succeeded; when there is none (an interrupted first install), everything the install
//!   created is removed, volumes and credentials included.
//!
//! Either way the instance ends with exactly the target revision's objects: what the failed
//! operation had added and the target does not render (a PodDisruptionBudget or a Service of more
//! replicas, say) is deleted — only objects with the instance's labels that field manager `berth`
//! applied, never the record, never volumes. The outcome is a new `recover` revision; the
//! interrupted one stays `failed`.

use std::collections::HashSet;
use std::time::Duration;

use berth_cluster::{ApplyOptions, ClusterError, FIELD_MANAGER, ObjectRef};
use berth_store::{NewRevision, Operation, Revision, RevisionStatus, Store};
use serde_json::{Value, json};

use crate::pipeline::{Credentials, Plan, RevisionGuard, Target, commit, plan};
use crate::record::{Record, record_name};
use crate::wait::{Progress, ProgressSink};
use crate::{ActionError, Config, instance_selector};

/// What a recovery did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecoveryKind {
    /// The interrupted operation was completed.
    Resumed,
    /// The instance went back to its last successful revision.
    RolledBack,
    /// Nothing had ever succeeded: what was created was removed.
    Removed,
}

impl RecoveryKind {
    /// `resumed`, `rolledBack` or `removed`.
    pub fn as_str(self) -> &'static str {
        match self {
            RecoveryKind::Resumed => "resumed",
            RecoveryKind::RolledBack => "rolledBack",
            RecoveryKind::Removed => "removed",
        }
    }
}

/// What a recovery did.
#[derive(Debug, Clone)]
pub struct RecoverOutcome {
    /// The instance.
    pub instance: String,
    /// The namespace.
    pub namespace: String,
    /// The revision that was interrupted or failed.
    pub from: Revision,
    /// What was done.
    pub kind: RecoveryKind,
    /// The `recover` revision recorded.
    pub revision: u32,
    /// The revision whose parameters and version are now in force (none when removed).
    pub target_revision: Option<u32>,
    /// Whether the instance was waited for and is ready.
    pub ready: bool,
}

/// Revisions an instance's history ends with that did not succeed (interrupted operations are
/// first marked failed, see [`crate::interrupted`]): what `berth recover` offers, newest first.
pub fn recoverable(store: &Store) -> Result<Vec<Revision>, ActionError> {
    crate::interrupted(store)?;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for r in store.history(u32::MAX)? {
        let key = (r.context.clone(), r.namespace.clone(), r.instance.clone());
        if seen.insert(key) && r.status == RevisionStatus::Failed {
            out.push(r);
        }
    }
    Ok(out)
}

/// Resumes or rolls back an instance's failed last operation.
#[derive(Debug, Clone)]
pub struct Recover<'a> {
    cfg: &'a Config,
    /// The instance.
    pub instance: String,
    /// The namespace (default: the context's).
    pub namespace: Option<String>,
    /// Go back to the last successful revision instead of completing the failed one.
    pub rollback: bool,
    /// Wait until ready (default true).
    pub wait: bool,
    /// How long to wait (default 5 minutes).
    pub timeout: Duration,
}

impl<'a> Recover<'a> {
    /// A recovery with the CLI's defaults (resume and wait).
    pub fn new(cfg: &'a Config, instance: impl Into<String>) -> Self {
        Self {
            cfg,
            instance: instance.into(),
            namespace: None,
            rollback: false,
            wait: true,
            timeout: Duration::from_secs(300),
        }
    }

    /// Runs it.
    #[tracing::instrument(skip(self, progress), fields(context = %self.cfg.context(), instance = %self.instance))]
    pub async fn run(&self, progress: ProgressSink<'_>) -> Result<RecoverOutcome, ActionError> {
        crate::claim::within(self.timeout, self.run_bounded(progress)).await
    }

    async fn run_bounded(&self, progress: ProgressSink<'_>) -> Result<RecoverOutcome, ActionError> {
        let cfg = self.cfg;
        let ns = cfg.namespace(&self.namespace);
        crate::interrupted(&cfg.store)?;
        let _lock = crate::lock::acquire(cfg, &ns, &self.instance)?;
        let history = cfg.store.revisions(cfg.context(), &ns, &self.instance)?;
        if history.is_empty() {
            // an instance this machine never touched: not found when it is not in the cluster
            // either, as every command reports it
            crate::record::load(cfg, &ns, &self.instance).await?;
        }
        let Some(failed) = history
            .first()
            .filter(|r| r.status == RevisionStatus::Failed)
        else {
            return Err(ActionError::InvalidInput(format!(
                "{} in {}/{ns} has nothing to recover: its last operation did not fail (see `berth history {}`)",
                self.instance,
                cfg.context(),
                self.instance
            )));
        };
        let failed = failed.clone();
        let (kind, target) = if self.rollback {
            let good = history.iter().skip(1).find(|r| {
                matches!(
                    r.status,
                    RevisionStatus::Succeeded | RevisionStatus::Superseded
                ) && changes_parameters(r.operation)
            });
            match good {
                Some(g) => (RecoveryKind::RolledBack, Some(g.clone())),
                None => (RecoveryKind::Removed, None),
            }
        } else {
            match failed.operation {
                Operation::Uninstall => (RecoveryKind::Resumed, None),
                Operation::Stop | Operation::Start => {
                    return Err(ActionError::Unsupported(format!(
                        "the {} of {} was interrupted: repeat it (`berth {} {}`), or `berth recover {} --rollback`",
                        failed.operation,
                        self.instance,
                        failed.operation,
                        self.instance,
                        self.instance
                    )));
                }
                _ => (RecoveryKind::Resumed, Some(failed.clone())),
            }
        };
        let shown = target.as_ref().unwrap_or(&failed);
        // planned before anything is recorded: a target that no longer renders changes nothing
        let plan = match &target {
            Some(t) => Some(self.plan(&ns, t, failed.revision + 1).await?),
            None => None,
        };
        let pending = RevisionGuard::begin(
            cfg,
            &NewRevision {
                context: cfg.context(),
                namespace: &ns,
                instance: &self.instance,
                definition: &shown.definition,
                version: &shown.version,
                operation: Operation::Recover,
                parameters: &shown.parameters,
                manifest_digest: plan.as_ref().map(|p| p.digest.as_str()),
            },
        )?;
        let revision = pending.number();
        let result = async {
            match &plan {
                Some(plan) => self.reapply(&ns, plan, revision, progress).await,
                None => {
                    progress(Progress::Step("remove".into()));
                    let rec = Record {
                        instance: self.instance.clone(),
                        namespace: ns.clone(),
                        definition: failed.definition.clone(),
                        version: failed.version.clone(),
                        parameters: failed.parameters.clone(),
                        revision,
                        credentials: self.credential_keys(&failed),
                        stopped: None,
                        created: None,
                        fenced: false,
                    };
                    // a first install rolled back leaves nothing; a resumed uninstall keeps data
                    let delete_data = kind == RecoveryKind::Removed;
                    let (mut deleted, mut kept) = (Vec::new(), Vec::new());
                    crate::uninstall::remove_instance(
                        cfg,
                        &rec,
                        delete_data,
                        &mut deleted,
                        &mut kept,
                    )
                    .await?;
                    Ok(false)
                }
            }
        }
        .await;
        let ready = *result.as_ref().unwrap_or(&false);
        let done = result.map(drop);
        pending.finish(&done)?;
        done?;
        Ok(RecoverOutcome {
            instance: self.instance.clone(),
            namespace: ns,
            from: failed,
            kind,
            revision,
            target_revision: target.map(|t| t.revision),
            ready,
        })
    }

    /// The credential keys the failed revision's parameters need.
    fn credential_keys(&self, revision: &Revision) -> Vec<String> {
        self.cfg
            .catalog
            .get(&revision.definition)
            .map(|d| d.required_credentials(&revision.parameters))
            .unwrap_or_default()
    }

    /// Renders `target`'s parameters and version as revision `revision`, with the credentials
    /// in the keyring (a key it lacks was never used: the operation was killed before it kept
    /// them, so a fresh one is made).
    async fn plan(&self, ns: &str, target: &Revision, revision: u32) -> Result<Plan, ActionError> {
        let cfg = self.cfg;
        let def = cfg.definition(&target.definition)?;
        let values = if target.parameters.is_object() {
            target.parameters.clone()
        } else {
            json!({})
        };
        let (values, effective) = plan::validate(def, &values, &target.version)?;
        let credentials = plan::credentials(
            cfg,
            def,
            ns,
            &self.instance,
            &effective,
            Credentials::Resolve { known: &[] },
        )
        .await?;
        plan::render(
            &Target {
                definition: def,
                instance: &self.instance,
                namespace: ns,
                version: &target.version,
                values: &values,
                revision,
            },
            credentials,
        )
    }

    /// Applies every object of the plan, the record last, and prunes what it does not hold.
    async fn reapply(
        &self,
        ns: &str,
        plan: &Plan,
        revision: u32,
        progress: ProgressSink<'_>,
    ) -> Result<bool, ActionError> {
        let cfg = self.cfg;
        debug_assert_eq!(plan.record.revision, revision);
        let record = &plan.record;
        let def = cfg.definition(&record.definition)?;
        commit::store_credentials(cfg, plan).await?;
        progress(Progress::Step("apply".into()));
        if !cfg.cluster.namespace_exists(ns).await? {
            cfg.cluster
                .apply(&commit::namespace_object(ns), ApplyOptions::default())
                .await?;
        }
        let objects = plan.with_record();
        let mut applied = Vec::new();
        commit::apply_ranked(
            cfg,
            &objects,
            ApplyOptions::default(),
            progress,
            &mut applied,
        )
        .await?;
        debug_assert!(
            applied
                .iter()
                .any(|o| o.name == record_name(&self.instance))
        );
        let pruned = prune(cfg, ns, &self.instance, &objects).await?;
        if !pruned.is_empty() {
            tracing::info!(objects = ?pruned, "deleted what the target revision does not have");
            progress(Progress::Step(format!("removed {}", pruned.join(", "))));
        }
        if !self.wait {
            return Ok(false);
        }
        crate::wait::until_ready(cfg, def, record, self.timeout, progress).await?;
        Ok(true)
    }
}

/// Deletes the instance's objects that `berth` applied and `wanted` does not hold (by kind and
/// name); returns them as `Kind name`. The record ConfigMap and volumes are never touched (PVCs
/// are not among the kinds listed, and claim-template volumes are the controller's, not Berth's).
pub(crate) async fn prune(
    cfg: &Config,
    ns: &str,
    instance: &str,
    wanted: &[Value],
) -> Result<Vec<String>, ActionError> {
    let wanted: HashSet<(String, String)> = wanted
        .iter()
        .filter_map(|o| {
            Some((
                o["kind"].as_str()?.to_owned(),
                o["metadata"]["name"].as_str()?.to_owned(),
            ))
        })
        .collect();
    let selector = instance_selector(instance);
    let mut pruned = Vec::new();
    for (api_version, kind) in crate::uninstall::KINDS {
        let live = match cfg
            .cluster
            .list(api_version, kind, Some(ns), &selector)
            .await
        {
            Ok(l) => l,
            // a kind this cluster does not serve has no objects
            Err(ClusterError::Api { code: 404, .. }) => continue,
            Err(e) => return Err(e.into()),
        };
        for object in live {
            let target = ObjectRef::of(&object)?;
            let is_record = target.kind == "ConfigMap" && target.name == record_name(instance);
            if is_record
                || wanted.contains(&(target.kind.clone(), target.name.clone()))
                || !applied_by_berth(&object)
            {
                continue;
            }
            cfg.cluster.delete(&target).await?;
            pruned.push(format!("{} {}", target.kind, target.name));
        }
    }
    Ok(pruned)
}

/// Whether field manager `berth` applied (part of) the object.
pub(crate) fn applied_by_berth(object: &Value) -> bool {
    object["metadata"]["managedFields"]
        .as_array()
        .is_some_and(|fields| {
            fields
                .iter()
                .any(|f| f["manager"] == FIELD_MANAGER && f["operation"] == "Apply")
        })
}

/// Whether a revision of this operation sets parameters and version (something to go back to).
fn changes_parameters(op: Operation) -> bool {
    matches!(
        op,
        Operation::Install
            | Operation::Upgrade
            | Operation::Reconfigure
            | Operation::Rollback
            | Operation::Recover
            | Operation::Adopt
            | Operation::Restart
            | Operation::Start
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn only_objects_applied_by_berth_are_pruned() {
        let applied = |manager: &str, operation: &str| {
            json!({"metadata": {"managedFields": [
                {"manager": "kube-controller-manager", "operation": "Update"},
                {"manager": manager, "operation": operation},
            ]}})
        };
        assert!(super::applied_by_berth(&applied("berth", "Apply")));
        assert!(!super::applied_by_berth(&applied("kubectl", "Apply")));
        assert!(!super::applied_by_berth(&applied("berth-scale", "Apply")));
        assert!(!super::applied_by_berth(&applied("berth", "Update")));
        assert!(!super::applied_by_berth(&json!({"metadata": {}})));
    }
}
