//! `Uninstall`: remove every object of an instance; keep its data unless asked.

use berth_cluster::{ClusterError, ObjectRef};
use berth_store::Operation;

use crate::claim::claim;
use crate::record::{Record, record_name};
use crate::stop_start::begin;
use crate::{ActionError, Config, credential_handle, instance_selector};

/// Kinds an instance may own, in deletion order (the reverse of apply order).
pub(crate) const KINDS: &[(&str, &str)] = &[
    ("autoscaling/v2", "HorizontalPodAutoscaler"),
    ("policy/v1", "PodDisruptionBudget"),
    ("apps/v1", "StatefulSet"),
    ("apps/v1", "Deployment"),
    ("v1", "Service"),
    ("v1", "Secret"),
    ("v1", "ConfigMap"),
    ("v1", "ServiceAccount"),
];

/// Removes an instance.
#[derive(Debug, Clone)]
pub struct Uninstall<'a> {
    cfg: &'a Config,
    /// The instance.
    pub instance: String,
    /// The namespace (default: the context's).
    pub namespace: Option<String>,
    /// Also delete the volumes (PVCs) and the keyring credentials.
    pub delete_data: bool,
}

/// What an uninstall removed and kept.
#[derive(Debug, Clone)]
pub struct UninstallOutcome {
    /// The instance.
    pub instance: String,
    /// The namespace.
    pub namespace: String,
    /// The objects deleted, as `Kind name`.
    pub deleted: Vec<String>,
    /// The volumes kept (empty with `delete_data`).
    pub kept_volumes: Vec<String>,
    /// The revision recorded.
    pub revision: u32,
}

impl<'a> Uninstall<'a> {
    /// An uninstall with the CLI's defaults (data kept).
    pub fn new(cfg: &'a Config, instance: impl Into<String>) -> Self {
        Self {
            cfg,
            instance: instance.into(),
            namespace: None,
            delete_data: false,
        }
    }

    /// Runs the uninstall.
    #[tracing::instrument(skip(self), fields(context = %self.cfg.context(), instance = %self.instance))]
    pub async fn run(&self) -> Result<UninstallOutcome, ActionError> {
        let cfg = self.cfg;
        let claimed = claim(cfg, &self.namespace, &self.instance).await?;
        let (ns, rec) = (claimed.namespace.clone(), claimed.record.clone());
        let pending = begin(cfg, &rec, Operation::Uninstall)?;
        let mut deleted = Vec::new();
        let mut kept_volumes = Vec::new();
        let result =
            remove_instance(cfg, &rec, self.delete_data, &mut deleted, &mut kept_volumes).await;
        let revision = pending.number();
        pending.finish(&result)?;
        result?;
        Ok(UninstallOutcome {
            instance: rec.instance,
            namespace: ns,
            deleted,
            kept_volumes,
            revision,
        })
    }
}

/// Deletes every object of an instance, the record last; the volumes and credentials too with
/// `delete_data`. What was deleted and kept is pushed as it happens.
pub(crate) async fn remove_instance(
    cfg: &Config,
    rec: &Record,
    delete_data: bool,
    deleted: &mut Vec<String>,
    kept_volumes: &mut Vec<String>,
) -> Result<(), ActionError> {
    let selector = instance_selector(&rec.instance);
    for (api_version, kind) in KINDS {
        let objects = match cfg
            .cluster
            .list(api_version, kind, Some(&rec.namespace), &selector)
            .await
        {
            Ok(o) => o,
            // a kind this cluster does not serve has no objects
            Err(ClusterError::Api { code: 404, .. }) => continue,
            Err(e) => return Err(e.into()),
        };
        for object in objects {
            let target = ObjectRef::of(&object)?;
            if target.kind == "ConfigMap" && target.name == record_name(&rec.instance) {
                continue;
            }
            cfg.cluster.delete(&target).await?;
            deleted.push(format!("{} {}", target.kind, target.name));
        }
    }
    let pvcs = cfg
        .cluster
        .list(
            "v1",
            "PersistentVolumeClaim",
            Some(&rec.namespace),
            &crate::volume_selector(&rec.definition, &rec.instance),
        )
        .await?;
    for pvc in pvcs {
        let target = ObjectRef::of(&pvc)?;
        if delete_data {
            cfg.cluster.delete(&target).await?;
            deleted.push(format!("PersistentVolumeClaim {}", target.name));
        } else {
            kept_volumes.push(target.name);
        }
    }
    if delete_data {
        let handles: Vec<String> = rec
            .credentials
            .iter()
            .map(|key| credential_handle(cfg.context(), &rec.namespace, &rec.instance, key))
            .collect();
        cfg.keyring.remove_all(handles).await?;
    }
    // the record last: until it is gone, the instance can still be found and retried
    let record = ObjectRef {
        api_version: "v1".into(),
        kind: "ConfigMap".into(),
        namespace: Some(rec.namespace.clone()),
        name: record_name(&rec.instance),
    };
    cfg.cluster.delete(&record).await?;
    deleted.push(format!("ConfigMap {}", record.name));
    Ok(())
}
