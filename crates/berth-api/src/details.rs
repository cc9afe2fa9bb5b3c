//! What the desktop's Instance page shows beyond the status: the pods with their phase and
//! restarts, the recent Kubernetes events about the instance's objects, and its volumes.

use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use crate::instances::{action_error, namespace_of, summary};
use crate::{Api, ApiError, InstanceRef, InstanceSummary};

/// How many events [`InstanceDetails`] carries at most.
pub(crate) const EVENTS_KEPT: usize = 30;

/// One pod of an instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PodInfo {
    /// The pod name.
    pub name: String,
    /// `Pending`, `Running`, `Succeeded`, `Failed` or `Unknown`.
    pub phase: String,
    /// Whether its Ready condition is true.
    pub ready: bool,
    /// Container restarts, summed.
    pub restarts: u32,
    /// Why a container is waiting or terminated (`CrashLoopBackOff`), when one is.
    pub reason: Option<String>,
    /// The node it runs on.
    pub node: Option<String>,
    /// When it started (RFC 3339).
    pub started: Option<String>,
}

/// A Kubernetes event about one of the instance's objects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EventInfo {
    /// `Normal` or `Warning`.
    pub severity: String,
    /// The reason (`Scheduled`, `BackOff`).
    pub reason: String,
    /// The message.
    pub message: String,
    /// The object (`Pod/pg-0`).
    pub object: String,
    /// How many times it happened.
    pub count: u32,
    /// When it last happened (RFC 3339).
    pub last_seen: Option<String>,
}

/// A persistent volume claim of the instance (its data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VolumeInfo {
    /// The claim name.
    pub name: String,
    /// The requested size (`8Gi`).
    pub capacity: Option<String>,
    /// `Pending`, `Bound` or `Lost`.
    pub phase: Option<String>,
    /// The storage class.
    pub storage_class: Option<String>,
}

/// An instance's status with its pods, recent events (newest first) and volumes.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InstanceDetails {
    /// The status, as in the instance list.
    pub instance: InstanceSummary,
    /// Its pods, by name.
    pub pods: Vec<PodInfo>,
    /// The newest events about its objects, newest first.
    pub events: Vec<EventInfo>,
    /// Its volumes, by name.
    pub volumes: Vec<VolumeInfo>,
}

fn text(v: &Value) -> Option<String> {
    v.as_str().filter(|s| !s.is_empty()).map(str::to_owned)
}

fn pod(p: &Value) -> PodInfo {
    let status = &p["status"];
    let containers = status["containerStatuses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let restarts = containers
        .iter()
        .map(|c| c["restartCount"].as_u64().unwrap_or(0))
        .sum::<u64>();
    let reason = containers.iter().find_map(|c| {
        text(&c["state"]["waiting"]["reason"]).or_else(|| text(&c["state"]["terminated"]["reason"]))
    });
    let ready = status["conditions"].as_array().is_some_and(|c| {
        c.iter()
            .any(|c| c["type"] == "Ready" && c["status"] == "True")
    });
    PodInfo {
        name: text(&p["metadata"]["name"]).unwrap_or_default(),
        phase: text(&status["phase"]).unwrap_or_else(|| "Unknown".to_owned()),
        ready,
        restarts: u32::try_from(restarts).unwrap_or(u32::MAX),
        reason: reason.or_else(|| text(&status["reason"])),
        node: text(&p["spec"]["nodeName"]),
        started: text(&status["startTime"]),
    }
}

fn event(e: &Value) -> EventInfo {
    EventInfo {
        severity: text(&e["type"]).unwrap_or_else(|| "Normal".to_owned()),
        reason: text(&e["reason"]).unwrap_or_default(),
        message: text(&e["message"]).unwrap_or_default(),
        object: format!(
            "{}/{}",
            e["involvedObject"]["kind"].as_str().unwrap_or_default(),
            e["involvedObject"]["name"].as_str().unwrap_or_default()
        ),
        count: e["count"]
            .as_u64()
            .and_then(|c| u32::try_from(c).ok())
            .unwrap_or(1),
        last_seen: text(&e["lastTimestamp"])
            .or_else(|| text(&e["eventTime"]))
            .or_else(|| text(&e["metadata"]["creationTimestamp"])),
    }
}

fn volume(v: &Value) -> VolumeInfo {
    VolumeInfo {
        name: text(&v["metadata"]["name"]).unwrap_or_default(),
        capacity: text(&v["status"]["capacity"]["storage"])
            .or_else(|| text(&v["spec"]["resources"]["requests"]["storage"])),
        phase: text(&v["status"]["phase"]),
        storage_class: text(&v["spec"]["storageClassName"]),
    }
}

impl Api {
    /// One instance's status with its pods, recent events and volumes.
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn instance_details(&self, which: &InstanceRef) -> Result<InstanceDetails, ApiError> {
        let cfg = self.action_config(which.context.as_deref()).await?;
        let ns = namespace_of(&cfg, which);
        let status = berth_actions::status::status(&cfg, &ns, &which.name)
            .await
            .map_err(action_error)?;
        let selector = format!("app.kubernetes.io/instance={}", which.name);
        let (pods, events, volumes) = futures::future::join3(
            cfg.cluster.list("v1", "Pod", Some(&ns), &selector),
            cfg.cluster.list("v1", "Event", Some(&ns), ""),
            cfg.cluster
                .list("v1", "PersistentVolumeClaim", Some(&ns), &selector),
        )
        .await;
        let mut pods: Vec<PodInfo> = pods?.iter().map(pod).collect();
        pods.sort_by(|a, b| a.name.cmp(&b.name));
        // events name objects, not labels: keep those about this instance's objects
        let mut events: Vec<EventInfo> = events?
            .iter()
            .filter(|e| {
                e["involvedObject"]["name"]
                    .as_str()
                    .is_some_and(|n| n == which.name || n.starts_with(&format!("{}-", which.name)))
            })
            .map(event)
            .collect();
        events.sort_by(|a, b| b.last_seen.cmp(&a.last_seen));
        events.truncate(EVENTS_KEPT);
        let mut volumes: Vec<VolumeInfo> = volumes?.iter().map(volume).collect();
        volumes.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(InstanceDetails {
            instance: summary(status),
            pods,
            events,
            volumes,
        })
    }
}

impl Api {
    /// The versions of a service in the catalog (for the Instance page's upgrade picker: each
    /// says which versions it upgrades to in place). Reads the catalog only, no cluster.
    pub fn service_versions(&self, service: &str) -> Result<Vec<crate::ServiceVersion>, ApiError> {
        Ok(self.catalog_show(service)?.service.versions)
    }
}
