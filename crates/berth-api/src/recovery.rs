//! Recovery and history details: `berth adopt` (an instance installed elsewhere taken into
//! the local history), `berth recover` (resume or roll back an interrupted or failed
//! operation) and the per-revision parameter changes `berth history` shows.

use std::collections::HashMap;
use std::time::Duration;

use berth_actions::{Progress, Recover};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::instances::{action_error, revision_info};
use crate::{Api, ApiError, ErrorCode, InstanceRef, ProgressEvent, RevisionInfo};

/// One parameter a revision changed.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ParameterChange {
    /// The parameter's path (`resources.memory`).
    pub path: String,
    /// The value before (none when it was added); `"<hidden>"` for secret-looking parameters.
    pub old: Option<serde_json::Value>,
    /// The value after (none when it was removed); `"<hidden>"` for secret-looking parameters.
    pub new: Option<serde_json::Value>,
}

/// What to recover.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct RecoverInput {
    /// Which instance (the context and namespace default to those of its failed revision).
    pub instance: InstanceRef,
    /// Go back to the last successful revision instead of completing the failed operation.
    pub rollback: bool,
    /// Return once applied instead of waiting until ready.
    pub no_wait: bool,
    /// How long to wait until ready, in seconds (default 300).
    pub timeout_seconds: Option<u64>,
}

/// What a recovery did.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RecoverResult {
    /// The context.
    pub context: String,
    /// The namespace.
    pub namespace: String,
    /// The instance.
    pub name: String,
    /// `resumed`, `rolledBack` or `removed`.
    pub action: String,
    /// The revision that was interrupted or failed.
    pub from_revision: u32,
    /// Its operation.
    pub from_operation: crate::RevisionOperation,
    /// The `recover` revision recorded.
    pub revision: u32,
    /// The revision whose parameters and version are now in force (none when removed).
    pub target_revision: Option<u32>,
    /// Whether it was waited for and is ready.
    pub ready: bool,
}

/// What an adoption did.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AdoptResult {
    /// The context.
    pub context: String,
    /// The namespace.
    pub namespace: String,
    /// The instance.
    pub name: String,
    /// The service id.
    pub service: String,
    /// The version.
    pub version: String,
    /// The `adopt` revision recorded in the local history.
    pub revision: u32,
    /// The revision the record in the cluster carries (from the other machine).
    pub cluster_revision: u32,
}

impl Api {
    /// Takes an instance installed from another machine into this machine's history.
    #[tracing::instrument(skip(self))]
    pub async fn adopt_instance(&self, which: &InstanceRef) -> Result<AdoptResult, ApiError> {
        let cfg = self.action_config(which.context.as_deref()).await?;
        let mut action = berth_actions::Adopt::new(&cfg, which.name.clone());
        action.namespace = which.namespace.clone();
        let (record, revision) = action.run().await.map_err(action_error)?;
        Ok(AdoptResult {
            context: cfg.context().to_owned(),
            namespace: record.namespace,
            name: record.instance,
            service: record.definition,
            version: record.version,
            revision,
            cluster_revision: record.revision,
        })
    }

    /// Instances whose last operation was interrupted or failed, newest first (interrupted
    /// operations are marked failed first).
    pub fn recoverable_operations(&self) -> Result<Vec<RevisionInfo>, ApiError> {
        Ok(berth_actions::recoverable(&self.store)
            .map_err(action_error)?
            .into_iter()
            .map(revision_info)
            .collect())
    }

    /// Resumes or rolls back an instance's interrupted or failed last operation.
    #[tracing::instrument(skip(self, input, progress), fields(instance = %input.instance.name))]
    pub async fn recover_instance(
        &self,
        input: &RecoverInput,
        progress: &(dyn Fn(ProgressEvent) + Send + Sync),
    ) -> Result<RecoverResult, ApiError> {
        let which = &input.instance;
        let candidates: Vec<RevisionInfo> = self
            .recoverable_operations()?
            .into_iter()
            .filter(|r| r.name == which.name)
            .filter(|r| which.context.as_ref().is_none_or(|c| *c == r.context))
            .filter(|r| which.namespace.as_ref().is_none_or(|n| *n == r.namespace))
            .collect();
        let found = match candidates.as_slice() {
            [one] => one,
            [] => {
                return Err(ApiError::new(
                    ErrorCode::NotFound,
                    format!(
                        "{} has no interrupted or failed operation to recover (`berth recover` lists them)",
                        which.name
                    ),
                ));
            }
            many => {
                return Err(ApiError::new(
                    ErrorCode::InvalidInput,
                    format!(
                        "{} needs recovering in several places ({}): pass --context and --namespace",
                        which.name,
                        many.iter()
                            .map(|r| format!("{}/{}", r.context, r.namespace))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        };
        let cfg = self.action_config(Some(&found.context)).await?;
        let mut action = Recover::new(&cfg, which.name.clone());
        action.namespace = Some(found.namespace.clone());
        action.rollback = input.rollback;
        action.wait = !input.no_wait;
        if let Some(t) = input.timeout_seconds {
            action.timeout = Duration::from_secs(t);
        }
        let sink = |p: Progress| progress(p.into());
        let done = action.run(&sink).await.map_err(action_error)?;
        Ok(RecoverResult {
            context: cfg.context().to_owned(),
            namespace: done.namespace,
            name: done.instance,
            action: done.kind.as_str().to_owned(),
            from_revision: done.from.revision,
            from_operation: done.from.operation.into(),
            revision: done.revision,
            target_revision: done.target_revision,
            ready: done.ready,
        })
    }
}

/// For every revision (by row id), the parameters it changed against the revision of the same
/// instance before it. `history` is newest first, as the store returns it.
pub(crate) fn parameter_changes(
    history: &[berth_store::Revision],
) -> HashMap<i64, Vec<ParameterChange>> {
    let mut before: HashMap<(&str, &str, &str), &Value> = HashMap::new();
    let mut out = HashMap::new();
    let mut oldest_first: Vec<&berth_store::Revision> = history.iter().collect();
    oldest_first.sort_by_key(|r| (r.revision, r.id));
    for r in oldest_first {
        let key = (
            r.context.as_str(),
            r.namespace.as_str(),
            r.instance.as_str(),
        );
        let mut changes = Vec::new();
        if let Some(prev) = before.get(&key) {
            diff_values("", prev, &r.parameters, &mut changes);
        }
        before.insert(key, &r.parameters);
        out.insert(r.id, changes);
    }
    out
}

/// Whether a parameter name looks like it holds a secret.
fn secret_looking(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    ["password", "secret", "token", "credential", "key"]
        .iter()
        .any(|w| p.rsplit('.').next().is_some_and(|leaf| leaf.contains(w)))
}

fn diff_values(path: &str, old: &Value, new: &Value, out: &mut Vec<ParameterChange>) {
    if let (Value::Object(a), Value::Object(b)) = (old, new) {
        let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            let p = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            match (a.get(k), b.get(k)) {
                (Some(x), Some(y)) => diff_values(&p, x, y, out),
                (x, y) => push(&p, x, y, out),
            }
        }
    } else if old != new {
        push(path, Some(old), Some(new), out);
    }
}

fn push(path: &str, old: Option<&Value>, new: Option<&Value>, out: &mut Vec<ParameterChange>) {
    let hidden = secret_looking(path);
    let show = |v: Option<&Value>| {
        v.map(|v| {
            if hidden {
                Value::String("<hidden>".into())
            } else {
                v.clone()
            }
        })
    };
    out.push(ParameterChange {
        path: path.to_owned(),
        old: show(old),
        new: show(new),
    });
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn changed_added_and_removed_parameters_are_listed_and_secrets_hidden() {
        let mut out = Vec::new();
        super::diff_values(
            "",
            &json!({"replicas": 1, "resources": {"memory": "1Gi"}, "auth": {"apiKey": "a"}, "gone": true}),
            &json!({"replicas": 3, "resources": {"memory": "1Gi"}, "auth": {"apiKey": "b"}, "tls": {"enabled": true}}),
            &mut out,
        );
        let shown: Vec<String> = out
            .iter()
            .map(|c| format!("{} {:?} {:?}", c.path, c.old, c.new))
            .collect();
        assert_eq!(
            shown,
            vec![
                r#"auth.apiKey Some(String("<hidden>")) Some(String("<hidden>"))"#,
                "gone Some(Bool(true)) None",
                "replicas Some(Number(1)) Some(Number(3))",
                "tls None Some(Object {\"enabled\": Bool(true)})",
            ]
        );
    }
}
