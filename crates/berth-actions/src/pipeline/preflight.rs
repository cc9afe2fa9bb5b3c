//! Preflight: what the cluster says before anything changes, asked all at once.

use std::sync::Arc;

use berth_cluster::{ApplyOptions, Cluster, ClusterError, ObjectRef};
use serde_json::Value;

use crate::record::record_name;
use crate::{ActionError, Config};

/// Where a new instance would land.
#[derive(Debug, Clone)]
pub(crate) struct Landing {
    /// The namespace exists.
    pub(crate) namespace_exists: bool,
    /// The record of an instance of that name there, if any.
    pub(crate) existing: Option<Value>,
    /// Volumes an earlier install of that name left (an `uninstall` keeps them).
    pub(crate) kept_volumes: Vec<Value>,
}

/// Asks, in one round trip and on its own task (so the caller renders meanwhile), whether the
/// namespace exists, whether the instance's record is there, and which of its volumes are.
pub(crate) fn landing(
    cluster: Arc<Cluster>,
    definition: &str,
    namespace: &str,
    instance: &str,
) -> tokio::task::JoinHandle<Result<Landing, ClusterError>> {
    let record = ObjectRef {
        api_version: "v1".into(),
        kind: "ConfigMap".into(),
        namespace: Some(namespace.to_owned()),
        name: record_name(instance),
    };
    let namespace = namespace.to_owned();
    let volumes = crate::volume_selector(definition, instance);
    // spawned: the operation's deadline goes with it
    tokio::spawn(berth_cluster::retry::carry_deadline(async move {
        let (namespace_exists, existing, kept_volumes) = futures::try_join!(
            cluster.namespace_exists(&namespace),
            cluster.get(&record),
            cluster.list("v1", "PersistentVolumeClaim", Some(&namespace), &volumes),
        )?;
        Ok(Landing {
            namespace_exists,
            existing,
            kept_volumes,
        })
    }))
}

/// Refuses a landing a new instance cannot take: a missing namespace (unless it is to be
/// created) or a name already taken.
pub(crate) fn check_landing(
    cfg: &Config,
    landing: &Landing,
    namespace: &str,
    instance: &str,
    create_namespace: bool,
) -> Result<(), ActionError> {
    if !landing.namespace_exists && !create_namespace {
        return Err(ActionError::InvalidInput(format!(
            "namespace {namespace:?} does not exist in context {:?}: create it or pass --create-namespace",
            cfg.context()
        )));
    }
    if landing.namespace_exists && landing.existing.is_some() {
        return Err(ActionError::Conflict(format!(
            "an instance named {instance:?} already exists in namespace {namespace:?}: choose another --name, or `berth uninstall {instance}` first"
        )));
    }
    Ok(())
}

/// The server-side dry-run of every object, all sent at once: what the API server would
/// refuse, it refuses now. The first refusal is returned.
pub(crate) async fn dry_run(
    cfg: &Config,
    objects: &[Value],
    force_conflicts: bool,
) -> Result<(), ActionError> {
    let options = ApplyOptions {
        dry_run: true,
        force_conflicts,
    };
    let checks = objects
        .iter()
        .map(|o| crate::pipeline::commit::apply_one(cfg, o, options));
    for result in futures::future::join_all(checks).await {
        result?;
    }
    Ok(())
}
