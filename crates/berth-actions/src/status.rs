//! Where an instance stands: discovered from record ConfigMaps, judged from its workloads and pods.

use berth_catalog::spec::ReadinessCondition;
use berth_catalog::{Catalog, Definition};
use berth_cluster::ObjectRef;
use std::collections::HashMap;

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
    let mut workloads = HashMap::new();
    if record.stopped.is_none()
        && let Some(def) = def
    {
        for (kind, name, _) in def.readiness(&record.instance) {
            let target = ObjectRef {
                api_version: "apps/v1".into(),
                kind: kind.clone(),
                namespace: Some(ns.clone()),
                name: name.clone(),
            };
            if let Some(w) = cfg.cluster.get(&target).await? {
                workloads.insert((kind, ns.clone(), name), w);
            }
        }
    }
    Ok(judge(
        def,
        record,
        &pods.iter().collect::<Vec<_>>(),
        &workloads,
    ))
}

/// Workloads by kind, namespace and name.
type Workloads = HashMap<(String, String, String), Value>;

/// How an instance is doing, from its pods and workloads.
fn judge(
    def: Option<&Definition>,
    record: &Record,
    pods: &[&Value],
    workloads: &Workloads,
) -> Observation {
    let ns = &record.namespace;
    let pods_total = pods.len() as u32;
    let pods_ready = pods.iter().filter(|p| pod_ready(p)).count() as u32;
    let at = |health| Observation {
        health,
        pods_ready,
        pods_total,
    };
    if record.stopped.is_some() {
        return at(Health::Stopped);
    }
    for pod in pods {
        if let Some(reason) = pod_stuck(pod) {
            return at(Health::Degraded(reason));
        }
    }
    let mut ready = true;
    if let Some(def) = def {
        for (kind, name, rule) in def.readiness(&record.instance) {
            let Some(workload) = workloads.get(&(kind.clone(), ns.clone(), name.clone())) else {
                return at(Health::Degraded(format!("{kind} {name} is missing")));
            };
            if !workload_ready(workload, rule.condition) {
                ready = false;
            }
        }
    } else {
        ready = pods_total > 0 && pods_ready == pods_total;
    }
    at(if ready {
        Health::Ready
    } else {
        Health::Progressing
    })
}

/// The fields of pods that [`judge`] reads (and [`Listing::judge`] matches pods by).
const POD_FIELDS: &[&str] = &[
    "metadata.name",
    "metadata.namespace",
    "metadata.labels",
    "status.conditions",
    "status.containerStatuses.state",
];

/// The fields of workloads that [`judge`] reads.
const WORKLOAD_FIELDS: &[&str] = &[
    "metadata.name",
    "metadata.namespace",
    "metadata.generation",
    "spec.replicas",
    "status",
];

/// The fields of record ConfigMaps that [`Record::from_object`] reads.
const RECORD_FIELDS: &[&str] = &[
    "metadata.name",
    "metadata.namespace",
    "metadata.labels",
    "metadata.annotations",
    "metadata.creationTimestamp",
    "data",
];

/// The pods and workloads of every Berth instance in a namespace (or all), one list each:
/// listing many instances costs three requests instead of two per instance. Only the fields
/// judged are read out of the answers (see [`berth_cluster::listing`]).
async fn snapshot(
    cfg: &Config,
    namespace: Option<&str>,
) -> Result<(Vec<Value>, Workloads), ActionError> {
    let managed = "app.kubernetes.io/managed-by=berth";
    let pod_fields = berth_cluster::Fields::new(POD_FIELDS);
    let workload_fields = berth_cluster::Fields::new(WORKLOAD_FIELDS);
    let (pods, sets, deployments) = futures::try_join!(
        cfg.cluster
            .list_fields("v1", "Pod", namespace, managed, &pod_fields),
        cfg.cluster.list_fields(
            "apps/v1",
            "StatefulSet",
            namespace,
            managed,
            &workload_fields
        ),
        cfg.cluster.list_fields(
            "apps/v1",
            "Deployment",
            namespace,
            managed,
            &workload_fields
        ),
    )?;
    let mut workloads = HashMap::new();
    for (kind, items) in [("StatefulSet", sets), ("Deployment", deployments)] {
        for w in items {
            let meta = &w["metadata"];
            let key = (
                kind.to_owned(),
                meta["namespace"].as_str().unwrap_or_default().to_owned(),
                meta["name"].as_str().unwrap_or_default().to_owned(),
            );
            workloads.insert(key, w);
        }
    }
    Ok((pods, workloads))
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
    Ok(fetch(cfg, namespace).await?.judge(&cfg.catalog))
}

/// What one context holds, fetched: the instances' records and the pods and workloads their
/// health is judged by. [`Listing::judge`] needs only the definitions the records name, so a
/// caller listing many contexts can fetch them all first and load just those definitions.
#[derive(Debug)]
pub struct Listing {
    context: String,
    records: Vec<Record>,
    snapshot: Result<(Vec<Value>, Workloads), String>,
}

/// Fetches the records, pods and workloads of every instance in the context (in one namespace,
/// or all when `None`): four LISTs by label, sent at once.
#[tracing::instrument(level = "debug", skip(cfg), fields(context = %cfg.context()))]
pub async fn fetch(cfg: &Config, namespace: Option<&str>) -> Result<Listing, ActionError> {
    let record_fields = berth_cluster::Fields::new(RECORD_FIELDS);
    let records = async {
        cfg.cluster
            .list_fields(
                "v1",
                "ConfigMap",
                namespace,
                &format!("{RECORD_LABEL}=true"),
                &record_fields,
            )
            .await
            .map_err(ActionError::from)
    };
    // the pods and workloads are asked together with the records, not after them: one round
    // trip instead of two (an empty context costs three small LISTs more)
    let (list, snapshot) = futures::join!(records, snapshot(cfg, namespace));
    // an instance moved to another cluster is listed at its new place only
    let records: Vec<Record> = list?
        .iter()
        .filter(|v| {
            v["metadata"]["annotations"][crate::transfer::fence::MOVED_TO_ANNOTATION].is_null()
        })
        .filter_map(|v| Record::from_object(v).ok())
        .collect();
    Ok(Listing {
        context: cfg.context().to_owned(),
        records,
        snapshot: snapshot.map_err(|e| e.to_string()),
    })
}

impl Listing {
    /// The definition ids the records name.
    pub fn definitions(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.records.iter().map(|r| r.definition.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Every instance with its health, by namespace and name.
    pub fn judge(self, catalog: &Catalog) -> Vec<InstanceStatus> {
        let Listing {
            context,
            records,
            snapshot,
        } = self;
        let mut out: Vec<InstanceStatus> = match snapshot {
            Ok((pods, workloads)) => records
                .into_iter()
                .map(|record| {
                    let def = catalog.get(&record.definition);
                    let mine: Vec<&Value> = pods
                        .iter()
                        .filter(|p| {
                            p["metadata"]["namespace"] == record.namespace.as_str()
                                && p["metadata"]["labels"]["app.kubernetes.io/instance"]
                                    == record.instance.as_str()
                        })
                        .collect();
                    let seen = judge(def, &record, &mine, &workloads);
                    InstanceStatus {
                        context: context.clone(),
                        endpoint: def.map(|d| endpoint(d, &record)),
                        health: seen.health,
                        pods_ready: seen.pods_ready,
                        pods_total: seen.pods_total,
                        record,
                    }
                })
                .collect(),
            Err(reason) => records
                .into_iter()
                .map(|record| InstanceStatus {
                    context: context.clone(),
                    endpoint: catalog
                        .get(&record.definition)
                        .map(|d| endpoint(d, &record)),
                    health: Health::Unreachable(reason.clone()),
                    pods_ready: 0,
                    pods_total: 0,
                    record,
                })
                .collect(),
        };
        out.sort_by(|a, b| {
            (&a.record.namespace, &a.record.instance)
                .cmp(&(&b.record.namespace, &b.record.instance))
        });
        out
    }
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
