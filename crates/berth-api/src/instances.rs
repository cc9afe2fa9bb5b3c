//! Installed services: install, list and status, stop and start, uninstall, history.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use berth_actions::{
    ActionError, Config, Health, Install, InstanceStatus, Progress, Start, Stop, Uninstall,
};
use berth_cluster::{Cluster, ProbeFailureKind};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::recovery::ParameterChange;
use crate::{Api, ApiError, ErrorCode, RevisionOperation, RevisionStatus};

/// How long `list_instances` gives each context to answer.
pub const CONTEXT_LIST_TIMEOUT: Duration = Duration::from_secs(3);

/// How long `list_instances` retries a context's failing requests (503, a refused connection...).
/// The list is the home screen: every context waits for the slowest, so a server that is down
/// must not hold the others back for long; the list is read again on focus, on Refresh and after
/// every operation. Long operations keep the full retry budget.
pub const LIST_RETRY_BUDGET: Duration = Duration::from_millis(300);

/// What to install, as `berth install` or the desktop's install form asks for it.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct InstallInput {
    /// The service id (`postgres`).
    pub service: String,
    /// The instance name (default: the service id).
    pub name: Option<String>,
    /// The context (default: the kubeconfig's current one).
    pub context: Option<String>,
    /// The namespace (default: the context's).
    pub namespace: Option<String>,
    /// Create the namespace when missing.
    pub create_namespace: bool,
    /// The version (default: the service's default).
    pub version: Option<String>,
    /// Parameter values (a JSON object), before `set`.
    pub values: Option<serde_json::Value>,
    /// `path=value` assignments applied over `values`.
    pub set: Vec<String>,
    /// Return once applied instead of waiting until ready.
    pub no_wait: bool,
    /// How long to wait until ready, in seconds (default 300).
    pub timeout_seconds: Option<u64>,
    /// Remove what was created when the install fails.
    pub atomic: bool,
    /// Validate with the server and change nothing.
    pub dry_run: bool,
}

/// What an install did, or would do with `dryRun`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InstallResult {
    /// The context.
    pub context: String,
    /// The namespace.
    pub namespace: String,
    /// The instance name.
    pub name: String,
    /// The service id.
    pub service: String,
    /// The version.
    pub version: String,
    /// The revision recorded (0 for a dry run).
    pub revision: u32,
    /// Whether the namespace was (or would be) created.
    pub created_namespace: bool,
    /// Whether the instance was waited for and is ready.
    pub ready: bool,
    /// Whether nothing was changed.
    pub dry_run: bool,
    /// The objects applied (or that would be), Secret values redacted.
    pub objects: Vec<serde_json::Value>,
}

/// Progress of a long operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum ProgressEvent {
    /// A step begins.
    Step {
        /// `dry-run`, `apply`, `wait`...
        name: String,
    },
    /// Another object was applied.
    Applied {
        /// Objects applied so far.
        done: u32,
        /// Objects to apply.
        total: u32,
        /// The object (`StatefulSet pg`).
        object: String,
    },
    /// Pods ready.
    Pods {
        /// Ready pods.
        ready: u32,
        /// All pods.
        total: u32,
    },
    /// The latest Kubernetes event about the instance.
    Event {
        /// `Kind/name: Reason message`.
        message: String,
    },
}

impl From<Progress> for ProgressEvent {
    fn from(p: Progress) -> Self {
        match p {
            Progress::Step(name) => ProgressEvent::Step { name },
            Progress::Applied {
                done,
                total,
                object,
            } => ProgressEvent::Applied {
                done: done as u32,
                total: total as u32,
                object,
            },
            Progress::Pods { ready, total } => ProgressEvent::Pods { ready, total },
            Progress::Event(message) => ProgressEvent::Event { message },
        }
    }
}

/// How an instance is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum HealthState {
    /// All replicas ready.
    Ready,
    /// Starting or rolling out.
    Progressing,
    /// Something is wrong (see the reason).
    Degraded,
    /// Stopped on purpose, data kept.
    Stopped,
    /// The cluster could not be asked.
    Unreachable,
}

/// One installed instance.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InstanceSummary {
    /// The context.
    pub context: String,
    /// The namespace.
    pub namespace: String,
    /// The instance name.
    pub name: String,
    /// The service id.
    pub service: String,
    /// The version.
    pub version: String,
    /// Health.
    pub health: HealthState,
    /// Why it is degraded or unreachable.
    pub reason: Option<String>,
    /// Ready pods.
    pub pods_ready: u32,
    /// All pods.
    pub pods_total: u32,
    /// The client endpoint inside the cluster (`host:port`).
    pub endpoint: Option<String>,
    /// When it was installed (RFC 3339).
    pub created: Option<String>,
    /// The revision that last changed it.
    pub revision: u32,
    /// The non-secret parameters in force.
    pub parameters: serde_json::Value,
    /// Whether this machine's history knows it; `false` for an instance installed from another
    /// machine until `berth adopt` takes it in.
    pub in_local_history: bool,
    /// Whether a move, copy or standby's fence is up: clients do not reach it until a start
    /// lifts it.
    pub fenced: bool,
    /// `context/namespace/instance` of the active whose standby this instance is, by this
    /// machine's journal.
    pub standby_of: Option<String>,
}

/// A context that could not be listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UnreachableContext {
    /// The context.
    pub context: String,
    /// Why, in one sentence that names the context (the error's message).
    pub message: String,
    /// The kind of failure, as the Contexts probe reports it.
    pub failure: Option<ProbeFailureKind>,
    /// What to do about it.
    pub hint: Option<String>,
}

/// Instances in one or every context.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InstanceList {
    /// The instances, by context, namespace and name.
    pub instances: Vec<InstanceSummary>,
    /// Contexts that could not be asked.
    pub unreachable: Vec<UnreachableContext>,
}

/// Which instance.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct InstanceRef {
    /// The instance name.
    pub name: String,
    /// The context (default: the current one).
    pub context: Option<String>,
    /// The namespace (default: the context's).
    pub namespace: Option<String>,
}

/// A workload and its replicas.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadReplicas {
    /// `StatefulSet` or `Deployment`.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// Replicas before the stop (restored by start).
    pub replicas: i64,
}

/// What a stop or start did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StopStartResult {
    /// The context.
    pub context: String,
    /// The namespace.
    pub namespace: String,
    /// The instance.
    pub name: String,
    /// `false` when it already was in the asked state.
    pub changed: bool,
    /// The revision recorded, when something changed.
    pub revision: Option<u32>,
    /// The workloads stopped or started.
    pub workloads: Vec<WorkloadReplicas>,
}

/// What to uninstall.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct UninstallInput {
    /// Which instance.
    pub instance: InstanceRef,
    /// Also delete the volumes and the credentials.
    pub delete_data: bool,
}

/// What an uninstall did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UninstallResult {
    /// The context.
    pub context: String,
    /// The namespace.
    pub namespace: String,
    /// The instance.
    pub name: String,
    /// Objects deleted (`Kind name`).
    pub deleted: Vec<String>,
    /// Volumes kept.
    pub kept_volumes: Vec<String>,
    /// The revision recorded.
    pub revision: u32,
}

/// One entry of the history.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RevisionInfo {
    /// The context.
    pub context: String,
    /// The namespace.
    pub namespace: String,
    /// The instance.
    pub name: String,
    /// The revision number within the instance.
    pub revision: u32,
    /// The service id.
    pub service: String,
    /// The version.
    pub version: String,
    /// What it did.
    pub operation: RevisionOperation,
    /// Where it stands.
    pub status: RevisionStatus,
    /// It failed because its process ended before it finished (the app or CLI was closed or
    /// crashed), not because of an error it met; `berth recover` resumes or undoes it.
    pub interrupted: bool,
    /// The OS user who ran it.
    pub os_user: String,
    /// When it started (RFC 3339).
    pub started_at: String,
    /// When it got its outcome.
    pub finished_at: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// The parameters in force after it.
    pub parameters: serde_json::Value,
    /// The parameters it changed against the instance's revision before it (none for the
    /// first); values of secret-looking parameters are never shown.
    pub changes: Vec<ParameterChange>,
}

/// Maps an action's error to the API's codes, by value (a cluster error keeps its own code).
pub(crate) fn action_error(e: ActionError) -> ApiError {
    let code = if e.is_invalid_input() {
        ErrorCode::InvalidInput
    } else {
        match e {
            ActionError::Cluster(c) => return ApiError::from(*c),
            ActionError::NotFound(_) => ErrorCode::NotFound,
            ActionError::Conflict(_) => ErrorCode::Conflict,
            ActionError::Unsupported(_) => ErrorCode::Unsupported,
            ActionError::Timeout(_) => ErrorCode::Timeout,
            ActionError::Store(_) | ActionError::Lock(_) => ErrorCode::Store,
            ActionError::Secrets(_) => ErrorCode::Keyring,
            _ => ErrorCode::Cluster,
        }
    };
    ApiError::new(code, e.to_string())
}

pub(crate) fn summary(s: InstanceStatus) -> InstanceSummary {
    let (health, reason) = match s.health {
        Health::Ready => (HealthState::Ready, None),
        Health::Progressing => (HealthState::Progressing, None),
        Health::Degraded(r) => (HealthState::Degraded, Some(r)),
        Health::Stopped => (HealthState::Stopped, None),
        Health::Unreachable(r) => (HealthState::Unreachable, Some(r)),
    };
    InstanceSummary {
        context: s.context,
        namespace: s.record.namespace,
        name: s.record.instance,
        service: s.record.definition,
        version: s.record.version,
        health,
        reason,
        pods_ready: s.pods_ready,
        pods_total: s.pods_total,
        endpoint: s.endpoint,
        created: s.record.created,
        fenced: s.record.fenced,
        standby_of: None,
        revision: s.record.revision,
        parameters: s.record.parameters,
        in_local_history: true,
    }
}

impl Api {
    /// Marks what this machine's store knows of the summaries: those whose instance has no
    /// revision in its history (one store query per context listed), and the standbys of its
    /// pairings. When the store cannot answer, nothing is marked.
    pub(crate) fn mark_local_history(&self, summaries: &mut [InstanceSummary]) {
        let pairings = berth_actions::transfer::standby::pairings(&self.store).unwrap_or_default();
        let mut known: HashMap<String, Option<HashSet<(String, String)>>> = HashMap::new();
        for s in summaries.iter_mut() {
            s.standby_of = pairings
                .iter()
                .find(|p| p.standby == (s.context.clone(), s.namespace.clone(), s.name.clone()))
                .map(|p| format!("{}/{}/{}", p.active.0, p.active.1, p.active.2));
        }
        for s in summaries {
            let in_context = known
                .entry(s.context.clone())
                .or_insert_with(|| self.store.instances_with_history(&s.context).ok());
            s.in_local_history = in_context
                .as_ref()
                .is_none_or(|k| k.contains(&(s.namespace.clone(), s.name.clone())));
        }
    }
}

impl Api {
    /// The actions' configuration for one context. An unknown context is invalid input.
    pub(crate) async fn action_config(&self, context: Option<&str>) -> Result<Config, ApiError> {
        let cfg = self.action_config_unchecked(context).await?;
        // an old active of a forced promote comes back fenced, whatever command reaches it
        self.fence_returned_actives(cfg.context()).await;
        Ok(cfg)
    }

    /// [`Api::action_config`] without fencing returned old actives.
    pub(crate) async fn action_config_unchecked(
        &self,
        context: Option<&str>,
    ) -> Result<Config, ApiError> {
        let (catalog, _) = self.catalog()?;
        self.config_with(&self.load_kubeconfig()?, context, Arc::new(catalog))
            .await
    }

    /// Like [`Api::action_config`] without the catalog, for what never reads a definition
    /// (usage samples, metrics, logs): the definitions are not read, parsed or compiled. The
    /// Services screen samples usage every few seconds, so this keeps it cheap.
    pub(crate) async fn cluster_config(&self, context: Option<&str>) -> Result<Config, ApiError> {
        self.config_with(
            &self.load_kubeconfig()?,
            context,
            Arc::new(berth_catalog::Catalog::default()),
        )
        .await
    }

    /// One context's records, pods and workloads, not yet judged. A failing server is retried
    /// only briefly (see [`LIST_RETRY_BUDGET`]); a context that does not answer within
    /// `per_context` is a [`ErrorCode::Cluster`] error saying so. The error comes with the
    /// context's name.
    pub(crate) async fn fetch_listing(
        &self,
        kubeconfig: &berth_cluster::LoadedKubeconfig,
        context: Option<&str>,
        namespace: Option<&str>,
        per_context: Duration,
        no_catalog: Arc<berth_catalog::Catalog>,
    ) -> Result<berth_actions::status::Listing, (String, ApiError)> {
        let name = context
            .map(str::to_owned)
            .or_else(|| kubeconfig.merged.current_context.clone())
            .unwrap_or_default();
        let listed = async {
            let cfg = self
                .config_with(kubeconfig, context, no_catalog)
                .await
                .map_err(|e| (name.clone(), e))?;
            let deadline = std::time::Instant::now() + LIST_RETRY_BUDGET.min(per_context / 2);
            berth_cluster::retry::within_deadline(
                deadline,
                berth_actions::status::fetch(&cfg, namespace),
            )
            .await
            .map_err(|e| (cfg.context().to_owned(), action_error(e)))
        };
        match tokio::time::timeout(per_context, listed).await {
            Ok(result) => result,
            Err(_) => {
                let server = kubeconfig
                    .context(&name)
                    .ok()
                    .and_then(|c| c.server)
                    .unwrap_or_else(|| "the API server".to_owned());
                let kind = ProbeFailureKind::Timeout;
                let error = ApiError {
                    failure: Some(kind),
                    hint: Some(berth_cluster::failure::hint(kind).to_owned()),
                    ..ApiError::new(
                        ErrorCode::Timeout,
                        format!(
                            "{name}: {} (waited {:.1} s)",
                            berth_cluster::failure::timeout_sentence(&server),
                            per_context.as_secs_f64()
                        ),
                    )
                };
                Err((name.clone(), error))
            }
        }
    }

    /// Like [`Api::action_config`] with a kubeconfig and catalog loaded once for many contexts.
    async fn config_with(
        &self,
        kubeconfig: &berth_cluster::LoadedKubeconfig,
        context: Option<&str>,
        catalog: Arc<berth_catalog::Catalog>,
    ) -> Result<Config, ApiError> {
        let cluster = Cluster::connect(kubeconfig, context)
            .await
            .map_err(|e| match e {
                berth_cluster::ClusterError::ContextNotFound { .. } => {
                    ApiError::new(ErrorCode::InvalidInput, e.to_string())
                }
                other => ApiError::from(other),
            })?;
        Ok(Config {
            cluster: Arc::new(cluster),
            store: self.store.clone(),
            keyring: self.keyring.clone(),
            catalog,
        })
    }

    /// Installs a service, reporting progress; see [`InstallInput`].
    #[tracing::instrument(skip(self, input, progress), fields(service = %input.service))]
    pub async fn install(
        &self,
        input: &InstallInput,
        progress: &(dyn Fn(ProgressEvent) + Send + Sync),
    ) -> Result<InstallResult, ApiError> {
        // the keyring connects (tens of milliseconds) while the definition and the kubeconfig
        // load: see `Install::run_prepared`
        let keyring_session = (!input.dry_run).then(|| self.keyring.prepare_set_all());
        // only the definition installed: loading the whole catalog would cost every install
        let catalog = self.catalog_only(&[input.service.as_str()])?;
        let cfg = self
            .config_with(
                &self.load_kubeconfig()?,
                input.context.as_deref(),
                Arc::new(catalog),
            )
            .await?;
        let mut install = Install::new(&cfg, input.service.clone());
        install.name = input.name.clone();
        install.namespace = input.namespace.clone();
        install.create_namespace = input.create_namespace;
        install.version = input.version.clone();
        install.values = input
            .values
            .clone()
            .unwrap_or_else(|| serde_json::json!({}));
        install.set = input.set.clone();
        install.wait = !input.no_wait;
        if let Some(t) = input.timeout_seconds {
            install.timeout = Duration::from_secs(t);
        }
        install.atomic = input.atomic;
        install.dry_run = input.dry_run;
        let sink = |p: Progress| progress(p.into());
        let done = install
            .run_prepared(&sink, keyring_session)
            .await
            .map_err(action_error)?;
        Ok(InstallResult {
            context: cfg.context().to_owned(),
            namespace: done.namespace,
            name: done.instance,
            service: done.definition,
            version: done.version,
            revision: done.revision,
            created_namespace: done.created_namespace,
            ready: done.ready,
            dry_run: done.dry_run,
            objects: done.objects,
        })
    }

    /// Instances in one context (the current one when `None`), or in every context concurrently.
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn list_instances(
        &self,
        context: Option<&str>,
        all_contexts: bool,
        namespace: Option<&str>,
    ) -> Result<InstanceList, ApiError> {
        self.list_instances_within(context, all_contexts, namespace, CONTEXT_LIST_TIMEOUT)
            .await
    }

    /// Like [`Api::list_instances`], giving each context at most `per_context` to answer: a
    /// context that does not (a black-holed server) is reported unreachable without holding up
    /// the others.
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn list_instances_within(
        &self,
        context: Option<&str>,
        all_contexts: bool,
        namespace: Option<&str>,
        per_context: Duration,
    ) -> Result<InstanceList, ApiError> {
        // one kubeconfig for every context; the catalog comes after the listing, with only the
        // definitions the instances found name
        let kubeconfig = self.load_kubeconfig()?;
        let contexts: Vec<Option<String>> = if all_contexts {
            kubeconfig
                .contexts()
                .into_iter()
                .map(|c| Some(c.name))
                .collect()
        } else {
            vec![context.map(str::to_owned)]
        };
        let kubeconfig = &kubeconfig;
        let no_catalog = Arc::new(berth_catalog::Catalog::default());
        let lists = contexts.iter().map(|c| {
            self.fetch_listing(
                kubeconfig,
                c.as_deref(),
                namespace,
                per_context,
                no_catalog.clone(),
            )
        });
        let listings = futures::future::join_all(lists).await;
        let mut ids: Vec<&str> = listings
            .iter()
            .filter_map(|l| l.as_ref().ok())
            .flat_map(|l| l.definitions())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let catalog = if ids.is_empty() {
            berth_catalog::Catalog::default()
        } else {
            self.catalog_only(&ids)?
        };
        let mut out = InstanceList {
            instances: Vec::new(),
            unreachable: Vec::new(),
        };
        for result in listings {
            match result {
                Ok(listing) => out
                    .instances
                    .extend(listing.judge(&catalog).into_iter().map(summary)),
                Err((context, e)) if all_contexts => out.unreachable.push(UnreachableContext {
                    context,
                    message: e.message,
                    failure: e.failure,
                    hint: e.hint,
                }),
                Err((_, e)) => return Err(e),
            }
        }
        // one look at the local store for every context listed (history, standby pairings)
        self.mark_local_history(&mut out.instances);
        Ok(out)
    }

    /// One instance's status.
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn instance_status(&self, which: &InstanceRef) -> Result<InstanceSummary, ApiError> {
        let cfg = self.action_config(which.context.as_deref()).await?;
        let ns = namespace_of(&cfg, which);
        let mut found = [berth_actions::status::status(&cfg, &ns, &which.name)
            .await
            .map(summary)
            .map_err(action_error)?];
        self.mark_local_history(&mut found);
        let [found] = found;
        Ok(found)
    }

    /// Stops an instance: replicas recorded, autoscalers removed, scaled to zero, data kept.
    #[tracing::instrument(skip(self, progress))]
    pub async fn stop_instance(
        &self,
        which: &InstanceRef,
        progress: &(dyn Fn(ProgressEvent) + Send + Sync),
    ) -> Result<StopStartResult, ApiError> {
        let cfg = self.action_config(which.context.as_deref()).await?;
        let mut stop = Stop::new(&cfg, which.name.clone());
        stop.namespace = which.namespace.clone();
        let sink = |p: Progress| progress(p.into());
        let done = stop.run(&sink).await.map_err(action_error)?;
        Ok(stop_start_result(&cfg, done))
    }

    /// Starts a stopped instance exactly as it ran before, and waits until it is ready.
    #[tracing::instrument(skip(self, progress))]
    pub async fn start_instance(
        &self,
        which: &InstanceRef,
        progress: &(dyn Fn(ProgressEvent) + Send + Sync),
    ) -> Result<StopStartResult, ApiError> {
        let cfg = self.action_config(which.context.as_deref()).await?;
        let mut start = Start::new(&cfg, which.name.clone());
        start.namespace = which.namespace.clone();
        let sink = |p: Progress| progress(p.into());
        let done = start.run(&sink).await.map_err(action_error)?;
        Ok(stop_start_result(&cfg, done))
    }

    /// Uninstalls an instance; volumes and credentials stay unless `deleteData`.
    #[tracing::instrument(skip(self))]
    pub async fn uninstall_instance(
        &self,
        input: &UninstallInput,
    ) -> Result<UninstallResult, ApiError> {
        let cfg = self
            .action_config(input.instance.context.as_deref())
            .await?;
        let mut uninstall = Uninstall::new(&cfg, input.instance.name.clone());
        uninstall.namespace = input.instance.namespace.clone();
        uninstall.delete_data = input.delete_data;
        let done = uninstall.run().await.map_err(action_error)?;
        Ok(UninstallResult {
            context: cfg.context().to_owned(),
            namespace: done.namespace,
            name: done.instance,
            deleted: done.deleted,
            kept_volumes: done.kept_volumes,
            revision: done.revision,
        })
    }

    /// The history: of one instance (every context and namespace it was in, unless narrowed),
    /// or of everything, newest first.
    #[tracing::instrument(level = "debug", skip(self))]
    pub fn history(
        &self,
        name: Option<&str>,
        context: Option<&str>,
        namespace: Option<&str>,
        limit: u32,
    ) -> Result<Vec<RevisionInfo>, ApiError> {
        let rows = self.store.history_of(name, context, namespace, limit)?;
        // what each row changed is told by the instance's earlier revisions: only the
        // histories of the instances shown are read
        let mut instances: Vec<(&str, &str, &str)> = rows
            .iter()
            .map(|r| {
                (
                    r.context.as_str(),
                    r.namespace.as_str(),
                    r.instance.as_str(),
                )
            })
            .collect();
        instances.sort_unstable();
        instances.dedup();
        let mut histories = Vec::new();
        for (c, n, i) in instances {
            histories.extend(self.store.revisions(c, n, i)?);
        }
        let changes = crate::recovery::parameter_changes(&histories);
        Ok(rows
            .into_iter()
            .map(|r| {
                let id = r.id;
                let mut info = revision_info(r);
                info.changes = changes.get(&id).cloned().unwrap_or_default();
                info
            })
            .collect())
    }

    /// Operations whose process ended before they finished: marked `failed` as interrupted
    /// (once) and returned, so every client can report them at start.
    pub fn interrupted_operations(&self) -> Result<Vec<RevisionInfo>, ApiError> {
        Ok(berth_actions::interrupted(&self.store)
            .map_err(action_error)?
            .into_iter()
            .map(revision_info)
            .collect())
    }
}

pub(crate) fn revision_info(r: berth_store::Revision) -> RevisionInfo {
    let interrupted = berth_actions::was_interrupted(&r);
    RevisionInfo {
        context: r.context,
        namespace: r.namespace,
        name: r.instance,
        revision: r.revision,
        service: r.definition,
        version: r.version,
        interrupted,
        operation: r.operation.into(),
        status: r.status.into(),
        os_user: r.os_user,
        started_at: crate::timestamps::rfc3339(r.started_at),
        finished_at: r.finished_at.map(crate::timestamps::rfc3339),
        error: r.error,
        parameters: r.parameters,
        changes: Vec::new(),
    }
}

pub(crate) fn namespace_of(cfg: &Config, which: &InstanceRef) -> String {
    which
        .namespace
        .clone()
        .unwrap_or_else(|| cfg.cluster.default_namespace().to_owned())
}

fn stop_start_result(cfg: &Config, done: berth_actions::StopStartOutcome) -> StopStartResult {
    StopStartResult {
        context: cfg.context().to_owned(),
        namespace: done.namespace,
        name: done.instance,
        changed: done.changed,
        revision: done.revision,
        workloads: done
            .workloads
            .into_iter()
            .map(|(kind, name, replicas)| WorkloadReplicas {
                kind,
                name,
                replicas,
            })
            .collect(),
    }
}

/// A change of parameters (`berth config`), of version (`berth upgrade`) or a rollback.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct ReconfigureInput {
    /// Which instance.
    pub instance: InstanceRef,
    /// `path=value` assignments over the parameters in force.
    pub set: Vec<String>,
    /// The version to move to (in place only).
    pub version: Option<String>,
    /// Roll back (to `rollbackTo`, else to the revision before the current one).
    pub rollback: bool,
    /// The revision to roll back to.
    pub rollback_to: Option<u32>,
    /// Only show what would change.
    pub diff_only: bool,
    /// Take over fields other tools manage.
    pub force_conflicts: bool,
    /// Return once applied instead of waiting until ready.
    pub no_wait: bool,
    /// How long to wait until ready, in seconds (default 300).
    pub timeout_seconds: Option<u64>,
}

/// What happens to one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ObjectChange {
    /// `Kind name`.
    pub object: String,
    /// `added`, `changed` or `removed`.
    pub change: String,
    /// The changed fields, `path: old → new` (Secret values never shown).
    pub fields: Vec<String>,
}

/// What a reconfigure, upgrade or rollback did (or would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReconfigureResult {
    /// The context.
    pub context: String,
    /// The namespace.
    pub namespace: String,
    /// The instance.
    pub name: String,
    /// `reconfigure`, `upgrade` or `rollback`.
    pub operation: RevisionOperation,
    /// The version before.
    pub from_version: String,
    /// The version after.
    pub version: String,
    /// The diff against what was live.
    pub changes: Vec<ObjectChange>,
    /// The revision recorded; none when only the diff was asked for.
    pub revision: Option<u32>,
}

/// What a restart did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RestartResult {
    /// The context.
    pub context: String,
    /// The namespace.
    pub namespace: String,
    /// The instance.
    pub name: String,
    /// The revision recorded.
    pub revision: u32,
}

impl Api {
    /// Changes parameters or version, or rolls back; see [`ReconfigureInput`].
    #[tracing::instrument(skip(self, input, progress), fields(instance = %input.instance.name))]
    pub async fn reconfigure_instance(
        &self,
        input: &ReconfigureInput,
        progress: &(dyn Fn(ProgressEvent) + Send + Sync),
    ) -> Result<ReconfigureResult, ApiError> {
        let cfg = self
            .action_config(input.instance.context.as_deref())
            .await?;
        let mut action = berth_actions::Reconfigure::new(&cfg, input.instance.name.clone());
        action.namespace = input.instance.namespace.clone();
        action.set = input.set.clone();
        action.version = input.version.clone();
        action.rollback =
            (input.rollback || input.rollback_to.is_some()).then_some(input.rollback_to);
        action.diff_only = input.diff_only;
        action.force_conflicts = input.force_conflicts;
        action.wait = !input.no_wait;
        if let Some(t) = input.timeout_seconds {
            action.timeout = Duration::from_secs(t);
        }
        let sink = |p: Progress| progress(p.into());
        let done = action.run(&sink).await.map_err(action_error)?;
        Ok(ReconfigureResult {
            context: cfg.context().to_owned(),
            namespace: done.namespace,
            name: done.instance,
            operation: done.operation.into(),
            from_version: done.from_version,
            version: done.version,
            changes: done
                .changes
                .into_iter()
                .map(|c| ObjectChange {
                    object: c.object,
                    change: match c.kind {
                        berth_actions::ChangeKind::Added => "added",
                        berth_actions::ChangeKind::Changed => "changed",
                        berth_actions::ChangeKind::Removed => "removed",
                    }
                    .to_owned(),
                    fields: c.fields,
                })
                .collect(),
            revision: done.revision,
        })
    }

    /// Restarts every pod of an instance (rolling) and waits until it is ready.
    #[tracing::instrument(skip(self, progress))]
    pub async fn restart_instance(
        &self,
        which: &InstanceRef,
        progress: &(dyn Fn(ProgressEvent) + Send + Sync),
    ) -> Result<RestartResult, ApiError> {
        let cfg = self.action_config(which.context.as_deref()).await?;
        let mut action = berth_actions::Restart::new(&cfg, which.name.clone());
        action.namespace = which.namespace.clone();
        let sink = |p: Progress| progress(p.into());
        let revision = action.run(&sink).await.map_err(action_error)?;
        Ok(RestartResult {
            context: cfg.context().to_owned(),
            namespace: namespace_of(&cfg, which),
            name: which.name.clone(),
            revision,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_errors_map_to_their_own_codes() {
        let cases = [
            (ActionError::Timeout("not ready".into()), ErrorCode::Timeout),
            (
                ActionError::Unsupported("cannot stop".into()),
                ErrorCode::Unsupported,
            ),
            (ActionError::NotFound("pg".into()), ErrorCode::NotFound),
            (
                ActionError::InvalidInput("bad".into()),
                ErrorCode::InvalidInput,
            ),
            (ActionError::Lock("held".into()), ErrorCode::Store),
            // a kubeconfig problem stays a kubeconfig problem, not "cluster"
            (
                ActionError::from(berth_cluster::ClusterError::NoKubeconfig),
                ErrorCode::Kubeconfig,
            ),
        ];
        for (error, code) in cases {
            let message = error.to_string();
            let api = action_error(error);
            assert_eq!(api.code, code, "{message}");
            assert_eq!(api.message, message);
        }
    }
}
