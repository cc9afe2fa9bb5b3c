//! What the install form asks a target cluster: its StorageClasses and namespaces.

use berth_cluster::Cluster;
use serde::Serialize;
use ts_rs::TS;

use crate::{Api, ApiError, ErrorCode};

/// One StorageClass of a cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StorageClassInfo {
    /// Its name (what `storage.className` takes).
    pub name: String,
    /// The provisioner (`rancher.io/local-path`, `ebs.csi.aws.com`).
    pub provisioner: String,
    /// Marked as the cluster's default.
    pub is_default: bool,
}

/// The annotations that mark the default StorageClass (the beta one is still seen).
const DEFAULT_CLASS_ANNOTATIONS: [&str; 2] = [
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
];

impl Api {
    async fn connect(&self, context: Option<&str>) -> Result<Cluster, ApiError> {
        let kubeconfig = self.load_kubeconfig()?;
        Cluster::connect(&kubeconfig, context)
            .await
            .map_err(|e| match e {
                berth_cluster::ClusterError::ContextNotFound { .. } => {
                    ApiError::new(ErrorCode::InvalidInput, e.to_string())
                }
                other => ApiError::from(other),
            })
    }

    /// The StorageClasses of a context's cluster (the current context when `None`), default first.
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn storage_classes(
        &self,
        context: Option<&str>,
    ) -> Result<Vec<StorageClassInfo>, ApiError> {
        let cluster = self.connect(context).await?;
        let items = cluster
            .list("storage.k8s.io/v1", "StorageClass", None, "")
            .await?;
        let mut classes: Vec<StorageClassInfo> = items
            .iter()
            .map(|sc| StorageClassInfo {
                name: sc["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                provisioner: sc["provisioner"].as_str().unwrap_or_default().to_owned(),
                is_default: DEFAULT_CLASS_ANNOTATIONS
                    .iter()
                    .any(|a| sc["metadata"]["annotations"][a].as_str() == Some("true")),
            })
            .filter(|sc| !sc.name.is_empty())
            .collect();
        classes.sort_by(|a, b| b.is_default.cmp(&a.is_default).then(a.name.cmp(&b.name)));
        Ok(classes)
    }

    /// The namespaces of a context's cluster, by name.
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn namespaces(&self, context: Option<&str>) -> Result<Vec<String>, ApiError> {
        let cluster = self.connect(context).await?;
        let mut names: Vec<String> = cluster
            .list("v1", "Namespace", None, "")
            .await?
            .iter()
            .filter_map(|ns| ns["metadata"]["name"].as_str().map(str::to_owned))
            .collect();
        names.sort();
        Ok(names)
    }
}
