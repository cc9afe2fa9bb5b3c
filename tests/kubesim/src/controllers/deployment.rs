//! Deployment → ReplicaSets (rolling updates honouring maxSurge/maxUnavailable, Recreate)
//! and ReplicaSet → Pods.

use serde_json::{Value, json};

use super::objects::{
    MANAGER, controlled_by, create, delete, event, hash, int_or_percent, list, owner_ref,
    pod_ready, set_status, suffix, terminating, update,
};
use crate::handlers::write::now;
use crate::server::State;

fn n(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

fn revision(rs: &Value) -> i64 {
    rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn condition(prev: &Value, ty: &str, status: &str, reason: &str, message: &str) -> Value {
    let now = now();
    let old = prev["conditions"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == ty).cloned());
    let transition = match &old {
        Some(o) if o["status"] == status => o["lastTransitionTime"].clone(),
        _ => json!(now),
    };
    let update_time = match &old {
        Some(o) if o["status"] == status && o["reason"] == reason => o["lastUpdateTime"].clone(),
        _ => json!(now),
    };
    json!({"type": ty, "status": status, "reason": reason, "message": message,
           "lastTransitionTime": transition, "lastUpdateTime": update_time})
}

/// Reconciles every Deployment.
pub(crate) fn reconcile(state: &State) {
    let all_rs = list(state, "apps", "replicasets", None);
    for d in list(state, "apps", "deployments", None) {
        if terminating(&d) {
            continue;
        }
        reconcile_one(state, &d, &all_rs);
    }
}

fn reconcile_one(state: &State, d: &Value, all_rs: &[crate::store::Shared]) {
    let ns = d["metadata"]["namespace"].as_str().unwrap_or_default();
    let name = d["metadata"]["name"].as_str().unwrap_or_default();
    let uid = &d["metadata"]["uid"];
    let spec = &d["spec"];
    let desired = spec["replicas"].as_i64().unwrap_or(1);
    let template = &spec["template"];
    let mut tpl_for_hash = template.clone();
    if let Some(a) = tpl_for_hash["metadata"]["labels"].as_object_mut() {
        a.remove("pod-template-hash");
    }
    let h = hash(&tpl_for_hash);
    let rs_name = format!("{name}-{}", &h[..10]);
    let owned: Vec<Value> = all_rs
        .iter()
        .filter(|rs| rs["metadata"]["namespace"] == ns && controlled_by(rs, uid))
        .map(|rs| rs.value().clone())
        .collect();
    let max_rev = owned.iter().map(revision).max().unwrap_or(0);
    let new_rs = owned
        .iter()
        .find(|rs| rs["metadata"]["name"] == rs_name.as_str())
        .cloned();
    let strategy = &spec["strategy"];
    let recreate = strategy["type"] == "Recreate";
    let max_surge = if recreate {
        0
    } else {
        int_or_percent(&strategy["rollingUpdate"]["maxSurge"], desired, true)
    };
    let mut max_unavailable = if recreate {
        desired
    } else {
        int_or_percent(&strategy["rollingUpdate"]["maxUnavailable"], desired, false)
    };
    if max_surge == 0 && max_unavailable == 0 {
        max_unavailable = 1;
    }
    let old: Vec<&Value> = owned
        .iter()
        .filter(|rs| rs["metadata"]["name"] != rs_name.as_str())
        .collect();
    let old_replicas: i64 = old.iter().map(|rs| n(&rs["spec"]["replicas"])).sum();
    let old_pods: i64 = old.iter().map(|rs| n(&rs["status"]["replicas"])).sum();
    let paused = spec["paused"] == json!(true);

    let new_rs = match new_rs {
        Some(rs) => rs,
        None => {
            if paused {
                return;
            }
            let mut labels = template["metadata"]["labels"].clone();
            labels["pod-template-hash"] = json!(&h[..10]);
            let mut tpl = template.clone();
            tpl["metadata"]["labels"] = labels.clone();
            let mut selector = spec["selector"].clone();
            selector["matchLabels"]["pod-template-hash"] = json!(&h[..10]);
            let initial = if recreate {
                if old_pods > 0 { 0 } else { desired }
            } else {
                (desired + max_surge - old_replicas).clamp(0, desired)
            };
            let rs = json!({
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "metadata": {
                    "name": rs_name,
                    "labels": labels,
                    "annotations": {
                        "deployment.kubernetes.io/revision": (max_rev + 1).to_string(),
                        "deployment.kubernetes.io/desired-replicas": desired.to_string(),
                        "deployment.kubernetes.io/max-replicas": (desired + max_surge).to_string(),
                    },
                    "ownerReferences": [owner_ref(d)],
                },
                "spec": {"replicas": initial, "selector": selector, "template": tpl,
                         "minReadySeconds": spec["minReadySeconds"].as_i64().unwrap_or(0)},
            });
            let Some(created) = create(state, "apps", "replicasets", ns, rs) else {
                return;
            };
            event(
                state,
                d,
                "Normal",
                "ScalingReplicaSet",
                &format!("Scaled up replica set {rs_name} from 0 to {initial}"),
                "deployment-controller",
            );
            created
        }
    };

    if !paused {
        let new_replicas = n(&new_rs["spec"]["replicas"]);
        // Scale the new ReplicaSet up within maxSurge.
        let target_new = if recreate {
            if old_pods > 0 { 0 } else { desired }
        } else {
            let allowed = desired + max_surge - old_replicas;
            new_replicas.max(allowed.min(desired)).min(desired).max(0)
        };
        let target_new = if new_replicas > desired {
            desired
        } else {
            target_new
        };
        if target_new != new_replicas {
            set_replicas(state, d, &new_rs, new_replicas, target_new, desired);
        }
        // Scale old ReplicaSets down while keeping desired - maxUnavailable available.
        let min_available = desired - max_unavailable;
        let new_ready = n(&new_rs["status"]["availableReplicas"]);
        let old_ready: i64 = old
            .iter()
            .map(|rs| n(&rs["status"]["availableReplicas"]))
            .sum();
        let mut can_remove = (new_ready + old_ready - min_available).max(0);
        for rs in &old {
            let r = n(&rs["spec"]["replicas"]);
            if r == 0 {
                continue;
            }
            let unready = (r - n(&rs["status"]["availableReplicas"])).max(0);
            let remove = if recreate {
                r
            } else {
                (unready + can_remove).min(r)
            };
            if remove > 0 {
                can_remove -= (remove - unready).max(0);
                set_replicas(state, d, rs, r, r - remove, desired);
            }
        }
        // Revision history.
        let limit = spec["revisionHistoryLimit"].as_i64().unwrap_or(10);
        let mut idle: Vec<&&Value> = old
            .iter()
            .filter(|rs| n(&rs["spec"]["replicas"]) == 0 && n(&rs["status"]["replicas"]) == 0)
            .collect();
        idle.sort_by_key(|rs| revision(rs));
        while idle.len() as i64 > limit {
            let rs = idle.remove(0);
            delete(
                state,
                "apps",
                "replicasets",
                ns,
                rs["metadata"]["name"].as_str().unwrap_or_default(),
                "Background",
            );
        }
    }

    // Status from the (possibly stale) ReplicaSet statuses; the next pass refines it.
    let owned: Vec<Value> = list(state, "apps", "replicasets", Some(ns))
        .into_iter()
        .filter(|rs| controlled_by(rs, uid))
        .map(|rs| rs.value().clone())
        .collect();
    let sum = |f: &str| -> i64 { owned.iter().map(|rs| n(&rs["status"][f])).sum() };
    let new_rs = owned
        .iter()
        .find(|rs| rs["metadata"]["name"] == rs_name.as_str())
        .cloned()
        .unwrap_or(new_rs);
    let updated = n(&new_rs["status"]["replicas"]);
    let replicas = sum("replicas");
    let ready = sum("readyReplicas");
    let available = sum("availableReplicas");
    let prev = &d["status"];
    let available_ok = available >= desired - max_unavailable;
    let complete = updated == desired
        && replicas == desired
        && n(&new_rs["status"]["availableReplicas"]) == desired
        && n(&new_rs["spec"]["replicas"]) == desired;
    let mut conditions = vec![
        condition(
            prev,
            "Available",
            if available_ok { "True" } else { "False" },
            if available_ok {
                "MinimumReplicasAvailable"
            } else {
                "MinimumReplicasUnavailable"
            },
            if available_ok {
                "Deployment has minimum availability."
            } else {
                "Deployment does not have minimum availability."
            },
        ),
        condition(
            prev,
            "Progressing",
            "True",
            if complete {
                "NewReplicaSetAvailable"
            } else {
                "ReplicaSetUpdated"
            },
            &if complete {
                format!("ReplicaSet \"{rs_name}\" has successfully progressed.")
            } else {
                format!("ReplicaSet \"{rs_name}\" is progressing.")
            },
        ),
    ];
    conditions.sort_by_key(|c| c["type"].as_str().map(str::to_string));
    let mut status = json!({
        "observedGeneration": d["metadata"]["generation"],
        "replicas": replicas,
        "updatedReplicas": updated,
        "readyReplicas": ready,
        "availableReplicas": available,
        "conditions": conditions,
    });
    if desired - available > 0 {
        status["unavailableReplicas"] = json!(desired - available);
    }
    for k in [
        "replicas",
        "updatedReplicas",
        "readyReplicas",
        "availableReplicas",
    ] {
        if status[k] == json!(0) {
            status.as_object_mut().expect("object").remove(k);
        }
    }
    set_status(state, d, "apps", "deployments", status);
    let _ = MANAGER;
}

fn set_replicas(state: &State, d: &Value, rs: &Value, from: i64, to: i64, desired: i64) {
    let ns = rs["metadata"]["namespace"].as_str().unwrap_or_default();
    let name = rs["metadata"]["name"].as_str().unwrap_or_default();
    update(state, "apps", "replicasets", ns, name, |o| {
        o["spec"]["replicas"] = json!(to);
        o["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] =
            json!(desired.to_string());
    });
    let verb = if to > from { "up" } else { "down" };
    event(
        state,
        d,
        "Normal",
        "ScalingReplicaSet",
        &format!("Scaled {verb} replica set {name} from {from} to {to}"),
        "deployment-controller",
    );
}

/// Reconciles every ReplicaSet: creates and deletes pods, writes status.
pub(crate) fn reconcile_replicasets(state: &State) {
    let pods = list(state, "", "pods", None);
    for rs in list(state, "apps", "replicasets", None) {
        if terminating(&rs) {
            continue;
        }
        let ns = rs["metadata"]["namespace"].as_str().unwrap_or_default();
        let uid = &rs["metadata"]["uid"];
        let mut mine: Vec<&Value> = pods
            .iter()
            .filter(|p| {
                p["metadata"]["namespace"] == ns && controlled_by(p, uid) && !terminating(p)
            })
            .filter(|p| !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed")))
            .map(|o| o.value())
            .collect();
        let want = rs["spec"]["replicas"].as_i64().unwrap_or(1);
        let have = mine.len() as i64;
        if have < want {
            let rs_name = rs["metadata"]["name"].as_str().unwrap_or_default();
            for _ in have..want {
                let tpl = &rs["spec"]["template"];
                let pod_name = format!("{rs_name}-{}", suffix());
                let mut meta = tpl["metadata"].clone();
                if !meta.is_object() {
                    meta = json!({});
                }
                meta["name"] = json!(pod_name);
                meta["ownerReferences"] = json!([owner_ref(&rs)]);
                let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": tpl["spec"]});
                if create(state, "", "pods", ns, pod).is_some() {
                    event(
                        state,
                        &rs,
                        "Normal",
                        "SuccessfulCreate",
                        &format!("Created pod: {pod_name}"),
                        "replicaset-controller",
                    );
                }
            }
        } else if have > want {
            // Not-ready pods first, then the newest.
            mine.sort_by_key(|p| {
                (
                    pod_ready(p),
                    std::cmp::Reverse(
                        p["metadata"]["creationTimestamp"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string(),
                    ),
                )
            });
            for p in mine.iter().take((have - want) as usize) {
                let pn = p["metadata"]["name"].as_str().unwrap_or_default();
                delete(state, "", "pods", ns, pn, "Background");
                event(
                    state,
                    &rs,
                    "Normal",
                    "SuccessfulDelete",
                    &format!("Deleted pod: {pn}"),
                    "replicaset-controller",
                );
            }
        }
        let current: Vec<Value> = list(state, "", "pods", Some(ns))
            .into_iter()
            .filter(|p| controlled_by(p, uid) && !terminating(p))
            .filter(|p| !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed")))
            .map(|o| o.value().clone())
            .collect();
        let ready = current.iter().filter(|p| pod_ready(p)).count() as i64;
        let total = current.len() as i64;
        let mut status = json!({
            "replicas": total,
            "fullyLabeledReplicas": total,
            "readyReplicas": ready,
            "availableReplicas": ready,
            "observedGeneration": rs["metadata"]["generation"],
        });
        for k in ["fullyLabeledReplicas", "readyReplicas", "availableReplicas"] {
            if status[k] == json!(0) {
                status.as_object_mut().expect("object").remove(k);
            }
        }
        set_status(state, &rs, "apps", "replicasets", status);
    }
}
