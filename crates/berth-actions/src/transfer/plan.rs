//! The plan: every check on the source and the target before anything is touched, all
//! problems at once, the data size and the expected downtime.

use std::collections::BTreeMap;

use berth_catalog::Definition;
use berth_catalog::render::parse_quantity;
use berth_secrets::Sensitive;
use serde::Serialize;
use serde_json::{Value, json};

use super::remote::{self, Place};
use super::{Transfer, TransferOptions};
use crate::record::{self, Record};
use crate::{ActionError, Install, credential_handle, volume_selector};
use berth_store::TransferKind;

/// How much a check's failure weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum CheckLevel {
    /// Passed.
    Ok,
    /// Worth knowing; the transfer can go on.
    Warning,
    /// The transfer cannot start.
    Problem,
    /// The request itself is wrong (exit code 2): nothing was touched.
    BadInput,
}

/// One preflight check and its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    /// What was checked (`target reachable`, `storage classes`).
    pub name: String,
    /// Its result.
    pub level: CheckLevel,
    /// What was found, in a sentence.
    pub message: String,
}

/// What a transfer would do, and whether it can.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TransferPlan {
    /// Move or copy.
    pub kind: String,
    /// `(context, namespace, instance)` of the source.
    pub source: (String, String, String),
    /// `(context, namespace, instance)` of the target.
    pub target: (String, String, String),
    /// The definition id.
    pub definition: String,
    /// The source's version.
    pub version: String,
    /// The target's version.
    pub target_version: String,
    /// Every check, in order.
    pub checks: Vec<Check>,
    /// Whether the data is carried (the definition has export and import), else only the
    /// configuration and credentials.
    pub carries_data: bool,
    /// The data size the definition's `size` operation reported, in bytes.
    #[ts(type = "number | null")]
    pub data_bytes: Option<u64>,
    /// The steps that will run.
    pub steps: Vec<String>,
    /// Expected time the source is fenced (a move), in seconds, at the assumed rate.
    pub expected_downtime_secs: Option<f64>,
    /// The parameter values the target is installed with (non-secret).
    #[serde(skip)]
    pub(crate) target_values: Value,
    /// The source's record.
    #[serde(skip)]
    pub(crate) record: Option<Record>,
}

/// The rate the downtime estimate assumes (bytes per second): a conservative figure for a
/// dump through the exec tunnel of a real API server.
const ASSUMED_RATE: f64 = 20.0 * 1024.0 * 1024.0;

impl TransferPlan {
    /// Whether nothing stands in the way.
    pub fn feasible(&self) -> bool {
        self.checks
            .iter()
            .all(|c| matches!(c.level, CheckLevel::Ok | CheckLevel::Warning))
    }

    /// The problems, one per line, or `None` when feasible; bad input makes it `InvalidInput`.
    pub fn refusal(&self) -> Option<ActionError> {
        let problems: Vec<String> = self
            .checks
            .iter()
            .filter(|c| matches!(c.level, CheckLevel::Problem | CheckLevel::BadInput))
            .map(|c| format!("  - {}: {}", c.name, c.message))
            .collect();
        if problems.is_empty() {
            return None;
        }
        let text = format!(
            "the {} cannot start; nothing was changed:\n{}",
            self.kind,
            problems.join("\n")
        );
        Some(
            if self.checks.iter().any(|c| c.level == CheckLevel::BadInput) {
                ActionError::InvalidInput(text)
            } else {
                ActionError::Failed(text)
            },
        )
    }
}

struct Checks(Vec<Check>);

impl Checks {
    fn push(&mut self, name: &str, level: CheckLevel, message: impl Into<String>) {
        self.0.push(Check {
            name: name.to_owned(),
            level,
            message: message.into(),
        });
    }
}

/// The target's identity: `(namespace, instance)`.
pub(crate) fn target_of(options: &TransferOptions, source_ns: &str) -> (String, String) {
    (
        options
            .to_namespace
            .clone()
            .unwrap_or_else(|| source_ns.to_owned()),
        options
            .name
            .clone()
            .unwrap_or_else(|| options.instance.clone()),
    )
}

/// The source's credentials from this machine's keyring, by key.
pub(crate) fn source_credentials(
    t: &Transfer<'_>,
    record: &Record,
) -> Result<BTreeMap<String, Sensitive<String>>, Vec<String>> {
    let (mut found, mut missing) = (BTreeMap::new(), Vec::new());
    for key in &record.credentials {
        let handle =
            credential_handle(t.source.context(), &record.namespace, &record.instance, key);
        match t.source.keyring.get(&handle) {
            Ok(value) => {
                found.insert(key.clone(), value);
            }
            Err(_) => missing.push(key.clone()),
        }
    }
    if missing.is_empty() {
        Ok(found)
    } else {
        Err(missing)
    }
}

impl Transfer<'_> {
    /// Checks everything on both clusters and returns the plan; nothing is changed.
    #[tracing::instrument(skip(self), fields(source = %self.source.context(), target = %self.target.context(), instance = %self.options.instance))]
    pub async fn plan(&self) -> Result<TransferPlan, ActionError> {
        let o = &self.options;
        let source_ns = self.source.namespace(&o.namespace);
        let (target_ns, target_name) = target_of(o, &source_ns);
        let mut checks = Checks(Vec::new());
        let kind = self.kind.as_str().to_owned();
        let mut plan = TransferPlan {
            kind: kind.clone(),
            source: (
                self.source.context().to_owned(),
                source_ns.clone(),
                o.instance.clone(),
            ),
            target: (
                self.target.context().to_owned(),
                target_ns.clone(),
                target_name.clone(),
            ),
            definition: String::new(),
            version: String::new(),
            target_version: String::new(),
            checks: Vec::new(),
            carries_data: false,
            data_bytes: None,
            steps: Vec::new(),
            expected_downtime_secs: None,
            target_values: json!({}),
            record: None,
        };
        if self.source.context() == self.target.context() && source_ns == target_ns {
            if self.kind == TransferKind::Move {
                checks.push(
                    "target",
                    CheckLevel::BadInput,
                    format!(
                        "a move needs another context or namespace than the source's ({}/{source_ns})",
                        self.source.context()
                    ),
                );
            } else if target_name == o.instance {
                checks.push(
                    "target",
                    CheckLevel::BadInput,
                    "a copy in the same context and namespace needs another --name",
                );
            }
        }
        // the source: its record, definition and credentials
        let record = match record::load(self.source, &source_ns, &o.instance).await {
            Ok(r) => r,
            Err(ActionError::NotFound(m)) => {
                checks.push("source", CheckLevel::BadInput, m);
                plan.checks = checks.0;
                return Ok(plan);
            }
            Err(e) => return Err(e),
        };
        plan.definition = record.definition.clone();
        plan.version = record.version.clone();
        let def = match self.source.catalog.get(&record.definition) {
            Some(d) => d,
            None => {
                checks.push(
                    "definition",
                    CheckLevel::Problem,
                    format!("this catalog has no definition {:?}", record.definition),
                );
                plan.checks = checks.0;
                return Ok(plan);
            }
        };
        let target_version = o.version.clone().unwrap_or_else(|| record.version.clone());
        plan.target_version = target_version.clone();
        check_version(def, &record.version, &target_version, &mut checks);
        if let Some(fenced) = super::fence::current(self.source, &source_ns, &o.instance).await? {
            checks.push(
                "source",
                CheckLevel::Problem,
                format!(
                    "the instance is fenced by transfer {}: `berth transfer resume {0}` or `berth transfer abort {0}`",
                    fenced.transfer
                ),
            );
        } else if record.stopped.is_some() {
            checks.push(
                "source",
                CheckLevel::Problem,
                "the instance is stopped: its data cannot be exported; `berth start` it first",
            );
        } else {
            checks.push(
                "source",
                CheckLevel::Ok,
                format!("{} {} found", def.id(), record.version),
            );
        }
        let ops = &def.spec.operations;
        plan.carries_data = ops.export.is_some() && ops.import.is_some();
        if !plan.carries_data {
            checks.push(
                "data",
                if o.require_data {
                    CheckLevel::BadInput
                } else {
                    CheckLevel::Warning
                },
                format!(
                    "{} has no export/import operations: only the configuration and credentials are carried, not the data",
                    def.id()
                ),
            );
        } else if ops.verify.is_none() {
            checks.push(
                "data",
                CheckLevel::Warning,
                "the definition has no verify operation: only the stream's byte count and sha256 are checked",
            );
        }
        let credentials = match source_credentials(self, &record) {
            Ok(c) => c,
            Err(missing) => {
                checks.push(
                    "credentials",
                    CheckLevel::Problem,
                    format!(
                        "this machine's keyring lacks {} of the instance: `berth adopt {}` first",
                        missing.join(", "),
                        o.instance
                    ),
                );
                BTreeMap::new()
            }
        };

        // the target: reachable, version, namespace, name free, storage classes
        let target = self.target;
        let client = target.cluster.client();
        let version = target
            .cluster
            .retry("version", || client.apiserver_version())
            .await;
        match version {
            Ok(v) => {
                let minor: u32 = v.minor.trim_end_matches('+').parse().unwrap_or(0);
                if v.major == "1" && minor >= 27 {
                    checks.push(
                        "target reachable",
                        CheckLevel::Ok,
                        format!("Kubernetes {}", v.git_version),
                    );
                } else {
                    checks.push(
                        "target reachable",
                        CheckLevel::Problem,
                        format!(
                            "Kubernetes {} is older than the 1.27 Berth supports",
                            v.git_version
                        ),
                    );
                }
            }
            Err(e) => {
                checks.push(
                    "target reachable",
                    CheckLevel::Problem,
                    match target.cluster.unusable(&e) {
                        // the sentence and hint every screen gives this failure
                        Some(failure) => match failure.hint() {
                            Some(hint) => format!("{failure}. {hint}"),
                            None => failure.to_string(),
                        },
                        None => format!("context {:?} cannot be reached: {e}", target.context()),
                    },
                );
                plan.checks = checks.0;
                plan.record = Some(record);
                return Ok(plan);
            }
        }
        let namespace_exists = target.cluster.namespace_exists(&target_ns).await?;
        if namespace_exists {
            checks.push(
                "target namespace",
                CheckLevel::Ok,
                format!("{target_ns:?} exists"),
            );
            if record::load(target, &target_ns, &target_name).await.is_ok() {
                checks.push(
                    "target name",
                    CheckLevel::Problem,
                    format!(
                        "an instance {target_name:?} already exists in {}/{target_ns}",
                        target.context()
                    ),
                );
            }
        } else if o.create_namespace {
            checks.push(
                "target namespace",
                CheckLevel::Ok,
                format!("{target_ns:?} will be created"),
            );
        } else {
            checks.push(
                "target namespace",
                CheckLevel::Problem,
                format!(
                    "{target_ns:?} does not exist in {:?}: pass --create-namespace",
                    target.context()
                ),
            );
        }
        let mut values = record.parameters.clone();
        if !o.values.is_null() {
            merge(&mut values, &o.values);
        }
        self.check_storage(def, &record, &source_ns, &mut values, &mut checks)
            .await?;
        for set in &o.set {
            if let Err(e) = def.apply_set(&mut values, set) {
                checks.push("overrides", CheckLevel::BadInput, e.to_string());
            }
        }
        values["version"] = Value::String(target_version.clone());
        plan.target_values = values.clone();

        // the rendered objects against the target's server-side dry-run, and its quota and room
        if namespace_exists && checks.0.iter().all(|c| c.level != CheckLevel::BadInput) {
            let mut dry = Install::new(target, def.id());
            dry.name = Some(target_name.clone());
            dry.namespace = Some(target_ns.clone());
            dry.version = Some(target_version.clone());
            dry.values = values.clone();
            dry.dry_run = true;
            dry.credentials = Some(credentials);
            match dry.run(&|_| {}).await {
                Ok(out) => {
                    checks.push(
                        "server-side dry-run",
                        CheckLevel::Ok,
                        format!("{} objects accepted", out.objects.len()),
                    );
                    check_room(target, &target_ns, &out.objects, &mut checks).await;
                }
                Err(e) => checks.push("server-side dry-run", CheckLevel::Problem, e.to_string()),
            }
        }

        // the data size and the downtime it means
        if plan.carries_data
            && let Some(op) = &ops.size
        {
            let place = Place::of(op, &source_ns, &o.instance);
            match remote::run(self.source, &place, &op.command, "size").await {
                Ok(text) => match text.split_whitespace().last().and_then(|n| n.parse().ok()) {
                    Some(n) => plan.data_bytes = Some(n),
                    None => checks.push(
                        "data size",
                        CheckLevel::Warning,
                        format!("the size operation printed {text:?}"),
                    ),
                },
                Err(e) => checks.push("data size", CheckLevel::Warning, e.to_string()),
            }
        }
        plan.expected_downtime_secs = (self.kind == TransferKind::Move)
            .then(|| plan.data_bytes.map(|b| b as f64 / ASSUMED_RATE + 10.0))
            .flatten();
        plan.steps = super::steps(self.kind, plan.carries_data)
            .iter()
            .map(|s| s.to_string())
            .collect();
        plan.checks = checks.0;
        plan.record = Some(record);
        Ok(plan)
    }

    /// Storage classes: each class the source uses exists on the target or is mapped; a
    /// mapping naming a class the target lacks is bad input.
    async fn check_storage(
        &self,
        def: &Definition,
        record: &Record,
        source_ns: &str,
        values: &mut Value,
        checks: &mut Checks,
    ) -> Result<(), ActionError> {
        let classes = self
            .target
            .cluster
            .list("storage.k8s.io/v1", "StorageClass", None, "")
            .await
            .unwrap_or_default();
        let names: Vec<&str> = classes
            .iter()
            .filter_map(|c| c["metadata"]["name"].as_str())
            .collect();
        let default = classes
            .iter()
            .find(|c| {
                c["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"]
                    == "true"
            })
            .and_then(|c| c["metadata"]["name"].as_str());
        let map: BTreeMap<&str, &str> = self
            .options
            .storage_class_map
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        for to in map.values() {
            if !names.contains(to) {
                checks.push(
                    "storage classes",
                    CheckLevel::BadInput,
                    format!("--storage-class-map names {to:?}, which context {:?} does not have (it has: {})", self.target.context(), names.join(", ")),
                );
            }
        }
        let pvcs = self
            .source
            .cluster
            .list(
                "v1",
                "PersistentVolumeClaim",
                Some(source_ns),
                &volume_selector(def.id(), &record.instance),
            )
            .await
            .unwrap_or_default();
        let mut used: Vec<String> = pvcs
            .iter()
            .filter_map(|p| p["spec"]["storageClassName"].as_str().map(str::to_owned))
            .collect();
        if let Some(c) = record.parameters["storage"]["className"]
            .as_str()
            .filter(|c| !c.is_empty())
        {
            used.push(c.to_owned());
        }
        used.sort();
        used.dedup();
        let explicit = record.parameters["storage"]["className"]
            .as_str()
            .unwrap_or_default();
        for class in &used {
            let (level, message, chosen) = if let Some(to) = map.get(class.as_str()) {
                (
                    CheckLevel::Ok,
                    format!("{class} → {to} (mapped)"),
                    Some(to.to_string()),
                )
            } else if names.contains(&class.as_str()) {
                (
                    CheckLevel::Ok,
                    format!("{class} exists on the target"),
                    None,
                )
            } else {
                (
                    CheckLevel::Warning,
                    format!(
                        "{class} does not exist on the target: its default class {} is used (map it with --storage-class-map {class}=CLASS)",
                        default.unwrap_or("(none marked default)")
                    ),
                    Some(String::new()),
                )
            };
            checks.push("storage classes", level, message);
            if class == explicit
                && let Some(chosen) = chosen
                && values.get("storage").is_some_and(Value::is_object)
            {
                values["storage"]["className"] = Value::String(chosen);
            }
        }
        if used.is_empty() && values.get("storage").is_some() {
            checks.push(
                "storage classes",
                CheckLevel::Ok,
                format!(
                    "the target's default class ({}) is used",
                    default.unwrap_or("none marked default")
                ),
            );
        }
        Ok(())
    }
}

/// The version the target gets: the source's, or one the definition can copy into.
fn check_version(def: &Definition, from: &str, to: &str, checks: &mut Checks) {
    if from == to {
        return;
    }
    let allowed = def
        .version(from)
        .map(|v| v.copy_upgradable_to.clone())
        .unwrap_or_default();
    if def.version(to).is_none() || !allowed.iter().any(|v| v == to) {
        checks.push(
            "version",
            CheckLevel::BadInput,
            format!(
                "{} {from} cannot be copied into version {to:?} (it can be copied into: {})",
                def.id(),
                if allowed.is_empty() {
                    "none".to_owned()
                } else {
                    allowed.join(", ")
                }
            ),
        );
    } else {
        checks.push("version", CheckLevel::Ok, format!("{from} → {to}"));
    }
}

/// Merges `over` into `base` (objects key by key, everything else replaced).
fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                merge(b.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (b, o) => *b = o.clone(),
    }
}

/// CPU (cores) and memory (bytes) the workloads of `objects` request in total.
fn requests(objects: &[Value]) -> (f64, f64) {
    let (mut cpu, mut mem) = (0.0, 0.0);
    for o in objects {
        if !matches!(o["kind"].as_str(), Some("StatefulSet" | "Deployment")) {
            continue;
        }
        let replicas = o["spec"]["replicas"].as_f64().unwrap_or(1.0);
        for c in o["spec"]["template"]["spec"]["containers"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let r = &c["resources"]["requests"];
            cpu += replicas * r["cpu"].as_str().and_then(parse_quantity).unwrap_or(0.0);
            mem += replicas * r["memory"].as_str().and_then(parse_quantity).unwrap_or(0.0);
        }
    }
    (cpu, mem)
}

/// ResourceQuota of the target namespace (a problem when it cannot hold the requests) and the
/// nodes' free allocatable (a warning).
async fn check_room(target: &crate::Config, ns: &str, objects: &[Value], checks: &mut Checks) {
    let (cpu, mem) = requests(objects);
    let quotas = target
        .cluster
        .list("v1", "ResourceQuota", Some(ns), "")
        .await
        .unwrap_or_default();
    for q in &quotas {
        let name = q["metadata"]["name"].as_str().unwrap_or_default();
        for (key, need) in [("requests.cpu", cpu), ("requests.memory", mem)] {
            let hard = q["status"]["hard"][key]
                .as_str()
                .or(q["spec"]["hard"][key].as_str())
                .and_then(parse_quantity);
            let used = q["status"]["used"][key]
                .as_str()
                .and_then(parse_quantity)
                .unwrap_or(0.0);
            if let Some(hard) = hard
                && used + need > hard
            {
                checks.push(
                    "quota",
                    CheckLevel::Problem,
                    format!("ResourceQuota {name} allows {key} {hard}, {used} used, the instance needs {need}"),
                );
            }
        }
    }
    if !checks.0.iter().any(|c| c.name == "quota") {
        checks.push(
            "quota",
            CheckLevel::Ok,
            format!("{} ResourceQuota(s) can hold the requests", quotas.len()),
        );
    }
    let nodes = target
        .cluster
        .list("v1", "Node", None, "")
        .await
        .unwrap_or_default();
    let pods = target
        .cluster
        .list("v1", "Pod", None, "")
        .await
        .unwrap_or_default();
    let sum = |objs: &[Value], path: &dyn Fn(&Value) -> Vec<(f64, f64)>| {
        objs.iter()
            .flat_map(path)
            .fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1))
    };
    let (free_cpu, free_mem) = {
        let alloc = sum(&nodes, &|n| {
            let a = &n["status"]["allocatable"];
            vec![(
                a["cpu"].as_str().and_then(parse_quantity).unwrap_or(0.0),
                a["memory"].as_str().and_then(parse_quantity).unwrap_or(0.0),
            )]
        });
        let used = sum(&pods, &|p| {
            p["spec"]["containers"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| {
                    let r = &c["resources"]["requests"];
                    (
                        r["cpu"].as_str().and_then(parse_quantity).unwrap_or(0.0),
                        r["memory"].as_str().and_then(parse_quantity).unwrap_or(0.0),
                    )
                })
                .collect()
        });
        (alloc.0 - used.0, alloc.1 - used.1)
    };
    if nodes.is_empty() || (free_cpu >= cpu && free_mem >= mem) {
        checks.push(
            "room",
            CheckLevel::Ok,
            format!(
                "the instance requests {cpu} CPU and {:.0} MiB",
                mem / 1048576.0
            ),
        );
    } else {
        checks.push(
            "room",
            CheckLevel::Warning,
            format!("the nodes have {free_cpu:.2} CPU and {:.0} MiB unrequested; the instance requests {cpu} CPU and {:.0} MiB", free_mem / 1048576.0, mem / 1048576.0),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_overrides_key_by_key() {
        let mut base = json!({"storage": {"size": "1Gi", "className": "fast"}, "replicas": 1});
        merge(&mut base, &json!({"storage": {"size": "2Gi"}}));
        assert_eq!(
            base,
            json!({"storage": {"size": "2Gi", "className": "fast"}, "replicas": 1})
        );
    }

    #[test]
    fn sums_workload_requests_times_replicas() {
        let objects = [
            json!({"kind": "StatefulSet", "spec": {"replicas": 2, "template": {"spec": {"containers": [
            {"resources": {"requests": {"cpu": "250m", "memory": "256Mi"}}}]}}}}),
            json!({"kind": "Service"}),
        ];
        assert_eq!(requests(&objects), (0.5, 512.0 * 1048576.0));
    }
}
