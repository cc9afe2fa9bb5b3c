//! Where an instance stands: discovered from record ConfigMaps, judged from its workloads and pods.

use berth_catalog::Definition;
use berth_catalog::spec::ReadinessCondition;
use berth_cluster::ObjectRef;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, ListParams};
use serde_json::Value;

use crate::record::{RECORD_LABEL, Record};
use crate::{ActionError, Config, instance_selector};

/// How an instance is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// Every workload has all its replicas ready.
    Ready,
    /// Pods are starting or a rollout is under way.
    Progressing,
    /// Something is wrong: the reason names the pod or object and why.
    Degraded(String),
    /// Stopped on purpose (`berth stop`): scaled to zero, data kept.
    Stopped,
    /// The cluster could not be asked.
    Unreachable(String),
}

/// One instance as `berth ls` and `berth status` show it.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceStatus {
    /// The kubeconfig context.
    pub context: String,
    /// What the record ConfigMap says.
    pub record: Record,
    /// How it is doing.
    pub health: Health,
    /// Ready pods.
    pub pods_ready: u32,
    /// All pods of the instance.
    pub pods_total: u32,
    /// The client endpoint inside the cluster (`host:port`), when the definition is known.
    pub endpoint: Option<String>,
}

/// Readiness facts at one moment.
#[derive(Debug, Clone)]
pub(crate) struct Observation {
    pub(crate) health: Health,
    pub(crate) pods_ready: u32,
    pub(crate) pods_total: u32,
}

/// Waiting reasons of a container that mean it will not start without help.
const STUCK_REASONS: &[&str] = &[
    "ErrImagePull",
    "ImagePullBackOff",
    "CrashLoopBackOff",
    "CreateContainerConfigError",
    "InvalidImageName",
];

/// Looks at an instance's workloads and pods now.
pub(crate) async fn observe(
    cfg: &Config,
    def: Option<&Definition>,
    record: &Record,
) -> Result<Observation, ActionError> {
    let ns = &record.namespace;
    let pods = cfg
        .cluster
        .list("v1", "Pod", Some(ns), &instance_selector(&record.instance))
        .await?;
    let pods_total = pods.len() as u32;
    let pods_ready = pods.iter().filter(|p| pod_ready(p)).count() as u32;
    if record.stopped.is_some() {
        return Ok(Observation {
            health: Health::Stopped,
            pods_ready,
            pods_total,
        });
    }
    for pod in &pods {
        if let Some(reason) = pod_stuck(pod) {
            return Ok(Observation {
                health: Health::Degraded(reason),
                pods_ready,
                pods_total,
            });
        }
    }
    let mut ready = true;
    if let Some(def) = def {
        for (kind, name, rule) in def.readiness(&record.instance) {
            let target = ObjectRef {
                api_version: "apps/v1".into(),
                kind: kind.clone(),
                namespace: Some(ns.clone()),
                name: name.clone(),
            };
            let Some(workload) = cfg.cluster.get(&target).await? else {
                return Ok(Observation {
                    health: Health::Degraded(format!("{kind} {name} is missing")),
                    pods_ready,
                    pods_total,
                });
            };
            if !workload_ready(&workload, rule.condition) {
                ready = false;
            }
        }
    } else {
        ready = pods_total > 0 && pods_ready == pods_total;
    }
    Ok(Observation {
        health: if ready {
            Health::Ready
        } else {
            Health::Progressing
        },
        pods_ready,
        pods_total,
    })
}

fn pod_ready(pod: &Value) -> bool {
    pod["status"]["conditions"].as_array().is_some_and(|c| {
        c.iter()
            .any(|c| c["type"] == "Ready" && c["status"] == "True")
    })
}

fn pod_stuck(pod: &Value) -> Option<String> {
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    for status in pod["status"]["containerStatuses"].as_array()? {
        let waiting = &status["state"]["waiting"];
        if let Some(reason) = waiting["reason"].as_str()
            && STUCK_REASONS.contains(&reason)
        {
            let message = waiting["message"].as_str().unwrap_or_default();
            return Some(format!("pod {name}: {reason} {message}").trim().to_owned());
        }
    }
    None
}

pub(crate) fn workload_replicas(workload: &Value) -> i64 {
    workload["spec"]["replicas"].as_i64().unwrap_or(1)
}

fn workload_ready(workload: &Value, condition: ReadinessCondition) -> bool {
    let status = &workload["status"];
    let generation = workload["metadata"]["generation"].as_i64().unwrap_or(0);
    if status["observedGeneration"].as_i64().unwrap_or(0) < generation {
        return false;
    }
    match condition {
        ReadinessCondition::AllReplicasReady => {
            let want = workload_replicas(workload);
            let int = |k: &str| status[k].as_i64().unwrap_or(0);
            int("readyReplicas") == want
                && int("replicas") == want
                && status
                    .get("updatedReplicas")
                    .and_then(Value::as_i64)
                    .is_none_or(|u| u == want)
        }
        ReadinessCondition::Available => status["conditions"].as_array().is_some_and(|c| {
            c.iter()
                .any(|c| c["type"] == "Available" && c["status"] == "True")
        }),
    }
}

/// The client endpoint (`host:port`) of an instance.
pub(crate) fn endpoint(def: &Definition, record: &Record) -> String {
    format!(
        "{}.{}.svc:{}",
        def.spec
            .connection
            .service
            .replace("{instance}", &record.instance),
        record.namespace,
        def.spec.connection.port
    )
}

/// Every instance in the context (in one namespace, or all when `None`), found through their
/// record ConfigMaps.
#[tracing::instrument(level = "debug", skip(cfg), fields(context = %cfg.context()))]
pub async fn list(
    cfg: &Config,
    namespace: Option<&str>,
) -> Result<Vec<InstanceStatus>, ActionError> {
    let client = cfg.cluster.client();
    let api: Api<ConfigMap> = match namespace {
        Some(ns) => Api::namespaced(client, ns),
        None => Api::all(client),
    };
    let params = ListParams::default().labels(&format!("{RECORD_LABEL}=true"));
    let list = cfg
        .cluster
        .retry("list instances", || api.list(&params))
        .await
        .map_err(|e| {
            ActionError::from(berth_cluster::ClusterError::Unreachable {
                context: cfg.context().to_owned(),
                message: format!("cannot list instances: {e}"),
            })
        })?;
    let records: Vec<Record> = list
        .items
        .iter()
        .filter_map(|cm| serde_json::to_value(cm).ok())
        .filter_map(|v| Record::from_object(&v).ok())
        .collect();
    let statuses = records.into_iter().map(|r| of_record(cfg, r));
    let mut out: Vec<InstanceStatus> = futures::future::join_all(statuses).await;
    out.sort_by(|a, b| {
        (&a.record.namespace, &a.record.instance).cmp(&(&b.record.namespace, &b.record.instance))
    });
    Ok(out)
}

/// One instance.
#[tracing::instrument(level = "debug", skip(cfg), fields(context = %cfg.context()))]
pub async fn status(
    cfg: &Config,
    namespace: &str,
    instance: &str,
) -> Result<InstanceStatus, ActionError> {
    let record = crate::record::load(cfg, namespace, instance).await?;
    Ok(of_record(cfg, record).await)
}

async fn of_record(cfg: &Config, record: Record) -> InstanceStatus {
    let def = cfg.catalog.get(&record.definition);
    let (health, pods_ready, pods_total) = match observe(cfg, def, &record).await {
        Ok(o) => (o.health, o.pods_ready, o.pods_total),
        Err(e) => (Health::Unreachable(e.to_string()), 0, 0),
    };
    InstanceStatus {
        context: cfg.context().to_owned(),
        endpoint: def.map(|d| endpoint(d, &record)),
        health,
        pods_ready,
        pods_total,
        record,
    }
}
