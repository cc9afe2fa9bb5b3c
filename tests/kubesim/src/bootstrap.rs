//! The objects a fresh cluster has: system namespaces, nodes, the default StorageClass,
//! the `kubernetes` Service.

use serde_json::json;

use crate::handlers::write::create_object;
use crate::server::State;

/// Creates the initial objects (skipping ones that already exist, e.g. from a state file).
pub(crate) fn seed(state: &State, ca_pem: &str) {
    let reg = &state.registry;
    let create = |group: &str, plural: &str, ns: &str, obj: serde_json::Value| {
        let rt = reg.find(group, "v1", plural).expect("builtin type");
        if let Err(e) = create_object(state, &rt, ns, obj, "kube-apiserver", false)
            && e.code != 409
        {
            tracing::warn!(error = %e, "seeding {plural}");
        }
    };
    for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
        create("", "namespaces", "", json!({"metadata": {"name": ns}}));
    }
    for node in &state.config.nodes {
        create(
            "",
            "nodes",
            "",
            json!({
                "metadata": {"name": node, "labels": {
                    "kubernetes.io/hostname": node, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
                    "node-role.kubernetes.io/control-plane": ""}},
                "spec": {"podCIDR": "10.244.0.0/24"},
            }),
        );
        crate::kubelet::node_ready(state, node, true);
    }
    create(
        "storage.k8s.io",
        "storageclasses",
        "",
        json!({
            "metadata": {"name": "standard", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
            "provisioner": "kubesim.dev/hostpath",
            "reclaimPolicy": "Delete",
            "volumeBindingMode": "Immediate",
            "allowVolumeExpansion": true,
        }),
    );
    create(
        "",
        "services",
        "default",
        json!({
            "metadata": {"name": "kubernetes", "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"clusterIP": "10.96.0.1", "ports": [{"name": "https", "port": 443, "targetPort": 6443}]},
        }),
    );
    let _ = ca_pem;
}
