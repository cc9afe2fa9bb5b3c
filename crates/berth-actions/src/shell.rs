//! `Shell`: a command in a pod of an instance with the caller's terminal attached through the
//! exec API, as `berth shell` and the desktop's terminal open it. Without a command: the
//! container's shell (`bash` where the image has it, else `sh`); with `client`: the engine's
//! own client as the definition declares it (`operations.client`), logged in with the
//! credentials the container already has in its environment, so no secret crosses Berth.
//!
//! The pod is the client operation's, else the first running pod of the instance (pods of a
//! stopped instance are gone: a stopped instance is refused with how to start it). With `tty`
//! the remote side gets a terminal, and [`ShellSession::resize`] follows the local one.

use futures::SinkExt;
use futures::channel::mpsc::Sender;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, AttachParams, AttachedProcess, ListParams, TerminalSize};

use crate::{ActionError, Config, instance_selector, record};

/// The command run when none is given: the image's bash, else its sh.
const DEFAULT_SHELL: &[&str] = &[
    "sh",
    "-c",
    "if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi",
];

/// Opens a command in a pod of an instance.
#[derive(Debug, Clone)]
pub struct Shell<'a> {
    cfg: &'a Config,
    /// The instance.
    pub instance: String,
    /// The namespace (default: the context's).
    pub namespace: Option<String>,
    /// Run the engine's client (`operations.client`) instead of a shell.
    pub client: bool,
    /// The pod (default: the client's, else the first running pod of the instance).
    pub pod: Option<String>,
    /// The container (default: the client's, else the pod's first).
    pub container: Option<String>,
    /// The command (default: the shell, or the client).
    pub command: Vec<String>,
    /// Give the command a terminal (the caller's is one).
    pub tty: bool,
}

/// Where a shell runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellTarget {
    /// The namespace.
    pub namespace: String,
    /// The pod.
    pub pod: String,
    /// The container (`None`: the pod's only or first one).
    pub container: Option<String>,
    /// The command run.
    pub command: Vec<String>,
}

/// A running command: write to [`stdin`](Self::stdin), read [`stdout`](Self::stdout) (and
/// stderr without a terminal), then [`exit_code`](Self::exit_code).
pub struct ShellSession {
    /// Where it runs.
    pub target: ShellTarget,
    process: AttachedProcess,
    resize: Option<Sender<TerminalSize>>,
}

impl std::fmt::Debug for ShellSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShellSession")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl<'a> Shell<'a> {
    /// A shell with the CLI's defaults.
    pub fn new(cfg: &'a Config, instance: impl Into<String>) -> Self {
        Self {
            cfg,
            instance: instance.into(),
            namespace: None,
            client: false,
            pod: None,
            container: None,
            command: Vec::new(),
            tty: false,
        }
    }

    /// Where the command would run, checked: the instance exists and runs, the client is
    /// declared when asked for.
    pub async fn target(&self) -> Result<ShellTarget, ActionError> {
        let cfg = self.cfg;
        let ns = cfg.namespace(&self.namespace);
        let rec = record::load(cfg, &ns, &self.instance).await?;
        if rec.stopped.is_some() {
            return Err(ActionError::Conflict(format!(
                "{} is stopped, so it has no pod to open a shell in: `berth start {}` first",
                self.instance, self.instance
            )));
        }
        let client = if self.client {
            let def = cfg.definition(&rec.definition)?;
            let op = def.spec.operations.client.clone().ok_or_else(|| {
                ActionError::Unsupported(format!(
                    "the {} definition declares no client: `berth shell {}` opens the container's shell",
                    rec.definition, self.instance
                ))
            })?;
            Some(op)
        } else {
            None
        };
        let pod = match (&self.pod, &client) {
            (Some(p), _) => p.clone(),
            (None, Some(op)) => op.pod.replace("{instance}", &self.instance),
            (None, None) => self.first_running_pod(&ns).await?,
        };
        let command = match (&client, self.command.is_empty()) {
            (_, false) => self.command.clone(),
            (Some(op), true) => op.command.clone(),
            (None, true) => DEFAULT_SHELL.iter().map(|s| (*s).to_owned()).collect(),
        };
        Ok(ShellTarget {
            namespace: ns,
            pod,
            container: self
                .container
                .clone()
                .or_else(|| client.map(|op| op.container)),
            command,
        })
    }

    async fn first_running_pod(&self, ns: &str) -> Result<String, ActionError> {
        let pods: Api<Pod> = Api::namespaced(self.cfg.cluster.client(), ns);
        let list = pods
            .list(&ListParams::default().labels(&instance_selector(&self.instance)))
            .await
            .map_err(|e| self.cfg.kube_error("list the instance's pods", e))?;
        let mut running: Vec<String> = list
            .items
            .into_iter()
            .filter(|p| {
                p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running")
                    && p.metadata.deletion_timestamp.is_none()
            })
            .filter_map(|p| p.metadata.name)
            .collect();
        running.sort();
        running.into_iter().next().ok_or_else(|| {
            ActionError::Conflict(format!(
                "{} has no running pod yet: `berth status {}` says why",
                self.instance, self.instance
            ))
        })
    }

    /// Starts the command.
    #[tracing::instrument(skip(self), fields(context = %self.cfg.context(), instance = %self.instance))]
    pub async fn open(&self) -> Result<ShellSession, ActionError> {
        let target = self.target().await?;
        let pods: Api<Pod> = Api::namespaced(self.cfg.cluster.client(), &target.namespace);
        let mut params = AttachParams::default()
            .stdin(true)
            .stdout(true)
            .stderr(!self.tty)
            .tty(self.tty);
        if let Some(c) = &target.container {
            params = params.container(c.clone());
        }
        let mut process = pods
            .exec(&target.pod, target.command.clone(), &params)
            .await
            .map_err(|e| {
                self.cfg
                    .kube_error(format!("open a shell in pod {}", target.pod), e)
            })?;
        let resize = if self.tty {
            process.terminal_size()
        } else {
            None
        };
        Ok(ShellSession {
            target,
            process,
            resize,
        })
    }
}

impl ShellSession {
    /// The command's input.
    pub fn stdin(&mut self) -> Option<impl tokio::io::AsyncWrite + Unpin + use<>> {
        self.process.stdin()
    }

    /// The command's output (with a terminal, its error output too).
    pub fn stdout(&mut self) -> Option<impl tokio::io::AsyncRead + Unpin + use<>> {
        self.process.stdout()
    }

    /// The command's error output (without a terminal).
    pub fn stderr(&mut self) -> Option<impl tokio::io::AsyncRead + Unpin + use<>> {
        self.process.stderr()
    }

    /// Tells the remote terminal its new size (columns, rows).
    pub async fn resize(&mut self, width: u16, height: u16) {
        if let Some(tx) = &mut self.resize {
            let _ = tx.send(TerminalSize { width, height }).await;
        }
    }

    /// Waits for the command to end; its exit code (`None` when the stream ended without one,
    /// as a cut connection does).
    pub async fn exit_code(mut self) -> Option<i32> {
        let status = self.process.take_status()?.await?;
        if status.status.as_deref() == Some("Success") {
            return Some(0);
        }
        status
            .details
            .and_then(|d| d.causes)
            .into_iter()
            .flatten()
            .find(|c| c.reason.as_deref() == Some("ExitCode"))
            .and_then(|c| c.message)
            .and_then(|m| m.parse().ok())
            .or(Some(1))
    }
}
