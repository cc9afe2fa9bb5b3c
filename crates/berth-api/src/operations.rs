//! Long operations run in the background: the desktop app starts one, gets its id at once, and
//! follows it through [`OperationUpdate`]s (every progress event and the outcome), so a progress
//! panel keeps going while the user navigates and a task tray lists running and recent ones.
//!
//! [`Operations`] needs no Tauri: it spawns the API call on the current tokio runtime and hands
//! each update to a callback; the desktop shell's callback emits it as an event.
//!
//! [`Operations::cancel`] stops a running operation at its next await point, the way closing
//! the app would: what it applied stays, its revision is marked failed (interrupted), and the
//! instance page's Recover (`berth recover`) resumes or undoes it. The update says so, naming
//! the last step reached.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::{
    Api, ApiError, ErrorCode, InstallInput, InstallResult, InstanceRef, ProgressEvent,
    ReconfigureInput, ReconfigureResult, RestartResult, StopStartResult, UninstallInput,
    UninstallResult,
};

/// How many finished operations [`Operations`] remembers.
pub const RECENT_OPERATIONS: usize = 50;
/// How many of the latest progress events an update carries.
pub const PROGRESS_KEPT: usize = 8;

/// A long operation to run in the background.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum OperationRequest {
    /// Install a service.
    Install(InstallInput),
    /// Stop an instance (data kept).
    Stop(InstanceRef),
    /// Start a stopped instance.
    Start(InstanceRef),
    /// Restart every pod of an instance.
    Restart(InstanceRef),
    /// Change parameters or version, or roll back.
    Reconfigure(ReconfigureInput),
    /// Uninstall an instance.
    Uninstall(UninstallInput),
}

/// What kind of operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum OperationKind {
    /// An install.
    Install,
    /// A stop.
    Stop,
    /// A start.
    Start,
    /// A restart.
    Restart,
    /// A reconfigure, upgrade or rollback.
    Reconfigure,
    /// An uninstall.
    Uninstall,
}

/// Where an operation acts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OperationTarget {
    /// The context (the current one when the request named none).
    pub context: String,
    /// The namespace.
    pub namespace: String,
    /// The instance name.
    pub name: String,
}

/// Whether an operation is still going.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum OperationState {
    /// Still running.
    Running,
    /// Done.
    Succeeded,
    /// Failed; see the error.
    Failed,
    /// Cancelled on request; the error says how far it got and what to do.
    Cancelled,
}

/// The state of one background operation, sent on every change.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OperationUpdate {
    /// Its id, unique while the app runs.
    pub id: String,
    /// What kind.
    pub kind: OperationKind,
    /// A title to show (`Install postgres in kind-dev/default`).
    pub title: String,
    /// The instance it acts on.
    pub target: OperationTarget,
    /// Running or finished.
    pub state: OperationState,
    /// When it started (RFC 3339).
    pub started_at: String,
    /// When it finished.
    pub finished_at: Option<String>,
    /// The latest progress events, oldest first.
    pub progress: Vec<ProgressEvent>,
    /// Why it failed.
    pub error: Option<ApiError>,
    /// What the API call returned, once it succeeded.
    pub result: Option<OperationResult>,
}

/// What a finished operation returned: the API method's own result, tagged with the kind of
/// operation so the UI can tell them apart.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum OperationResult {
    /// An install's result.
    Install(InstallResult),
    /// A stop's result.
    Stop(StopStartResult),
    /// A start's result.
    Start(StopStartResult),
    /// A restart's result.
    Restart(RestartResult),
    /// A reconfigure's, upgrade's or rollback's result.
    Reconfigure(ReconfigureResult),
    /// An uninstall's result.
    Uninstall(UninstallResult),
}

impl OperationResult {
    /// The instance the result names: where the operation acted.
    fn target(&self) -> OperationTarget {
        let (context, namespace, name) = match self {
            OperationResult::Install(r) => (&r.context, &r.namespace, &r.name),
            OperationResult::Stop(r) | OperationResult::Start(r) => {
                (&r.context, &r.namespace, &r.name)
            }
            OperationResult::Restart(r) => (&r.context, &r.namespace, &r.name),
            OperationResult::Reconfigure(r) => (&r.context, &r.namespace, &r.name),
            OperationResult::Uninstall(r) => (&r.context, &r.namespace, &r.name),
        };
        OperationTarget {
            context: context.clone(),
            namespace: namespace.clone(),
            name: name.clone(),
        }
    }
}

impl OperationRequest {
    /// The kind of operation.
    pub fn kind(&self) -> OperationKind {
        match self {
            OperationRequest::Install(_) => OperationKind::Install,
            OperationRequest::Stop(_) => OperationKind::Stop,
            OperationRequest::Start(_) => OperationKind::Start,
            OperationRequest::Restart(_) => OperationKind::Restart,
            OperationRequest::Reconfigure(_) => OperationKind::Reconfigure,
            OperationRequest::Uninstall(_) => OperationKind::Uninstall,
        }
    }

    /// The instance it names, as given (context and namespace may be defaults).
    fn instance(&self) -> (Option<&str>, Option<&str>, String) {
        fn of(r: &InstanceRef) -> (Option<&str>, Option<&str>, String) {
            (r.context.as_deref(), r.namespace.as_deref(), r.name.clone())
        }
        match self {
            OperationRequest::Install(i) => (
                i.context.as_deref(),
                i.namespace.as_deref(),
                i.name.clone().unwrap_or_else(|| i.service.clone()),
            ),
            OperationRequest::Stop(r)
            | OperationRequest::Start(r)
            | OperationRequest::Restart(r) => of(r),
            OperationRequest::Reconfigure(i) => of(&i.instance),
            OperationRequest::Uninstall(i) => of(&i.instance),
        }
    }

    /// A verb phrase for the title.
    fn verb(&self) -> String {
        match self {
            OperationRequest::Install(i) => match &i.version {
                Some(v) => format!("Install {} {v}", i.service),
                None => format!("Install {}", i.service),
            },
            OperationRequest::Stop(r) => format!("Stop {}", r.name),
            OperationRequest::Start(r) => format!("Start {}", r.name),
            OperationRequest::Restart(r) => format!("Restart {}", r.name),
            OperationRequest::Reconfigure(i) => {
                let name = &i.instance.name;
                if i.rollback || i.rollback_to.is_some() {
                    match i.rollback_to {
                        Some(n) => format!("Roll back {name} to revision {n}"),
                        None => format!("Roll back {name}"),
                    }
                } else if let Some(v) = &i.version {
                    format!("Upgrade {name} to {v}")
                } else {
                    format!("Reconfigure {name}")
                }
            }
            OperationRequest::Uninstall(i) => {
                if i.delete_data {
                    format!("Uninstall {} and delete its data", i.instance.name)
                } else {
                    format!("Uninstall {}", i.instance.name)
                }
            }
        }
    }
}

/// The callback that receives every update.
type Sink = Arc<dyn Fn(&OperationUpdate) + Send + Sync>;

#[derive(Default)]
struct Shared {
    /// Running and recent operations, oldest first.
    updates: Mutex<VecDeque<OperationUpdate>>,
    next: AtomicU64,
    /// The cancel handles of the running operations.
    cancels: Mutex<HashMap<String, CancellationToken>>,
}

/// Runs operations in the background and remembers the running and the recent ones.
/// Cheap to clone; clones share the list.
#[derive(Clone, Default)]
pub struct Operations {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Operations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Operations")
            .field("count", &self.list().len())
            .finish()
    }
}

impl Operations {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts `request` on the current tokio runtime and returns its id at once. `on_update`
    /// gets the first state, every progress event and the outcome. Panics outside a runtime.
    pub fn start(
        &self,
        api: &Api,
        request: OperationRequest,
        on_update: impl Fn(&OperationUpdate) + Send + Sync + 'static,
    ) -> String {
        let sink: Sink = Arc::new(on_update);
        let id = format!(
            "op-{}",
            self.shared.next.fetch_add(1, Ordering::Relaxed) + 1
        );
        let (context, namespace, name) = request.instance();
        let (context, namespace) = resolve_target(api, context, namespace);
        let target = OperationTarget {
            context,
            namespace,
            name,
        };
        let title = if target.context.is_empty() {
            request.verb()
        } else {
            format!(
                "{} in {}/{}",
                request.verb(),
                target.context,
                target.namespace
            )
        };
        let first = OperationUpdate {
            id: id.clone(),
            kind: request.kind(),
            title,
            target,
            state: OperationState::Running,
            started_at: crate::timestamps::now(),
            finished_at: None,
            progress: Vec::new(),
            error: None,
            result: None,
        };
        tracing::info!(id, title = first.title, "operation started");
        self.store(first.clone());
        let cancel = CancellationToken::new();
        self.cancels().insert(id.clone(), cancel.clone());
        sink(&first);
        let this = self.clone();
        let api = api.clone();
        tokio::spawn(async move {
            let progress = {
                let this = this.clone();
                let sink = sink.clone();
                let id = first.id.clone();
                move |event: ProgressEvent| {
                    if let Some(update) = this.change(&id, |u| {
                        u.progress.push(event);
                        let extra = u.progress.len().saturating_sub(PROGRESS_KEPT);
                        u.progress.drain(..extra);
                    }) {
                        sink(&update);
                    }
                }
            };
            let outcome = tokio::select! {
                outcome = run(&api, &request, &progress) => Some(outcome),
                () = cancel.cancelled() => None,
            };
            this.cancels().remove(&first.id);
            let finished = this.change(&first.id, |u| {
                u.finished_at = Some(crate::timestamps::now());
                match outcome {
                    Some(Ok(result)) => {
                        u.target = result.target();
                        u.state = OperationState::Succeeded;
                        u.result = Some(result);
                    }
                    Some(Err(error)) => {
                        u.state = OperationState::Failed;
                        u.error = Some(error);
                    }
                    None => {
                        u.state = OperationState::Cancelled;
                        u.error = Some(cancelled(u));
                    }
                }
            });
            if let Some(update) = finished {
                match &update.error {
                    None => tracing::info!(id = update.id, "operation succeeded"),
                    Some(e) => tracing::warn!(id = update.id, error = %e, "operation failed"),
                }
                sink(&update);
            }
        });
        id
    }

    /// Cancels a running operation: it stops at its next await point (see the module docs).
    /// `NotFound` for an unknown id, `Conflict` for one that already finished.
    pub fn cancel(&self, id: &str) -> Result<(), ApiError> {
        if let Some(token) = self.cancels().get(id) {
            tracing::info!(id, "operation cancelled on request");
            token.cancel();
            return Ok(());
        }
        match self.get(id) {
            Some(u) => Err(ApiError::new(
                ErrorCode::Conflict,
                format!("{} already finished", u.title),
            )),
            None => Err(ApiError::new(
                ErrorCode::NotFound,
                format!("no operation {id:?}"),
            )),
        }
    }

    fn cancels(&self) -> std::sync::MutexGuard<'_, HashMap<String, CancellationToken>> {
        self.shared
            .cancels
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Running and recent operations, newest first.
    pub fn list(&self) -> Vec<OperationUpdate> {
        let updates = self
            .shared
            .updates
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        updates.iter().rev().cloned().collect()
    }

    /// One operation's latest state.
    pub fn get(&self, id: &str) -> Option<OperationUpdate> {
        let updates = self
            .shared
            .updates
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        updates.iter().find(|u| u.id == id).cloned()
    }

    fn store(&self, update: OperationUpdate) {
        let mut updates = self
            .shared
            .updates
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        updates.push_back(update);
        // forget the oldest finished ones beyond the limit; running ones always stay
        while updates.len() > RECENT_OPERATIONS {
            match updates
                .iter()
                .position(|u| u.state != OperationState::Running)
            {
                Some(i) => {
                    updates.remove(i);
                }
                None => break,
            }
        }
    }

    fn change(&self, id: &str, edit: impl FnOnce(&mut OperationUpdate)) -> Option<OperationUpdate> {
        let mut updates = self
            .shared
            .updates
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let update = updates.iter_mut().find(|u| u.id == id)?;
        edit(update);
        Some(update.clone())
    }
}

/// The error of a cancelled operation: how far it got, and what to do.
fn cancelled(u: &OperationUpdate) -> ApiError {
    let reached = u.progress.iter().rev().find_map(|p| match p {
        ProgressEvent::Step { name } => Some(format!("during its {name} step")),
        _ => None,
    });
    let applied = u.progress.iter().rev().find_map(|p| match p {
        ProgressEvent::Applied { done, total, .. } => {
            Some(format!(", after applying {done} of {total} objects"))
        }
        _ => None,
    });
    ApiError::new(
        ErrorCode::Interrupted,
        format!(
            "cancelled {}{}: what was done stays; Recover on the instance page (`berth recover {}`) resumes or undoes it",
            reached.unwrap_or_else(|| "before its first step".into()),
            applied.unwrap_or_default(),
            u.target.name
        ),
    )
}

/// Runs one request to its end, returning its result.
async fn run(
    api: &Api,
    request: &OperationRequest,
    progress: &(dyn Fn(ProgressEvent) + Send + Sync),
) -> Result<OperationResult, ApiError> {
    Ok(match request {
        OperationRequest::Install(input) => {
            OperationResult::Install(api.install(input, progress).await?)
        }
        OperationRequest::Stop(which) => {
            OperationResult::Stop(api.stop_instance(which, progress).await?)
        }
        OperationRequest::Start(which) => {
            OperationResult::Start(api.start_instance(which, progress).await?)
        }
        OperationRequest::Restart(which) => {
            OperationResult::Restart(api.restart_instance(which, progress).await?)
        }
        OperationRequest::Reconfigure(input) => {
            OperationResult::Reconfigure(api.reconfigure_instance(input, progress).await?)
        }
        OperationRequest::Uninstall(input) => {
            progress(ProgressEvent::Step {
                name: "uninstall".into(),
            });
            OperationResult::Uninstall(api.uninstall_instance(input).await?)
        }
    })
}

/// The context and namespace a request will use: the kubeconfig's current context and that
/// context's namespace (else `default`) when not given. Empty when the kubeconfig cannot be read;
/// the operation then fails with that error.
fn resolve_target(api: &Api, context: Option<&str>, namespace: Option<&str>) -> (String, String) {
    let entry = api.load_kubeconfig().ok().and_then(|k| {
        let all = k.contexts();
        match context {
            Some(c) => all.into_iter().find(|e| e.name == c),
            None => all.into_iter().find(|e| e.current),
        }
    });
    let context = context
        .map(str::to_owned)
        .or_else(|| entry.as_ref().map(|e| e.name.clone()))
        .unwrap_or_default();
    let namespace = namespace
        .map(str::to_owned)
        .or_else(|| entry.and_then(|e| e.namespace))
        .unwrap_or_else(|| "default".to_owned());
    (context, namespace)
}
