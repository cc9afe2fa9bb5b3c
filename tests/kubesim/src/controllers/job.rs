//! Job → Pods → Complete; PodDisruptionBudget status.

use serde_json::{Value, json};

use super::objects::{
    controlled_by, create, event, int_or_percent, list, owner_ref, pod_ready, set_status, suffix,
    terminating,
};
use crate::handlers::write::now;
use crate::selectors::LabelSelector;
use crate::server::State;

/// Reconciles every Job.
pub(crate) fn reconcile(state: &State) {
    let pods = list(state, "", "pods", None);
    for job in list(state, "batch", "jobs", None) {
        if terminating(&job) || job["spec"]["suspend"] == json!(true) {
            continue;
        }
        let ns = job["metadata"]["namespace"].as_str().unwrap_or_default();
        let name = job["metadata"]["name"].as_str().unwrap_or_default();
        let uid = &job["metadata"]["uid"];
        let mine: Vec<&Value> = pods
            .iter()
            .filter(|p| p["metadata"]["namespace"] == ns && controlled_by(p, uid))
            .map(|o| o.value())
            .collect();
        let phase = |p: &&Value| {
            p["status"]["phase"]
                .as_str()
                .unwrap_or("Pending")
                .to_string()
        };
        let succeeded = mine.iter().filter(|p| phase(p) == "Succeeded").count() as i64;
        let failed = mine.iter().filter(|p| phase(p) == "Failed").count() as i64;
        let active: Vec<&&Value> = mine
            .iter()
            .filter(|p| !matches!(phase(p).as_str(), "Succeeded" | "Failed") && !terminating(p))
            .collect();
        let completions = job["spec"]["completions"].as_i64().unwrap_or(1);
        let parallelism = job["spec"]["parallelism"].as_i64().unwrap_or(1);
        let done = succeeded >= completions;
        let backoff_exceeded = failed > job["spec"]["backoffLimit"].as_i64().unwrap_or(6);
        if !done && !backoff_exceeded {
            let want = parallelism.min(completions - succeeded) - active.len() as i64;
            for _ in 0..want.max(0) {
                let tpl = &job["spec"]["template"];
                let mut meta = tpl["metadata"].clone();
                if !meta.is_object() {
                    meta = json!({});
                }
                let pod_name = format!("{name}-{}", suffix());
                meta["name"] = json!(pod_name);
                meta["labels"]["batch.kubernetes.io/job-name"] = json!(name);
                meta["labels"]["job-name"] = json!(name);
                meta["labels"]["batch.kubernetes.io/controller-uid"] = uid.clone();
                meta["ownerReferences"] = json!([owner_ref(&job)]);
                let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": tpl["spec"]});
                if create(state, "", "pods", ns, pod).is_some() {
                    event(
                        state,
                        &job,
                        "Normal",
                        "SuccessfulCreate",
                        &format!("Created pod: {pod_name}"),
                        "job-controller",
                    );
                }
            }
        }
        let prev = &job["status"];
        let mut status = json!({
            "startTime": prev["startTime"].as_str().map(str::to_string).unwrap_or_else(now),
            "active": active.len(),
            "succeeded": succeeded,
            "failed": failed,
            "ready": active.iter().filter(|p| pod_ready(p)).count(),
            "terminating": 0,
            "uncountedTerminatedPods": {},
        });
        if done || backoff_exceeded {
            let t = prev["completionTime"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(now);
            let (a, b, reason) = if done {
                ("SuccessCriteriaMet", "Complete", "CompletionsReached")
            } else {
                ("FailureTarget", "Failed", "BackoffLimitExceeded")
            };
            status["conditions"] = json!([
                {"type": a, "status": "True", "reason": reason, "lastProbeTime": t, "lastTransitionTime": t},
                {"type": b, "status": "True", "reason": reason, "lastProbeTime": t, "lastTransitionTime": t},
            ]);
            if done {
                status["completionTime"] = json!(t);
                if prev["completionTime"].is_null() {
                    event(
                        state,
                        &job,
                        "Normal",
                        "Completed",
                        "Job completed",
                        "job-controller",
                    );
                }
            }
        }
        for k in ["active", "succeeded", "failed"] {
            if status[k] == json!(0) {
                status.as_object_mut().expect("object").remove(k);
            }
        }
        set_status(state, &job, "batch", "jobs", status);
    }
}

/// PodDisruptionBudget status from the ready pods it selects.
pub(crate) fn reconcile_pdbs(state: &State) {
    for pdb in list(state, "policy", "poddisruptionbudgets", None) {
        let ns = pdb["metadata"]["namespace"].as_str().unwrap_or_default();
        let Some(sel) = LabelSelector::from_spec(&pdb["spec"]["selector"]) else {
            continue;
        };
        let pods: Vec<Value> = list(state, "", "pods", Some(ns))
            .into_iter()
            .filter(|p| sel.matches(&p["metadata"]["labels"]) && !terminating(p))
            .map(|o| o.value().clone())
            .collect();
        let expected = pods.len() as i64;
        let healthy = pods.iter().filter(|p| pod_ready(p)).count() as i64;
        let desired = if !pdb["spec"]["minAvailable"].is_null() {
            int_or_percent(&pdb["spec"]["minAvailable"], expected, true)
        } else {
            expected - int_or_percent(&pdb["spec"]["maxUnavailable"], expected, false)
        }
        .max(0);
        let allowed = (healthy - desired).max(0);
        let t = pdb["status"]["conditions"][0]["lastTransitionTime"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(now);
        let (cs, reason) = if allowed > 0 {
            ("True", "SufficientPods")
        } else {
            ("False", "InsufficientPods")
        };
        let status = json!({
            "observedGeneration": pdb["metadata"]["generation"],
            "currentHealthy": healthy,
            "desiredHealthy": desired,
            "expectedPods": expected,
            "disruptionsAllowed": allowed,
            "conditions": [{"type": "DisruptionAllowed", "status": cs, "reason": reason, "message": "", "observedGeneration": pdb["metadata"]["generation"], "lastTransitionTime": t}],
        });
        set_status(state, &pdb, "policy", "poddisruptionbudgets", status);
    }
}
