//! `Restart`: a rolling restart through a pod-template annotation, as `kubectl rollout restart`.

use std::time::Duration;

use berth_store::Operation;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;

use crate::claim::claim;
use crate::stop_start::begin;
use crate::wait::{Progress, ProgressSink};
use crate::{ActionError, Config, instance_selector};

/// The pod-template annotation whose change rolls the pods.
pub const RESTARTED_AT_ANNOTATION: &str = "berth.dev/restartedAt";

/// Restarts every pod of an instance, one at a time as the workload's update strategy says.
#[derive(Debug, Clone)]
pub struct Restart<'a> {
    cfg: &'a Config,
    /// The instance.
    pub instance: String,
    /// The namespace (default: the context's).
    pub namespace: Option<String>,
    /// Wait until ready (default true).
    pub wait: bool,
    /// How long to wait (default 5 minutes).
    pub timeout: Duration,
}

impl<'a> Restart<'a> {
    /// A restart with the CLI's defaults.
    pub fn new(cfg: &'a Config, instance: impl Into<String>) -> Self {
        Self {
            cfg,
            instance: instance.into(),
            namespace: None,
            wait: true,
            timeout: Duration::from_secs(300),
        }
    }

    /// Runs it; returns the revision recorded.
    #[tracing::instrument(skip(self, progress), fields(context = %self.cfg.context(), instance = %self.instance))]
    pub async fn run(&self, progress: ProgressSink<'_>) -> Result<u32, ActionError> {
        crate::claim::within(self.timeout, self.run_bounded(progress)).await
    }

    async fn run_bounded(&self, progress: ProgressSink<'_>) -> Result<u32, ActionError> {
        let cfg = self.cfg;
        let claimed = claim(cfg, &self.namespace, &self.instance).await?;
        let (ns, rec) = (&claimed.namespace, &claimed.record);
        if rec.stopped.is_some() {
            return Err(ActionError::Unsupported(format!(
                "{} is stopped: `berth start {}` starts it",
                rec.instance, rec.instance
            )));
        }
        let pending = begin(cfg, rec, Operation::Restart)?;
        let result = async {
            let now = time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default();
            let patch = Patch::Merge(json!({"spec": {"template": {"metadata": {"annotations": {
                RESTARTED_AT_ANNOTATION: now
            }}}}}));
            let params = PatchParams::default();
            let selector = instance_selector(&rec.instance);
            let client = cfg.cluster.client();
            for kind in ["StatefulSet", "Deployment"] {
                for w in cfg
                    .cluster
                    .list("apps/v1", kind, Some(ns), &selector)
                    .await?
                {
                    let name = w["metadata"]["name"].as_str().unwrap_or_default();
                    progress(Progress::Step(format!("restart {kind} {name}")));
                    let what = format!("restart {kind} {ns}/{name}");
                    let done = if kind == "StatefulSet" {
                        let api = Api::<StatefulSet>::namespaced(client.clone(), ns);
                        cfg.cluster
                            .retry(&what, || api.patch(name, &params, &patch))
                            .await
                            .map(drop)
                    } else {
                        let api = Api::<Deployment>::namespaced(client.clone(), ns);
                        cfg.cluster
                            .retry(&what, || api.patch(name, &params, &patch))
                            .await
                            .map(drop)
                    };
                    done.map_err(|e| cfg.kube_error(format!("restart {kind} {ns}/{name}"), e))?;
                }
            }
            if self.wait
                && let Some(def) = cfg.catalog.get(&rec.definition)
            {
                crate::wait::until_ready(cfg, def, rec, self.timeout, progress).await?;
            }
            Ok(())
        }
        .await;
        let revision = pending.number();
        pending.finish(&result)?;
        result?;
        Ok(revision)
    }
}
