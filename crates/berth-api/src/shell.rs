//! A shell or the engine's own client in a pod of an instance, for `berth shell` (and the
//! desktop's terminal): see `berth_actions::Shell`.

pub use berth_actions::{ShellSession, ShellTarget};

use crate::instances::action_error;
use crate::{Api, ApiError, InstanceRef};

/// What to open.
#[derive(Debug, Clone, Default)]
pub struct ShellInput {
    /// The engine's client (`operations.client`) instead of the container's shell.
    pub client: bool,
    /// The pod (default: the client's, else the first running pod).
    pub pod: Option<String>,
    /// The container.
    pub container: Option<String>,
    /// The command (default: the shell or the client).
    pub command: Vec<String>,
    /// Give the command a terminal.
    pub tty: bool,
}

impl Api {
    /// Starts a command in a pod of an instance with its input and output attached.
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn open_shell(
        &self,
        which: &InstanceRef,
        input: &ShellInput,
    ) -> Result<ShellSession, ApiError> {
        let cfg = self.action_config(which.context.as_deref()).await?;
        let mut shell = berth_actions::Shell::new(&cfg, which.name.clone());
        shell.namespace = which.namespace.clone();
        shell.client = input.client;
        shell.pod = input.pod.clone();
        shell.container = input.container.clone();
        shell.command = input.command.clone();
        shell.tty = input.tty;
        shell.open().await.map_err(action_error)
    }
}
