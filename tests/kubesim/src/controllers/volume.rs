//! PVC → Bound with a PersistentVolume provisioned from its StorageClass.

use serde_json::json;

use super::objects::{create, event, list, set_status, terminating, update};
use crate::resources::GroupResource;
use crate::server::State;

/// A bound claim whose request grew (the API server admitted it: its class allows expansion) gets
/// the new size, as the external resizer and the kubelet's file system resize give it: the volume's
/// capacity, then the claim's.
fn resize(state: &State, pvc: &serde_json::Value) {
    let want = &pvc["spec"]["resources"]["requests"]["storage"];
    if want.is_null() || *want == pvc["status"]["capacity"]["storage"] {
        return;
    }
    if let Some(pv) = pvc["spec"]["volumeName"].as_str() {
        update(state, "", "persistentvolumes", "", pv, |o| {
            o["spec"]["capacity"]["storage"] = want.clone();
        });
    }
    let mut status = pvc["status"].clone();
    status["capacity"]["storage"] = want.clone();
    set_status(state, pvc, "", "persistentvolumeclaims", status);
    event(
        state,
        pvc,
        "Normal",
        "FileSystemResizeSuccessful",
        &format!(
            "MountVolume.NodeExpandVolume succeeded for volume to {}",
            want.as_str().unwrap_or_default()
        ),
        "kubelet",
    );
}

/// Binds pending claims; grows bound claims whose request grew; deletes provisioned volumes
/// whose claim is gone.
pub(crate) fn reconcile(state: &State) {
    for pv in list(state, "", "persistentvolumes", None) {
        let claim = &pv["spec"]["claimRef"];
        if pv["spec"]["persistentVolumeReclaimPolicy"] != "Delete" || !claim.is_object() {
            continue;
        }
        let exists = state
            .store
            .get(
                &GroupResource::new("", "persistentvolumeclaims"),
                claim["namespace"].as_str().unwrap_or_default(),
                claim["name"].as_str().unwrap_or_default(),
            )
            .is_some_and(|c| c["metadata"]["uid"] == claim["uid"]);
        if !exists {
            let name = pv["metadata"]["name"].as_str().unwrap_or_default();
            super::objects::delete(state, "", "persistentvolumes", "", name, "Background");
        }
    }
    for pvc in list(state, "", "persistentvolumeclaims", None) {
        if pvc["status"]["phase"] == "Bound" && !terminating(&pvc) {
            resize(state, &pvc);
            continue;
        }
        if terminating(&pvc) {
            continue;
        }
        let ns = pvc["metadata"]["namespace"].as_str().unwrap_or_default();
        let name = pvc["metadata"]["name"].as_str().unwrap_or_default();
        let Some(class) = pvc["spec"]["storageClassName"]
            .as_str()
            .filter(|c| !c.is_empty())
        else {
            continue;
        };
        let Some(sc) = state.store.get(
            &GroupResource::new("storage.k8s.io", "storageclasses"),
            "",
            class,
        ) else {
            continue;
        };
        let pv_name = format!(
            "pvc-{}",
            pvc["metadata"]["uid"].as_str().unwrap_or_default()
        );
        let size = pvc["spec"]["resources"]["requests"]["storage"].clone();
        let modes = pvc["spec"]["accessModes"].clone();
        if state
            .store
            .get(&GroupResource::new("", "persistentvolumes"), "", &pv_name)
            .is_none()
        {
            let pv = json!({
                "apiVersion": "v1",
                "kind": "PersistentVolume",
                "metadata": {"name": pv_name, "annotations": {"pv.kubernetes.io/provisioned-by": sc["provisioner"]}},
                "spec": {
                    "capacity": {"storage": size},
                    "accessModes": modes,
                    "persistentVolumeReclaimPolicy": sc["reclaimPolicy"].as_str().unwrap_or("Delete"),
                    "storageClassName": class,
                    "volumeMode": pvc["spec"]["volumeMode"].as_str().unwrap_or("Filesystem"),
                    "hostPath": {"path": format!("/var/lib/kubesim/{pv_name}"), "type": ""},
                    "claimRef": {"kind": "PersistentVolumeClaim", "namespace": ns, "name": name,
                                 "uid": pvc["metadata"]["uid"], "apiVersion": "v1"},
                },
            });
            let Some(pv) = create(state, "", "persistentvolumes", "", pv) else {
                continue;
            };
            set_status(
                state,
                &pv,
                "",
                "persistentvolumes",
                json!({"phase": "Bound"}),
            );
            event(
                state,
                &pvc,
                "Normal",
                "ProvisioningSucceeded",
                &format!("Successfully provisioned volume {pv_name}"),
                "kubesim.dev/hostpath",
            );
        }
        update(state, "", "persistentvolumeclaims", ns, name, |o| {
            o["spec"]["volumeName"] = json!(pv_name);
            o["metadata"]["annotations"]["pv.kubernetes.io/bind-completed"] = json!("yes");
            o["metadata"]["annotations"]["pv.kubernetes.io/bound-by-controller"] = json!("yes");
        });
        if let Some(fresh) =
            state
                .store
                .get(&GroupResource::new("", "persistentvolumeclaims"), ns, name)
        {
            set_status(
                state,
                &fresh,
                "",
                "persistentvolumeclaims",
                json!({"phase": "Bound", "accessModes": modes, "capacity": {"storage": size}}),
            );
        }
    }
}
