//! The fence: client traffic stops reaching an instance while its pods keep running for the
//! export. Every client Service of the instance (not the headless ones the pods need for their
//! own names) gets a selector that matches no pod, and the definition's `quiesce` runs where it
//! has one (read-only mode). What was changed is written to the instance's record ConfigMap
//! (annotation [`FENCE_ANNOTATION`]) **before** anything else, so any later Berth (`berth start`,
//! `berth transfer abort`, another machine) can lift it exactly.

use berth_cluster::ObjectRef;
use k8s_openapi::api::core::v1::{ConfigMap, Service};
use kube::api::{Api, Patch, PatchParams};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::remote::{self, Place};
use crate::record::{self, record_name};
use crate::{ActionError, Config, instance_selector};

/// The record annotation holding an instance's fence.
pub const FENCE_ANNOTATION: &str = "berth.dev/fence";

/// The record annotation naming where a moved instance went (`context/namespace/instance`):
/// `berth ls` lists the instance at its new place only.
pub const MOVED_TO_ANNOTATION: &str = "berth.dev/moved-to";

/// The selector label a fenced Service points at: no pod carries it.
const FENCED_LABEL: &str = "berth.dev/fenced";

/// The field manager of the fence's patches.
const FENCE_FIELD_MANAGER: &str = "berth-fence";

/// What a fence changed, as recorded on the instance.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fence {
    /// The transfer that raised it.
    pub transfer: i64,
    /// Each fenced Service's original selector.
    pub services: std::collections::BTreeMap<String, Map<String, Value>>,
    /// Whether the definition's quiesce ran.
    pub quiesced: bool,
}

fn record_ref(namespace: &str, instance: &str) -> ObjectRef {
    ObjectRef {
        api_version: "v1".into(),
        kind: "ConfigMap".into(),
        namespace: Some(namespace.to_owned()),
        name: record_name(instance),
    }
}

fn params() -> PatchParams {
    PatchParams {
        field_manager: Some(FENCE_FIELD_MANAGER.to_owned()),
        ..PatchParams::default()
    }
}

/// The fence recorded on an instance, if any.
pub async fn current(
    cfg: &Config,
    namespace: &str,
    instance: &str,
) -> Result<Option<Fence>, ActionError> {
    let Some(record) = cfg.cluster.get(&record_ref(namespace, instance)).await? else {
        return Ok(None);
    };
    Ok(record["metadata"]["annotations"][FENCE_ANNOTATION]
        .as_str()
        .and_then(|s| serde_json::from_str(s).ok()))
}

pub(crate) async fn annotate(
    cfg: &Config,
    namespace: &str,
    instance: &str,
    annotations: Value,
) -> Result<(), ActionError> {
    let api: Api<ConfigMap> = Api::namespaced(cfg.cluster.client(), namespace);
    let name = record_name(instance);
    let patch = Patch::Merge(json!({"metadata": {"annotations": annotations}}));
    let pp = params();
    cfg.cluster
        .retry("annotate the record", || api.patch(&name, &pp, &patch))
        .await
        .map_err(|e| cfg.kube_error(format!("annotate ConfigMap {namespace}/{name}"), e))?;
    Ok(())
}

async fn set_selector(
    cfg: &Config,
    namespace: &str,
    service: &str,
    selector: Value,
) -> Result<(), ActionError> {
    let api: Api<Service> = Api::namespaced(cfg.cluster.client(), namespace);
    let patch = Patch::Merge(json!({"spec": {"selector": selector}}));
    let pp = params();
    cfg.cluster
        .retry("patch a Service selector", || {
            api.patch(service, &pp, &patch)
        })
        .await
        .map_err(|e| cfg.kube_error(format!("patch Service {namespace}/{service}"), e))?;
    Ok(())
}

/// A merge patch turning selector `from` into `to` (keys of `from` not in `to` removed).
fn selector_patch(from: &Map<String, Value>, to: &Map<String, Value>) -> Value {
    let mut patch: Map<String, Value> = from.keys().map(|k| (k.clone(), Value::Null)).collect();
    patch.extend(to.iter().map(|(k, v)| (k.clone(), v.clone())));
    Value::Object(patch)
}

fn fenced_selector() -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(FENCED_LABEL.into(), Value::String("true".into()));
    m
}

/// Raises the fence (idempotent: a fence already recorded is completed, its recorded original
/// selectors kept).
pub(crate) async fn raise(
    cfg: &Config,
    namespace: &str,
    instance: &str,
    transfer: i64,
    quiesce: Option<&berth_catalog::spec::Operation>,
) -> Result<Fence, ActionError> {
    let mut fence = match current(cfg, namespace, instance).await? {
        Some(f) => f,
        None => {
            let services = cfg
                .cluster
                .list(
                    "v1",
                    "Service",
                    Some(namespace),
                    &instance_selector(instance),
                )
                .await?;
            let services = services
                .iter()
                .filter(|s| s["spec"]["clusterIP"] != "None")
                .filter_map(|s| {
                    let selector = s["spec"]["selector"].as_object()?.clone();
                    (!selector.is_empty() && !selector.contains_key(FENCED_LABEL)).then(|| {
                        (
                            s["metadata"]["name"]
                                .as_str()
                                .unwrap_or_default()
                                .to_owned(),
                            selector,
                        )
                    })
                })
                .collect();
            Fence {
                transfer,
                services,
                quiesced: false,
            }
        }
    };
    // recorded first: whatever happens next, the record says how to lift it
    annotate(
        cfg,
        namespace,
        instance,
        json!({FENCE_ANNOTATION: serde_json::to_string(&fence).unwrap_or_default()}),
    )
    .await?;
    for (name, selector) in &fence.services {
        set_selector(
            cfg,
            namespace,
            name,
            selector_patch(selector, &fenced_selector()),
        )
        .await?;
    }
    if let Some(op) = quiesce
        && !fence.quiesced
    {
        fence.quiesced = true;
        annotate(
            cfg,
            namespace,
            instance,
            json!({FENCE_ANNOTATION: serde_json::to_string(&fence).unwrap_or_default()}),
        )
        .await?;
        remote::run(
            cfg,
            &Place::of(op, namespace, instance),
            &op.command,
            "quiesce",
        )
        .await?;
    }
    Ok(fence)
}

/// Lifts the fence recorded on an instance (nothing when there is none), and forgets where a
/// move took it: `berth start` of a moved-out instance makes it an instance of its own again.
/// Returns whether there was a fence.
pub async fn lift(cfg: &Config, namespace: &str, instance: &str) -> Result<bool, ActionError> {
    let Some(record) = cfg.cluster.get(&record_ref(namespace, instance)).await? else {
        return Ok(false);
    };
    let annotations = &record["metadata"]["annotations"];
    let fence: Option<Fence> = annotations[FENCE_ANNOTATION]
        .as_str()
        .and_then(|s| serde_json::from_str(s).ok());
    let moved = annotations.get(MOVED_TO_ANNOTATION).is_some();
    let Some(fence) = fence else {
        if moved {
            annotate(cfg, namespace, instance, json!({MOVED_TO_ANNOTATION: null})).await?;
        }
        return Ok(false);
    };
    if fence.quiesced
        && let Some(def) = cfg
            .catalog
            .get(record["data"]["definition"].as_str().unwrap_or_default())
        && let Some(op) = &def.spec.operations.unquiesce
    {
        let place = Place::of(op, namespace, instance);
        // a stopped instance has no pod to unquiesce, and starts without the quiesce
        if let Err(e) = remote::run(cfg, &place, &op.command, "unquiesce").await {
            tracing::warn!(%e, "unquiesce failed; the instance restarts writable");
        }
    }
    for (name, selector) in &fence.services {
        set_selector(
            cfg,
            namespace,
            name,
            selector_patch(&fenced_selector(), selector),
        )
        .await?;
    }
    annotate(
        cfg,
        namespace,
        instance,
        json!({FENCE_ANNOTATION: null, MOVED_TO_ANNOTATION: null}),
    )
    .await?;
    Ok(true)
}

/// Undoes the definition's quiesce of a fenced instance whose pods still run, its Services
/// left fenced: an old active kept as a standby must take a later sync's import.
pub(crate) async fn unquiesce(
    cfg: &Config,
    namespace: &str,
    instance: &str,
) -> Result<(), ActionError> {
    let Some(mut fence) = current(cfg, namespace, instance).await? else {
        return Ok(());
    };
    if !fence.quiesced {
        return Ok(());
    }
    let record = record::load(cfg, namespace, instance).await?;
    if let Some(op) = cfg
        .catalog
        .get(&record.definition)
        .and_then(|d| d.spec.operations.unquiesce.as_ref())
    {
        remote::run(
            cfg,
            &Place::of(op, namespace, instance),
            &op.command,
            "unquiesce",
        )
        .await?;
    }
    fence.quiesced = false;
    annotate(
        cfg,
        namespace,
        instance,
        json!({FENCE_ANNOTATION: serde_json::to_string(&fence).unwrap_or_default()}),
    )
    .await
}

/// Marks a moved-out instance with where it went.
pub(crate) async fn mark_moved(
    cfg: &Config,
    namespace: &str,
    instance: &str,
    to: &str,
) -> Result<(), ActionError> {
    annotate(cfg, namespace, instance, json!({MOVED_TO_ANNOTATION: to})).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_patches_swap_the_whole_selector() {
        let original: Map<String, Value> = serde_json::from_value(json!({
            "app.kubernetes.io/name": "postgres", "app.kubernetes.io/instance": "pg"
        }))
        .unwrap();
        assert_eq!(
            selector_patch(&original, &fenced_selector()),
            json!({"app.kubernetes.io/name": null, "app.kubernetes.io/instance": null,
                   "berth.dev/fenced": "true"})
        );
        assert_eq!(
            selector_patch(&fenced_selector(), &original),
            json!({"berth.dev/fenced": null, "app.kubernetes.io/name": "postgres",
                   "app.kubernetes.io/instance": "pg"})
        );
    }
}
