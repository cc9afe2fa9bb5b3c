//! Growing an instance's volumes when its storage size goes up (`berth config NAME --set
//! storage.size=20Gi`).
//!
//! A StatefulSet's volume templates are fixed after creation: the API server refuses any change
//! to them. Kubernetes grows volumes through their claims instead, when the claim's storage class
//! allows it (`allowVolumeExpansion: true`). So a larger size is carried out the way operators do
//! it by hand:
//!
//! 1. before anything is touched, check that every claim made from the template can grow: the
//!    new size is not smaller, and the class allows expansion (else a clear refusal, with the
//!    way to bigger volumes: a copy into a new instance);
//! 2. the server-side dry-run checks every other change, with the live templates in place;
//! 3. each claim's request is raised (the storage driver grows the volume and its file system);
//! 4. the StatefulSet is deleted with `propagationPolicy: Orphan`: its pods keep running and
//!    serving; the apply that follows creates it again with the new templates, and it adopts
//!    the pods it finds.
//!
//! Any other change to the templates (class, access modes, a smaller size) stays refused.

use berth_catalog::render::parse_quantity;
use berth_cluster::ObjectRef;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PropagationPolicy};
use serde_json::{Value, json};

use crate::{ActionError, Config};

/// The field of a template that may change: its storage request.
const STORAGE: &str = ".spec.resources.requests.storage";

/// One StatefulSet whose volumes grow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Growth {
    /// The StatefulSet.
    pub statefulset: String,
    /// Its live volume templates, for the dry-run (the server refuses the new ones).
    pub live_templates: Value,
    /// Each claim and its new size.
    pub claims: Vec<(String, String)>,
}

/// What the diff found changing in a StatefulSet's volume templates (`fields`, as the diff
/// writes them: `path: old → new`), turned into a growth, or refused before anything is touched.
pub(crate) async fn plan(
    cfg: &Config,
    instance: &str,
    namespace: &str,
    want: &Value,
    live: &Value,
    fields: &[String],
) -> Result<Option<Growth>, ActionError> {
    let statefulset = want["metadata"]["name"].as_str().unwrap_or_default();
    let volume_fields: Vec<&str> = fields
        .iter()
        .map(String::as_str)
        .filter(|f| f.starts_with("spec.volumeClaimTemplates"))
        .collect();
    if volume_fields.is_empty() {
        return Ok(None);
    }
    let refuse = |why: String| {
        ActionError::InvalidInput(format!(
            "the volumes of {instance} cannot change in place: {why}. Nothing was changed. To get \
             volumes of another size or class, copy the instance into a new one with the new \
             parameters (`berth copy {instance} --to CONTEXT --name NEW --set ...`, or Copy… in \
             the app), or leave the storage parameters as they are"
        ))
    };
    if let Some(other) = volume_fields
        .iter()
        .find(|f| !f.split(':').next().unwrap_or_default().ends_with(STORAGE))
    {
        return Err(refuse(format!(
            "Kubernetes keeps the volume templates of StatefulSet {statefulset} fixed after \
             creation, except that their claims may grow ({other})"
        )));
    }
    let claims = claims_of(cfg, namespace, statefulset).await?;
    let mut grown = Vec::new();
    let templates = want["spec"]["volumeClaimTemplates"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for (i, template) in templates.iter().enumerate() {
        let name = template["metadata"]["name"].as_str().unwrap_or_default();
        let new = template["spec"]["resources"]["requests"]["storage"]
            .as_str()
            .unwrap_or_default();
        let old =
            live["spec"]["volumeClaimTemplates"][i]["spec"]["resources"]["requests"]["storage"]
                .as_str()
                .unwrap_or_default();
        if new == old {
            continue;
        }
        if parse_quantity(new).unwrap_or(0.0) < parse_quantity(old).unwrap_or(0.0) {
            return Err(refuse(format!(
                "volumes never shrink ({name}: {old} → {new})"
            )));
        }
        let prefix = format!("{name}-{statefulset}-");
        for claim in claims.iter().filter(|c| {
            c.metadata.name.as_deref().is_some_and(|n| {
                n.strip_prefix(&prefix)
                    .is_some_and(|o| o.parse::<u32>().is_ok())
            })
        }) {
            let claim_name = claim.metadata.name.clone().unwrap_or_default();
            let class = claim
                .spec
                .as_ref()
                .and_then(|s| s.storage_class_name.clone());
            if !expandable(cfg, class.as_deref()).await? {
                return Err(refuse(format!(
                    "{claim_name} cannot grow from {old} to {new}: its storage class {} does not \
                     allow volume expansion (allowVolumeExpansion is not true)",
                    class.map_or_else(|| "(the default)".to_owned(), |c| format!("{c:?}"))
                )));
            }
            grown.push((claim_name, new.to_owned()));
        }
    }
    Ok(Some(Growth {
        statefulset: statefulset.to_owned(),
        live_templates: live["spec"]["volumeClaimTemplates"].clone(),
        claims: grown,
    }))
}

/// The objects for the server-side dry-run: growing StatefulSets keep their live templates there
/// (the server would refuse the new ones; the claims carry the change).
pub(crate) fn for_dry_run(objects: &[Value], growths: &[Growth]) -> Vec<Value> {
    objects
        .iter()
        .map(|o| {
            let mut o = o.clone();
            if o["kind"] == "StatefulSet"
                && let Some(g) = growths
                    .iter()
                    .find(|g| o["metadata"]["name"] == g.statefulset.as_str())
            {
                o["spec"]["volumeClaimTemplates"] = g.live_templates.clone();
            }
            o
        })
        .collect()
}

/// Raises each claim's request, then deletes the StatefulSet leaving its pods running, for the
/// apply that follows to create it again with the new templates.
#[tracing::instrument(level = "debug", skip(cfg, growth), fields(statefulset = %growth.statefulset))]
pub(crate) async fn carry_out(
    cfg: &Config,
    namespace: &str,
    growth: &Growth,
) -> Result<(), ActionError> {
    let client = cfg.cluster.client();
    let claims = Api::<PersistentVolumeClaim>::namespaced(client.clone(), namespace);
    let params = PatchParams::default();
    for (claim, size) in &growth.claims {
        let patch = Patch::Merge(json!({"spec": {"resources": {"requests": {"storage": size}}}}));
        cfg.cluster
            .retry("grow claim", || claims.patch(claim, &params, &patch))
            .await
            .map_err(|e| cfg.kube_error(format!("grow PersistentVolumeClaim {claim}"), e))?;
    }
    let sets = Api::<StatefulSet>::namespaced(client, namespace);
    let orphan = DeleteParams {
        propagation_policy: Some(PropagationPolicy::Orphan),
        ..DeleteParams::default()
    };
    let name = &growth.statefulset;
    match cfg
        .cluster
        .retry("delete StatefulSet", || sets.delete(name, &orphan))
        .await
    {
        Ok(_) => {}
        Err(kube::Error::Api(status)) if status.code == 404 => {}
        Err(e) => return Err(cfg.kube_error(format!("delete StatefulSet {name}"), e)),
    }
    // the orphan finalizer runs before the object goes: wait for it, else the apply would
    // patch the one being deleted
    let target = ObjectRef {
        api_version: "apps/v1".into(),
        kind: "StatefulSet".into(),
        namespace: Some(namespace.to_owned()),
        name: name.clone(),
    };
    while cfg.cluster.get(&target).await?.is_some() {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    Ok(())
}

/// The claims in the namespace (those of this StatefulSet are picked by name).
async fn claims_of(
    cfg: &Config,
    namespace: &str,
    statefulset: &str,
) -> Result<Vec<PersistentVolumeClaim>, ActionError> {
    let api = Api::<PersistentVolumeClaim>::namespaced(cfg.cluster.client(), namespace);
    let params = kube::api::ListParams::default();
    let list = cfg
        .cluster
        .retry("list claims", || api.list(&params))
        .await
        .map_err(|e| cfg.kube_error(format!("list the claims of {statefulset}"), e))?;
    Ok(list.items)
}

/// Whether a claim of `class` (the default class when `None`) may grow.
async fn expandable(cfg: &Config, class: Option<&str>) -> Result<bool, ActionError> {
    let classes = cfg
        .cluster
        .list("storage.k8s.io/v1", "StorageClass", None, "")
        .await?;
    let found = classes.iter().find(|sc| match class {
        Some(c) => sc["metadata"]["name"] == c,
        None => {
            sc["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"
        }
    });
    Ok(found.is_some_and(|sc| sc["allowVolumeExpansion"] == Value::Bool(true)))
}
