//! `Stop` and `Start`: scale an instance to zero keeping its data, and bring back exactly what ran.

use std::time::{Duration, Instant};

use berth_cluster::{ApplyOptions, ObjectRef};
use berth_store::{NewRevision, Operation};
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use kube::api::{Api, Patch, PatchParams};
use serde_json::{Value, json};

use crate::claim::claim;
use crate::pipeline::RevisionGuard;
use crate::record::{Record, StoppedState, StoppedWorkload};
use crate::wait::{Progress, ProgressSink};
use crate::{ActionError, Config, instance_selector};

/// What a stop or start did.
#[derive(Debug, Clone)]
pub struct StopStartOutcome {
    /// The instance.
    pub instance: String,
    /// The namespace.
    pub namespace: String,
    /// `false` when the instance already was in the asked state (nothing done, no revision).
    pub changed: bool,
    /// The revision recorded, when something changed.
    pub revision: Option<u32>,
    /// The workloads and the replica counts they were stopped from or started to.
    pub workloads: Vec<(String, String, i64)>,
}

/// Scales an instance to zero; volumes, Secrets and credentials stay.
#[derive(Debug, Clone)]
pub struct Stop<'a> {
    cfg: &'a Config,
    /// The instance.
    pub instance: String,
    /// The namespace (default: the context's).
    pub namespace: Option<String>,
    /// How long to wait for the pods to go (default 5 minutes).
    pub timeout: Duration,
}

/// Brings a stopped instance back as it was and waits until it is ready.
#[derive(Debug, Clone)]
pub struct Start<'a> {
    cfg: &'a Config,
    /// The instance.
    pub instance: String,
    /// The namespace (default: the context's).
    pub namespace: Option<String>,
    /// Wait until ready (default true).
    pub wait: bool,
    /// Keep a transfer's fence up (a standby started for a sync or a promote: clients stay
    /// off it until it is made the active).
    pub keep_fence: bool,
    /// How long to wait (default 5 minutes).
    pub timeout: Duration,
}

impl<'a> Stop<'a> {
    /// A stop with the CLI's defaults.
    pub fn new(cfg: &'a Config, instance: impl Into<String>) -> Self {
        Self {
            cfg,
            instance: instance.into(),
            namespace: None,
            timeout: Duration::from_secs(300),
        }
    }

    /// Runs the stop.
    #[tracing::instrument(skip(self, progress), fields(context = %self.cfg.context(), instance = %self.instance))]
    pub async fn run(&self, progress: ProgressSink<'_>) -> Result<StopStartOutcome, ActionError> {
        crate::claim::within(self.timeout, self.run_bounded(progress)).await
    }

    async fn run_bounded(
        &self,
        progress: ProgressSink<'_>,
    ) -> Result<StopStartOutcome, ActionError> {
        let cfg = self.cfg;
        let claimed = claim(cfg, &self.namespace, &self.instance).await?;
        let (ns, mut rec) = (claimed.namespace.clone(), claimed.record.clone());
        if let Some(stopped) = &rec.stopped {
            return Ok(outcome(&rec, false, None, &stopped.workloads));
        }
        if let Some(def) = cfg.catalog.get(&rec.definition)
            && !def.spec.capabilities.stop_start
        {
            return Err(ActionError::Unsupported(format!(
                "{} ({}) cannot be stopped and started",
                rec.instance, def.spec.title
            )));
        }
        let selector = instance_selector(&rec.instance);
        let mut state = StoppedState::default();
        for kind in ["StatefulSet", "Deployment"] {
            for w in cfg
                .cluster
                .list("apps/v1", kind, Some(&ns), &selector)
                .await?
            {
                state.workloads.push(StoppedWorkload {
                    kind: kind.to_owned(),
                    name: w["metadata"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    replicas: crate::status::workload_replicas(&w),
                });
            }
        }
        let hpas = cfg
            .cluster
            .list(
                "autoscaling/v2",
                "HorizontalPodAutoscaler",
                Some(&ns),
                &selector,
            )
            .await
            .unwrap_or_default();
        state.autoscalers = hpas.iter().map(restorable).collect();
        let pending = begin(cfg, &rec, Operation::Stop)?;
        let revision = pending.number();
        rec.stopped = Some(state.clone());
        rec.revision = revision;
        let result = async {
            // the record first: an interrupted stop still knows what to restore
            cfg.cluster
                .apply(&rec.to_object(), ApplyOptions::default())
                .await?;
            for hpa in &state.autoscalers {
                cfg.cluster.delete(&ObjectRef::of(hpa)?).await?;
            }
            for w in &state.workloads {
                progress(Progress::Step(format!("scale {} {} to 0", w.kind, w.name)));
                scale(cfg, &ns, &w.kind, &w.name, 0).await?;
            }
            wait_pods_gone(cfg, &rec, self.timeout, progress).await
        }
        .await;
        pending.finish(&result)?;
        result?;
        Ok(outcome(&rec, true, Some(revision), &state.workloads))
    }
}

impl<'a> Start<'a> {
    /// A start with the CLI's defaults.
    pub fn new(cfg: &'a Config, instance: impl Into<String>) -> Self {
        Self {
            cfg,
            instance: instance.into(),
            namespace: None,
            wait: true,
            keep_fence: false,
            timeout: Duration::from_secs(300),
        }
    }

    /// Runs the start.
    #[tracing::instrument(skip(self, progress), fields(context = %self.cfg.context(), instance = %self.instance))]
    pub async fn run(&self, progress: ProgressSink<'_>) -> Result<StopStartOutcome, ActionError> {
        crate::claim::within(self.timeout, self.run_bounded(progress)).await
    }

    async fn run_bounded(
        &self,
        progress: ProgressSink<'_>,
    ) -> Result<StopStartOutcome, ActionError> {
        let cfg = self.cfg;
        let claimed = claim(cfg, &self.namespace, &self.instance).await?;
        let (ns, mut rec) = (claimed.namespace.clone(), claimed.record.clone());
        // a transfer's fence (and a moved-out mark) is lifted by a start
        if !self.keep_fence && crate::transfer::fence::lift(cfg, &ns, &self.instance).await? {
            progress(Progress::Step("fence lifted".into()));
        }
        let Some(state) = rec.stopped.clone() else {
            return Ok(outcome(&rec, false, None, &[]));
        };
        let pending = begin(cfg, &rec, Operation::Start)?;
        let revision = pending.number();
        let result = async {
            for w in &state.workloads {
                progress(Progress::Step(format!(
                    "scale {} {} to {}",
                    w.kind, w.name, w.replicas
                )));
                scale(cfg, &ns, &w.kind, &w.name, w.replicas).await?;
            }
            for hpa in &state.autoscalers {
                cfg.cluster.apply(hpa, ApplyOptions::default()).await?;
            }
            rec.stopped = None;
            rec.revision = revision;
            cfg.cluster
                .apply(&rec.to_object(), ApplyOptions::default())
                .await?;
            if self.wait
                && let Some(def) = cfg.catalog.get(&rec.definition)
            {
                crate::wait::until_ready(cfg, def, &rec, self.timeout, progress).await?;
            }
            Ok(())
        }
        .await;
        pending.finish(&result)?;
        result?;
        Ok(outcome(&rec, true, Some(revision), &state.workloads))
    }
}

/// Begins the revision of an operation that changes no rendered object (stop, start, restart,
/// uninstall): it carries the `manifest_digest` of the instance's latest revision, the objects
/// it leaves in place.
pub(crate) fn begin<'a>(
    cfg: &'a Config,
    rec: &Record,
    operation: Operation,
) -> Result<RevisionGuard<'a>, ActionError> {
    let digest = cfg
        .store
        .revisions(cfg.context(), &rec.namespace, &rec.instance)?
        .into_iter()
        .find_map(|r| r.manifest_digest);
    RevisionGuard::begin(
        cfg,
        &NewRevision {
            context: cfg.context(),
            namespace: &rec.namespace,
            instance: &rec.instance,
            definition: &rec.definition,
            version: &rec.version,
            operation,
            parameters: &rec.parameters,
            manifest_digest: digest.as_deref(),
        },
    )
}

fn outcome(
    rec: &Record,
    changed: bool,
    revision: Option<u32>,
    workloads: &[StoppedWorkload],
) -> StopStartOutcome {
    StopStartOutcome {
        instance: rec.instance.clone(),
        namespace: rec.namespace.clone(),
        changed,
        revision,
        workloads: workloads
            .iter()
            .map(|w| (w.kind.clone(), w.name.clone(), w.replicas))
            .collect(),
    }
}

/// An autoscaler as it can be applied again: identity, labels, spec.
fn restorable(hpa: &Value) -> Value {
    let meta = &hpa["metadata"];
    json!({
        "apiVersion": hpa["apiVersion"],
        "kind": hpa["kind"],
        "metadata": {
            "name": meta["name"],
            "namespace": meta["namespace"],
            "labels": meta["labels"],
            "annotations": meta.get("annotations").cloned().unwrap_or(json!({})),
        },
        "spec": hpa["spec"],
    })
}

async fn scale(
    cfg: &Config,
    ns: &str,
    kind: &str,
    name: &str,
    replicas: i64,
) -> Result<(), ActionError> {
    let patch = Patch::Merge(json!({ "spec": { "replicas": replicas } }));
    let params = PatchParams {
        field_manager: Some(crate::SCALE_FIELD_MANAGER.to_owned()),
        ..PatchParams::default()
    };
    let client = cfg.cluster.client();
    let what = format!("scale {kind} {ns}/{name}");
    let result = match kind {
        "StatefulSet" => {
            let api = Api::<StatefulSet>::namespaced(client, ns);
            cfg.cluster
                .retry(&what, || api.patch_scale(name, &params, &patch))
                .await
                .map(drop)
        }
        _ => {
            let api = Api::<Deployment>::namespaced(client, ns);
            cfg.cluster
                .retry(&what, || api.patch_scale(name, &params, &patch))
                .await
                .map(drop)
        }
    };
    result.map_err(|e| cfg.kube_error(format!("scale {kind} {ns}/{name} to {replicas}"), e))
}

async fn wait_pods_gone(
    cfg: &Config,
    rec: &Record,
    timeout: Duration,
    progress: ProgressSink<'_>,
) -> Result<(), ActionError> {
    let start = Instant::now();
    loop {
        let pods = cfg
            .cluster
            .list(
                "v1",
                "Pod",
                Some(&rec.namespace),
                &instance_selector(&rec.instance),
            )
            .await?;
        progress(Progress::Pods {
            ready: 0,
            total: pods.len() as u32,
        });
        if pods.is_empty() {
            return Ok(());
        }
        if start.elapsed() > timeout {
            return Err(ActionError::Timeout(format!(
                "{} pods of {} still run after {} s",
                pods.len(),
                rec.instance,
                timeout.as_secs()
            )));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
