//! The simulated scheduler and kubelet: pods get a node, then go Pending → Running →
//! Ready after the configured delays; failing images give ErrImagePull/ImagePullBackOff,
//! crashing ones CrashLoopBackOff with a growing restartCount; Job pods succeed. Each
//! step writes Events and container logs as a real node does.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::{broadcast, watch};

use crate::controllers::objects::{event, list, set_status, terminating, update};
use crate::handlers::write::now;
use crate::resources::GroupResource;
use crate::server::State;

struct Tracked {
    since: Instant,
    started_at: String,
    ip: String,
    node: String,
    pod: (String, String),
    restarts: i64,
    announced: bool,
}

/// Marks a node Ready (or NotReady).
pub(crate) fn node_ready(state: &State, node: &str, ready: bool) {
    let Some(obj) = state.store.get(&GroupResource::new("", "nodes"), "", node) else {
        return;
    };
    let t = obj["status"]["conditions"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["type"] == "Ready"))
        .filter(|c| c["status"] == if ready { "True" } else { "False" })
        .map(|c| c["lastTransitionTime"].clone())
        .unwrap_or_else(|| json!(now()));
    let cond = |ty: &str, status: &str, reason: &str, msg: &str| {
        json!({"type": ty, "status": status, "reason": reason, "message": msg,
               "lastHeartbeatTime": t, "lastTransitionTime": t})
    };
    let capacity =
        json!({"cpu": "4", "memory": "16Gi", "pods": "110", "ephemeral-storage": "100Gi"});
    let status = json!({
        "capacity": capacity,
        "allocatable": capacity,
        "conditions": [
            cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            if ready {
                cond("Ready", "True", "KubeletReady", "kubelet is posting ready status")
            } else {
                cond("Ready", "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.")
            },
        ],
        "addresses": [{"type": "InternalIP", "address": "172.18.0.2"}, {"type": "Hostname", "address": node}],
        "nodeInfo": {
            "kubeletVersion": "v1.37.1", "kubeProxyVersion": "v1.37.1", "containerRuntimeVersion": "kubesim://1.0",
            "operatingSystem": "linux", "architecture": "amd64", "osImage": "kubesim", "kernelVersion": "6.1.0",
            "machineID": "", "systemUUID": "", "bootID": "",
        },
    });
    set_status(state, &obj, "", "nodes", status);
}

/// Runs the kubelet until shutdown. A pass runs when a pod changes (a store event of
/// `pods`), when the faults change (lost nodes), and when a tracked pod's clock comes due
/// (start, readiness, Job completion, image pull back-off, crash restarts); in between the
/// kubelet sleeps, so an idle simulator with many pods costs nothing.
pub(crate) async fn run(state: Arc<State>, mut shutdown: watch::Receiver<bool>) {
    let mut tracked: HashMap<String, Tracked> = HashMap::new();
    let probes = Arc::new(crate::probes::Probes::default());
    let mut next_ip: u32 = 2;
    let mut next_node = 0usize;
    let mut lost: Vec<String> = Vec::new();
    let pods = GroupResource::new("", "pods");
    let mut events = state.store.subscribe();
    let mut last_pass = tokio::time::Instant::now();
    loop {
        // Under a stream of writes, passes are at least MIN_SPACING apart (the old fixed
        // tick was 40 ms); after a quiet spell the first change is handled at once.
        tokio::select! {
            _ = tokio::time::sleep_until(last_pass + MIN_SPACING) => {}
            _ = shutdown.changed() => return,
        }
        last_pass = tokio::time::Instant::now();
        // Everything already queued is covered by the pass about to run.
        while let Ok(_) | Err(broadcast::error::TryRecvError::Lagged(_)) = events.try_recv() {}
        let now_lost = state.faults().lost_nodes;
        if now_lost != lost {
            for node in &state.config.nodes {
                if now_lost.contains(node) != lost.contains(node) {
                    tracing::info!(node, lost = now_lost.contains(node), "node status changes");
                    node_ready(&state, node, !now_lost.contains(node));
                }
            }
            lost = now_lost;
        }
        state
            .kubelet_passes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let due = tick(
            &state,
            &probes,
            &mut tracked,
            &mut next_ip,
            &mut next_node,
            &lost,
        );
        tracing::trace!(?due, "kubelet pass");
        let due = due.map(|d| tokio::time::Instant::from_std(d) + Duration::from_millis(1));
        loop {
            tokio::select! {
                e = events.recv() => match e {
                    Ok(e) if e.gr != pods => {}
                    Err(broadcast::error::RecvError::Closed) => return,
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => break,
                },
                _ = state.kubelet_wake.notified() => break,
                _ = sleep_until_due(due) => break,
                _ = shutdown.changed() => return,
            }
        }
    }
}

/// Shortest time between two passes.
const MIN_SPACING: Duration = Duration::from_millis(20);

/// Sleeps until `due`, or forever when nothing is due.
async fn sleep_until_due(due: Option<tokio::time::Instant>) {
    match due {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

/// The earlier of two optional instants.
fn earliest(a: Option<Instant>, b: Instant) -> Option<Instant> {
    Some(a.map_or(b, |a| a.min(b)))
}

fn tick(
    state: &Arc<State>,
    probes: &Arc<crate::probes::Probes>,
    tracked: &mut HashMap<String, Tracked>,
    next_ip: &mut u32,
    next_node: &mut usize,
    lost: &[String],
) -> Option<Instant> {
    let cfg = &state.config.kubelet;
    // When the next pass is due without any store event: the earliest pending clock.
    let mut due: Option<Instant> = None;
    let pods = list(state, "", "pods", None);
    let mut alive = std::collections::HashSet::new();
    for pod in &pods {
        let uid = pod["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        alive.insert(uid.clone());
        let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
        let name = pod["metadata"]["name"].as_str().unwrap_or_default();
        if terminating(pod) {
            continue;
        }
        if pod["spec"]["nodeName"]
            .as_str()
            .unwrap_or_default()
            .is_empty()
        {
            let nodes: Vec<&String> = state
                .config
                .nodes
                .iter()
                .filter(|n| !lost.contains(n))
                .collect();
            if nodes.is_empty() {
                continue;
            }
            let node = nodes[*next_node % nodes.len()].clone();
            *next_node += 1;
            update(state, "", "pods", ns, name, |o| {
                o["spec"]["nodeName"] = json!(node)
            });
            event(
                state,
                pod,
                "Normal",
                "Scheduled",
                &format!("Successfully assigned {ns}/{name} to {node}"),
                "default-scheduler",
            );
            continue;
        }
        let phase = pod["status"]["phase"].as_str().unwrap_or("Pending");
        if matches!(phase, "Succeeded" | "Failed") {
            continue;
        }
        let t = tracked.entry(uid.clone()).or_insert_with(|| {
            // A pod already running (kubesim restarted on a state file) carries on.
            let resumed = phase == "Running" && pod["status"]["podIP"].is_string();
            let ip = match pod["status"]["podIP"].as_str() {
                Some(ip) if resumed => ip.to_string(),
                _ => {
                    *next_ip += 1;
                    format!(
                        "10.244.{}.{}",
                        ((*next_ip - 1) >> 8) & 0xff,
                        (*next_ip - 1) & 0xff
                    )
                }
            };
            let since = if resumed {
                let run = Duration::from_millis(cfg.start_delay_ms + cfg.ready_delay_ms);
                Instant::now().checked_sub(run).unwrap_or_else(Instant::now)
            } else {
                Instant::now()
            };
            Tracked {
                since,
                started_at: pod["status"]["startTime"]
                    .as_str()
                    .filter(|_| resumed)
                    .map(str::to_string)
                    .unwrap_or_else(now),
                ip,
                node: pod["spec"]["nodeName"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                pod: (ns.to_string(), name.to_string()),
                restarts: 0,
                announced: resumed,
            }
        });
        let elapsed = t.since.elapsed();
        let start = Duration::from_millis(cfg.start_delay_ms);
        let ready_at = start + Duration::from_millis(cfg.ready_delay_ms);
        let containers: Vec<Value> = pod["spec"]["containers"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let image_of = |c: &Value| c["image"].as_str().unwrap_or_default().to_string();
        let failing = containers
            .iter()
            .any(|c| cfg.failing_images.contains(&image_of(c)));
        let crashing = containers
            .iter()
            .any(|c| cfg.crash_images.contains(&image_of(c)));
        let one_shot = pod["spec"]["restartPolicy"] != "Always";
        let running = !failing && elapsed >= start;
        let done = running
            && one_shot
            && !crashing
            && elapsed >= start + Duration::from_millis(cfg.job_duration_ms);
        // A lost node's pods turn NotReady (the node lifecycle controller's doing).
        let node_lost = lost.contains(&t.node);
        let mut ready = running && !crashing && !done && elapsed >= ready_at && !node_lost;
        // a pod bound to a real process is Ready while its exec probes pass
        if ready && probes.ready(state, pod, &uid) == Some(false) {
            ready = false;
        }
        if failing {
            if elapsed < Duration::from_secs(1) {
                // ErrImagePull turns ImagePullBackOff.
                due = earliest(due, t.since + Duration::from_secs(1));
            }
        } else if !running {
            due = earliest(due, t.since + start);
        } else if crashing {
            // The next simulated restart.
            let next = (elapsed.saturating_sub(start).as_millis() / 1000 + 1) as u32;
            due = earliest(due, t.since + start + Duration::from_secs(1) * next);
        } else if !done {
            if elapsed < ready_at {
                due = earliest(due, t.since + ready_at);
            }
            if one_shot {
                due = earliest(
                    due,
                    t.since + start + Duration::from_millis(cfg.job_duration_ms),
                );
            }
        }

        if running && !t.announced {
            t.announced = true;
            for c in &containers {
                let cname = c["name"].as_str().unwrap_or_default();
                let image = image_of(c);
                event(
                    state,
                    pod,
                    "Normal",
                    "Pulled",
                    &format!("Container image \"{image}\" already present on machine"),
                    "kubelet",
                );
                event(
                    state,
                    pod,
                    "Normal",
                    "Created",
                    &format!("Created container: {cname}"),
                    "kubelet",
                );
                event(
                    state,
                    pod,
                    "Normal",
                    "Started",
                    &format!("Started container {cname}"),
                    "kubelet",
                );
                for line in &cfg.startup_log {
                    let l = line
                        .replace("{pod}", name)
                        .replace("{container}", cname)
                        .replace("{image}", &image);
                    state.logs.write(ns, name, cname, &l);
                }
            }
        }
        if crashing && running {
            let restarts = (elapsed.saturating_sub(start).as_millis() / 1000) as i64;
            if restarts > t.restarts {
                t.restarts = restarts;
                for c in &containers {
                    let cname = c["name"].as_str().unwrap_or_default();
                    state.logs.restart(ns, name, cname);
                    state.logs.write(
                        ns,
                        name,
                        cname,
                        &format!("kubesim: container {cname} crashed (restart {restarts})"),
                    );
                }
                event(
                    state,
                    pod,
                    "Warning",
                    "BackOff",
                    "Back-off restarting failed container",
                    "kubelet",
                );
            }
        }
        if failing && elapsed.as_millis() < 200 {
            event(
                state,
                pod,
                "Warning",
                "Failed",
                "Failed to pull image: simulated pull failure",
                "kubelet",
            );
        }

        let statuses: Vec<Value> = containers
            .iter()
            .map(|c| {
                let cname = c["name"].as_str().unwrap_or_default();
                let image = image_of(c);
                let state_v = if failing {
                    let reason = if elapsed < Duration::from_secs(1) { "ErrImagePull" } else { "ImagePullBackOff" };
                    json!({"waiting": {"reason": reason, "message": format!("Back-off pulling image \"{image}\"")}})
                } else if !running {
                    json!({"waiting": {"reason": "ContainerCreating"}})
                } else if done {
                    json!({"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": t.started_at, "finishedAt": now()}})
                } else if crashing && cfg.crash_images.contains(&image) {
                    json!({"waiting": {"reason": "CrashLoopBackOff", "message": format!("back-off restarting failed container {cname}")}})
                } else {
                    json!({"running": {"startedAt": t.started_at}})
                };
                let mut s = json!({
                    "name": cname, "image": image, "imageID": format!("docker.io/library/{image}@sha256:0"),
                    "ready": ready, "started": running && !done, "restartCount": if crashing { t.restarts } else { 0 },
                    "state": state_v,
                });
                if running {
                    s["containerID"] = json!(format!("containerd://{}", &crate::controllers::objects::hash(&json!([uid, cname]))));
                }
                if crashing && t.restarts > 0 {
                    s["lastState"] = json!({"terminated": {"exitCode": 1, "reason": "Error", "startedAt": t.started_at, "finishedAt": t.started_at}});
                }
                s
            })
            .collect();
        let new_phase = if done {
            "Succeeded"
        } else if running {
            "Running"
        } else {
            "Pending"
        };
        let prev = &pod["status"];
        let cond = |ty: &str, ok: bool| {
            let status = if ok { "True" } else { "False" };
            let old = prev["conditions"]
                .as_array()
                .and_then(|cs| cs.iter().find(|c| c["type"] == ty).cloned());
            let lt = match &old {
                Some(o) if o["status"] == status => o["lastTransitionTime"].clone(),
                _ => json!(now()),
            };
            let mut c = json!({"type": ty, "status": status, "lastProbeTime": null, "lastTransitionTime": lt});
            if !ok && ty == "Ready" && node_lost {
                c["reason"] = json!("NodeNotReady");
            } else if !ok && (ty == "Ready" || ty == "ContainersReady") {
                c["reason"] = json!(if done {
                    "PodCompleted"
                } else {
                    "ContainersNotReady"
                });
            }
            c
        };
        let status = json!({
            "phase": new_phase,
            "conditions": [
                cond("PodReadyToStartContainers", running || failing),
                cond("Initialized", true),
                cond("Ready", ready),
                cond("ContainersReady", ready),
                cond("PodScheduled", true),
            ],
            "hostIP": "172.18.0.2",
            "hostIPs": [{"ip": "172.18.0.2"}],
            "podIP": t.ip,
            "podIPs": [{"ip": t.ip}],
            "startTime": t.started_at,
            "containerStatuses": statuses,
            "qosClass": prev["qosClass"].as_str().unwrap_or("BestEffort"),
        });
        set_status(state, pod, "", "pods", status);
    }
    tracked.retain(|uid, t| {
        let keep = alive.contains(uid);
        if !keep {
            state.logs.remove_pod(&t.pod.0, &t.pod.1);
        }
        keep
    });
    due
}
