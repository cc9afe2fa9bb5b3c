//! The record ConfigMap `berth-<instance>`: what another machine needs to discover an instance
//! (definition, version, non-secret parameters, revision, the credential keys and, while stopped,
//! what to restore). It is applied whole by field manager `berth` every time it changes.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::ActionError;

/// The label that marks record ConfigMaps (value `true`), for discovery.
pub const RECORD_LABEL: &str = "berth.dev/record";
/// The annotation holding what `stop` scaled down, as JSON.
pub const STOPPED_ANNOTATION: &str = "berth.dev/stopped";

/// The name of an instance's record ConfigMap.
pub fn record_name(instance: &str) -> String {
    format!("berth-{instance}")
}

/// What one stopped workload ran before the stop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoppedWorkload {
    /// `StatefulSet` or `Deployment`.
    pub kind: String,
    /// The workload's name.
    pub name: String,
    /// Its replicas before the stop.
    pub replicas: i64,
}

/// What `stop` took away and `start` gives back.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StoppedState {
    /// The workloads and their replica counts.
    pub workloads: Vec<StoppedWorkload>,
    /// The autoscalers that were deleted, as applied objects.
    pub autoscalers: Vec<Value>,
}

/// An instance as its record ConfigMap describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The instance name.
    pub instance: String,
    /// The namespace.
    pub namespace: String,
    /// The catalog definition id.
    pub definition: String,
    /// The definition version.
    pub version: String,
    /// The non-secret parameters in force.
    pub parameters: Value,
    /// The revision that last changed the instance.
    pub revision: u32,
    /// The keys of the credentials kept in the keyring.
    pub credentials: Vec<String>,
    /// Set while the instance is stopped.
    pub stopped: Option<StoppedState>,
    /// When the record was created (RFC 3339), as the server says.
    pub created: Option<String>,
    /// Whether a transfer's fence is up: client Services point at no pod. The fence writes
    /// and lifts its own annotation ([`crate::transfer::fence::FENCE_ANNOTATION`]);
    /// [`Record::to_object`] leaves it alone.
    pub fenced: bool,
}

impl Record {
    /// The ConfigMap to apply.
    pub fn to_object(&self) -> Value {
        let mut annotations = json!({ "berth.dev/revision": self.revision.to_string() });
        if let Some(stopped) = &self.stopped {
            annotations[STOPPED_ANNOTATION] =
                Value::String(serde_json::to_string(stopped).unwrap_or_default());
        }
        json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": record_name(&self.instance),
                "namespace": self.namespace,
                "labels": {
                    "app.kubernetes.io/managed-by": "berth",
                    "app.kubernetes.io/instance": self.instance,
                    "app.kubernetes.io/name": self.definition,
                    "app.kubernetes.io/version": self.version,
                    RECORD_LABEL: "true",
                },
                "annotations": annotations,
            },
            "data": {
                "definition": self.definition,
                "version": self.version,
                "parameters": self.parameters.to_string(),
                "revision": self.revision.to_string(),
                "credentials": self.credentials.join(","),
            }
        })
    }

    /// Reads a record out of a ConfigMap.
    pub fn from_object(object: &Value) -> Result<Self, ActionError> {
        let meta = &object["metadata"];
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        let data = &object["data"];
        let bad = |what: &str| {
            ActionError::InvalidInput(format!(
                "record ConfigMap {}/{} is damaged: {what}",
                text(&meta["namespace"]),
                text(&meta["name"])
            ))
        };
        let instance = meta["labels"]["app.kubernetes.io/instance"]
            .as_str()
            .ok_or_else(|| bad("no instance label"))?
            .to_owned();
        let parameters = serde_json::from_str(data["parameters"].as_str().unwrap_or("{}"))
            .map_err(|e| bad(&format!("parameters: {e}")))?;
        let stopped = match meta["annotations"][STOPPED_ANNOTATION].as_str() {
            Some(s) => Some(serde_json::from_str(s).map_err(|e| bad(&format!("stopped: {e}")))?),
            None => None,
        };
        Ok(Self {
            instance,
            namespace: text(&meta["namespace"]),
            definition: text(&data["definition"]),
            version: text(&data["version"]),
            parameters,
            revision: data["revision"]
                .as_str()
                .and_then(|r| r.parse().ok())
                .unwrap_or(0),
            credentials: data["credentials"]
                .as_str()
                .unwrap_or_default()
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            stopped,
            created: meta["creationTimestamp"].as_str().map(str::to_owned),
            fenced: meta["annotations"]
                .get(crate::transfer::fence::FENCE_ANNOTATION)
                .is_some_and(|f| !f.is_null()),
        })
    }
}

/// Reads an instance's record from the cluster; `NotFound` with a hint when there is none.
pub(crate) async fn load(
    cfg: &crate::Config,
    namespace: &str,
    instance: &str,
) -> Result<Record, ActionError> {
    let target = berth_cluster::ObjectRef {
        api_version: "v1".into(),
        kind: "ConfigMap".into(),
        namespace: Some(namespace.to_owned()),
        name: record_name(instance),
    };
    match cfg.cluster.get(&target).await? {
        Some(cm) => Record::from_object(&cm),
        None => Err(ActionError::NotFound(format!(
            "no instance {instance:?} in namespace {namespace:?} of context {:?} (see `berth ls`)",
            cfg.context()
        ))),
    }
}
