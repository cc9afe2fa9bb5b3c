//! StatefulSet → ordered Pods (`name-0`, `name-1`...) and PVCs from volumeClaimTemplates
//! (kept on scale-down and delete), rolling updates from the highest ordinal.

use serde_json::{Value, json};

use super::objects::{
    controlled_by, create, delete, event, hash, list, owner_ref, pod_ready, set_status,
    terminating, update,
};
use crate::server::State;

fn ordinal(pod: &Value, sts_name: &str) -> Option<i64> {
    pod["metadata"]["name"]
        .as_str()?
        .strip_prefix(sts_name)?
        .strip_prefix('-')?
        .parse()
        .ok()
}

/// Takes in the pods its selector matches that have no controller (their StatefulSet was deleted
/// with `propagationPolicy: Orphan` and created again), as the controller's ref manager does; the
/// pass after this one counts them as its own.
fn adopt_orphans(state: &State, sts: &Value, pods: &[crate::store::Shared]) {
    let ns = sts["metadata"]["namespace"].as_str().unwrap_or_default();
    let name = sts["metadata"]["name"].as_str().unwrap_or_default();
    let Some(selector) = crate::selectors::LabelSelector::from_spec(&sts["spec"]["selector"])
    else {
        return;
    };
    let orphans = pods.iter().filter(|p| {
        p["metadata"]["namespace"] == ns
            && !terminating(p)
            && ordinal(p, name).is_some()
            && selector.matches(&p["metadata"]["labels"])
            && !p["metadata"]["ownerReferences"]
                .as_array()
                .is_some_and(|refs| refs.iter().any(|r| r["controller"] == json!(true)))
    });
    for pod in orphans {
        let pod_name = pod["metadata"]["name"].as_str().unwrap_or_default();
        update(state, "", "pods", ns, pod_name, |p| {
            p["metadata"]["ownerReferences"] = json!([owner_ref(sts)]);
        });
    }
}

/// Reconciles every StatefulSet.
pub(crate) fn reconcile(state: &State) {
    let pods = list(state, "", "pods", None);
    for sts in list(state, "apps", "statefulsets", None) {
        if terminating(&sts) {
            continue;
        }
        reconcile_one(state, &sts, &pods);
    }
}

fn reconcile_one(state: &State, sts: &Value, pods: &[crate::store::Shared]) {
    let ns = sts["metadata"]["namespace"].as_str().unwrap_or_default();
    let name = sts["metadata"]["name"].as_str().unwrap_or_default();
    let uid = &sts["metadata"]["uid"];
    let spec = &sts["spec"];
    let replicas = spec["replicas"].as_i64().unwrap_or(1);
    let revision = format!("{name}-{}", &hash(&spec["template"])[..10]);
    let parallel = spec["podManagementPolicy"] == "Parallel";
    let partition = spec["updateStrategy"]["rollingUpdate"]["partition"]
        .as_i64()
        .unwrap_or(0);
    adopt_orphans(state, sts, pods);
    let mut mine: Vec<(i64, &Value)> = pods
        .iter()
        .filter(|p| p["metadata"]["namespace"] == ns && controlled_by(p, uid))
        .filter_map(|p| ordinal(p, name).map(|o| (o, p.value())))
        .collect();
    mine.sort_by_key(|(o, _)| *o);
    let claims = spec["volumeClaimTemplates"]
        .as_array()
        .cloned()
        .unwrap_or_default();

    // Create missing pods in order.
    for i in 0..replicas {
        if mine.iter().any(|(o, _)| *o == i) {
            continue;
        }
        let predecessors_ready = mine
            .iter()
            .filter(|(o, _)| *o < i)
            .all(|(_, p)| pod_ready(p))
            && mine.iter().filter(|(o, _)| *o < i).count() as i64 == i;
        if !parallel && !predecessors_ready {
            break;
        }
        let pod_name = format!("{name}-{i}");
        let mut volumes = spec["template"]["spec"]["volumes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for c in &claims {
            let cname = c["metadata"]["name"].as_str().unwrap_or_default();
            let claim_name = format!("{cname}-{pod_name}");
            let mut labels = spec["selector"]["matchLabels"].clone();
            if !labels.is_object() {
                labels = json!({});
            }
            let pvc = json!({
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"name": claim_name, "labels": labels},
                "spec": c["spec"],
            });
            if create(state, "", "persistentvolumeclaims", ns, pvc).is_some() {
                event(
                    state,
                    sts,
                    "Normal",
                    "SuccessfulCreate",
                    &format!(
                        "create Claim {claim_name} Pod {pod_name} in StatefulSet {name} success"
                    ),
                    "statefulset-controller",
                );
            }
            volumes.retain(|v| v["name"] != cname);
            volumes
                .push(json!({"name": cname, "persistentVolumeClaim": {"claimName": claim_name}}));
        }
        let mut meta = spec["template"]["metadata"].clone();
        if !meta.is_object() {
            meta = json!({});
        }
        meta["name"] = json!(pod_name);
        meta["labels"]["controller-revision-hash"] = json!(revision);
        meta["labels"]["statefulset.kubernetes.io/pod-name"] = json!(pod_name);
        meta["labels"]["apps.kubernetes.io/pod-index"] = json!(i.to_string());
        meta["ownerReferences"] = json!([owner_ref(sts)]);
        let mut pspec = spec["template"]["spec"].clone();
        pspec["hostname"] = json!(pod_name);
        if let Some(svc) = spec["serviceName"].as_str() {
            pspec["subdomain"] = json!(svc);
        }
        if !volumes.is_empty() {
            pspec["volumes"] = Value::Array(volumes);
        }
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": pspec});
        if create(state, "", "pods", ns, pod).is_some() {
            event(
                state,
                sts,
                "Normal",
                "SuccessfulCreate",
                &format!("create Pod {pod_name} in StatefulSet {name} successful"),
                "statefulset-controller",
            );
        }
        if !parallel {
            break;
        }
    }

    // Scale down from the highest ordinal (PVCs are kept).
    let extra: Vec<&(i64, &Value)> = mine.iter().filter(|(o, _)| *o >= replicas).collect();
    if let Some((_, p)) = extra.last() {
        if !terminating(p) {
            let pn = p["metadata"]["name"].as_str().unwrap_or_default();
            delete(state, "", "pods", ns, pn, "Background");
            event(
                state,
                sts,
                "Normal",
                "SuccessfulDelete",
                &format!("delete Pod {pn} in StatefulSet {name} successful"),
                "statefulset-controller",
            );
        }
    } else if spec["updateStrategy"]["type"] != "OnDelete"
        && mine.iter().all(|(_, p)| pod_ready(p))
        && mine.len() as i64 == replicas
    {
        // Rolling update: replace the highest outdated pod once all are ready.
        if let Some((_, p)) = mine.iter().rev().find(|(o, p)| {
            *o >= partition
                && p["metadata"]["labels"]["controller-revision-hash"] != revision.as_str()
        }) {
            let pn = p["metadata"]["name"].as_str().unwrap_or_default();
            delete(state, "", "pods", ns, pn, "Background");
        }
    }

    let live: Vec<&Value> = mine
        .iter()
        .filter(|(o, p)| *o < replicas.max(mine.len() as i64) && !terminating(p))
        .map(|(_, p)| *p)
        .collect();
    let ready = live.iter().filter(|p| pod_ready(p)).count() as i64;
    let updated = live
        .iter()
        .filter(|p| p["metadata"]["labels"]["controller-revision-hash"] == revision.as_str())
        .count() as i64;
    let prev_current = sts["status"]["currentRevision"]
        .as_str()
        .unwrap_or(&revision)
        .to_string();
    let current_revision = if updated == replicas && live.len() as i64 == replicas {
        revision.clone()
    } else {
        prev_current
    };
    let current = live
        .iter()
        .filter(|p| {
            p["metadata"]["labels"]["controller-revision-hash"] == current_revision.as_str()
        })
        .count() as i64;
    let mut status = json!({
        "observedGeneration": sts["metadata"]["generation"],
        "replicas": live.len(),
        "readyReplicas": ready,
        "currentReplicas": current,
        "updatedReplicas": updated,
        "availableReplicas": ready,
        "currentRevision": current_revision,
        "updateRevision": revision,
        "collisionCount": 0,
    });
    if ready == 0 {
        status
            .as_object_mut()
            .expect("object")
            .remove("readyReplicas");
    }
    set_status(state, sts, "apps", "statefulsets", status);
}
