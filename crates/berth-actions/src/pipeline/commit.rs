//! Commit: apply in dependency waves, prune what is no longer rendered, wait until ready.

use berth_catalog::render::apply_rank;
use berth_cluster::{ApplyOptions, ObjectRef};
use serde_json::{Value, json};

use berth_secrets::Sensitive;

use crate::pipeline::Plan;
use crate::wait::{Progress, ProgressSink};
use crate::{ActionError, Config, credential_handle};

/// Stores the plan's credentials that did not come from the keyring (generated now, or
/// supplied), all at once on a blocking thread.
pub(crate) async fn store_credentials(cfg: &Config, plan: &Plan) -> Result<(), ActionError> {
    let rec = &plan.record;
    let entries: Vec<(String, Sensitive<String>)> = plan
        .credentials
        .generated
        .iter()
        .map(|key| {
            let handle = credential_handle(cfg.context(), &rec.namespace, &rec.instance, key);
            (handle, Sensitive::new(plan.credentials.values[key].clone()))
        })
        .collect();
    if entries.is_empty() {
        return Ok(());
    }
    cfg.keyring.write_all(entries).await?;
    Ok(())
}

/// The Namespace object of `name`.
pub(crate) fn namespace_object(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
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
