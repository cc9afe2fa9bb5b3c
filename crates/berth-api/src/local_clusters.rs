//! Local clusters: which of `kind`, `k3d` and `minikube` is on `PATH`, and creating a cluster
//! with one of them while streaming its output. The tool writes the new context into the
//! kubeconfig (the first file Berth uses, through `KUBECONFIG`); Berth only checks it appeared.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, BufReader};
use ts_rs::TS;

use crate::{Api, ApiError, ErrorCode};

/// A tool that creates local Kubernetes clusters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum LocalClusterTool {
    /// kind (Kubernetes in Docker).
    Kind,
    /// k3d (k3s in Docker).
    K3d,
    /// minikube.
    Minikube,
}

impl LocalClusterTool {
    const ALL: [LocalClusterTool; 3] = [Self::Kind, Self::K3d, Self::Minikube];

    /// The executable's name.
    pub fn program(self) -> &'static str {
        match self {
            Self::Kind => "kind",
            Self::K3d => "k3d",
            Self::Minikube => "minikube",
        }
    }

    /// The arguments that create a cluster called `name`.
    fn create_args(self, name: &str) -> Vec<String> {
        let args: &[&str] = match self {
            Self::Kind => &["create", "cluster", "--name", name],
            Self::K3d => &["cluster", "create", name],
            Self::Minikube => &["start", "--profile", name],
        };
        args.iter().map(|a| (*a).to_owned()).collect()
    }

    /// The kubeconfig context the tool names the cluster's.
    pub fn context_name(self, name: &str) -> String {
        match self {
            Self::Kind => format!("kind-{name}"),
            Self::K3d => format!("k3d-{name}"),
            Self::Minikube => name.to_owned(),
        }
    }
}

/// A local-cluster tool found on `PATH`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LocalClusterToolInfo {
    /// Which tool.
    pub tool: LocalClusterTool,
    /// Where it is.
    pub path: String,
}

/// What to create.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CreateLocalClusterInput {
    /// The tool to use.
    pub tool: LocalClusterTool,
    /// The cluster name (lower-case letters, digits and '-').
    pub name: String,
}

/// The cluster created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LocalClusterCreated {
    /// The new kubeconfig context.
    pub context: String,
}

/// The first executable file called `program` in the `PATH` folders.
fn find_on_path(program: &str, path: Option<&std::ffi::OsStr>) -> Option<PathBuf> {
    std::env::split_paths(path?)
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file() || path.with_extension("exe").is_file()
}

impl Api {
    fn search_path(&self) -> Option<std::ffi::OsString> {
        self.tool_path.clone().or_else(|| std::env::var_os("PATH"))
    }

    /// The local-cluster tools on `PATH`, in the order kind, k3d, minikube.
    pub fn local_cluster_tools(&self) -> Vec<LocalClusterToolInfo> {
        let path = self.search_path();
        LocalClusterTool::ALL
            .iter()
            .filter_map(|&tool| {
                find_on_path(tool.program(), path.as_deref()).map(|p| LocalClusterToolInfo {
                    tool,
                    path: p.display().to_string(),
                })
            })
            .collect()
    }

    /// Creates a local cluster with `input.tool`, calling `on_line` with every line the tool
    /// prints (stdout and stderr), and checks the new context is in the kubeconfig.
    #[tracing::instrument(skip(self, on_line))]
    pub async fn create_local_cluster(
        &self,
        input: &CreateLocalClusterInput,
        on_line: &(dyn Fn(String) + Send + Sync),
    ) -> Result<LocalClusterCreated, ApiError> {
        let name = input.name.trim();
        if !crate::settings::is_namespace_name(name) || name.len() > 40 {
            return Err(ApiError::new(
                ErrorCode::InvalidInput,
                format!(
                    "{name:?} is not a valid cluster name: use lower-case letters, digits and '-', at most 40"
                ),
            ));
        }
        let program = find_on_path(input.tool.program(), self.search_path().as_deref())
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::NotFound,
                    format!("{} is not on PATH: install it first", input.tool.program()),
                )
            })?;
        let context = input.tool.context_name(name);
        if self.load_kubeconfig()?.context(&context).is_ok() {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                format!("a context named {context} already exists: pick another name"),
            ));
        }
        let mut command = tokio::process::Command::new(&program);
        command
            .args(input.tool.create_args(name))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(first) = self.kubeconfig.as_ref().and_then(|p| p.first()) {
            command.env("KUBECONFIG", first);
        }
        let spawn_error = |e: std::io::Error| {
            ApiError::new(
                ErrorCode::Internal,
                format!("cannot run {}: {e}", program.display()),
            )
        };
        let mut child = command.spawn().map_err(spawn_error)?;
        let (_, err_lines) = tokio::join!(
            pump(child.stdout.take(), on_line),
            pump(child.stderr.take(), on_line)
        );
        let status = child.wait().await.map_err(spawn_error)?;
        if !status.success() {
            let last = err_lines.last().cloned().unwrap_or_default();
            return Err(ApiError::new(
                ErrorCode::Internal,
                format!(
                    "{} failed ({status}){}",
                    input.tool.program(),
                    if last.is_empty() {
                        String::new()
                    } else {
                        format!(": {last}")
                    }
                ),
            ));
        }
        self.load_kubeconfig()?.context(&context).map_err(|_| {
            ApiError::new(
                ErrorCode::Kubeconfig,
                format!(
                    "{} finished but no context {context} is in the kubeconfig: check which file it wrote (KUBECONFIG)",
                    input.tool.program()
                ),
            )
        })?;
        Ok(LocalClusterCreated { context })
    }
}

/// Passes every line of `reader` to `on_line`; returns them.
async fn pump<R: tokio::io::AsyncRead + Unpin>(
    reader: Option<R>,
    on_line: &(dyn Fn(String) + Send + Sync),
) -> Vec<String> {
    let mut seen = Vec::new();
    if let Some(reader) = reader {
        let mut lines = BufReader::new(reader).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            on_line(line.clone());
            seen.push(line);
        }
    }
    seen
}
