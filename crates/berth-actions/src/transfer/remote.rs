//! Commands run in an instance's pod through the exec API: the definition's data operations
//! (`size`, `quiesce`, `verify`) whose output is small, and the wrapper that runs `export` and
//! `import` for a stream.

use berth_catalog::spec::Operation;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, AttachParams, AttachedProcess};
use tokio::io::AsyncReadExt;

use crate::{ActionError, Config};

/// The most output a small operation may print (a digest, a size, a message).
const SMALL_OUTPUT: usize = 1 << 20;

/// Where an operation runs: the pod (`{instance}` replaced) and container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Place {
    pub(crate) namespace: String,
    pub(crate) pod: String,
    pub(crate) container: String,
}

impl Place {
    pub(crate) fn of(op: &Operation, namespace: &str, instance: &str) -> Self {
        Self {
            namespace: namespace.to_owned(),
            pod: op.pod.replace("{instance}", instance),
            container: op.container.clone(),
        }
    }
}

/// Starts `command` in the pod, with stdin when `stdin`.
pub(crate) async fn start(
    cfg: &Config,
    place: &Place,
    command: Vec<String>,
    stdin: bool,
    buffer: usize,
) -> Result<AttachedProcess, ActionError> {
    let pods: Api<Pod> = Api::namespaced(cfg.cluster.client(), &place.namespace);
    let params = AttachParams::default()
        .container(place.container.clone())
        .stdin(stdin)
        .stdout(true)
        .stderr(true)
        .max_stdin_buf_size(buffer)
        .max_stdout_buf_size(buffer)
        .max_stderr_buf_size(buffer);
    pods.exec(&place.pod, command, &params)
        .await
        .map_err(|e| cfg.kube_error(format!("run a command in pod {}", place.pod), e))
}

/// Whether an exec `Status` says the command exited 0; `None` (the stream ended without a
/// status, as a cut one does) is not success.
pub(crate) fn exited_zero(
    status: Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::Status>,
) -> Result<(), String> {
    match status {
        Some(s) if s.status.as_deref() == Some("Success") => Ok(()),
        Some(s) => Err(s
            .message
            .unwrap_or_else(|| "the command failed without a message".into())),
        None => Err("the exec stream ended without the command's exit status".into()),
    }
}

/// Reads a stream to its end keeping at most `limit` bytes (the last ones).
pub(crate) async fn read_tail(
    mut reader: impl tokio::io::AsyncRead + Unpin,
    limit: usize,
) -> Vec<u8> {
    let mut kept = Vec::new();
    let mut buf = vec![0u8; 8192];
    while let Ok(n) = reader.read(&mut buf).await {
        if n == 0 {
            break;
        }
        kept.extend_from_slice(&buf[..n]);
        if kept.len() > limit {
            kept.drain(..kept.len() - limit);
        }
    }
    kept
}

/// Runs a small operation to its end: its stdout (trimmed) when it exited 0, else an error
/// naming `what` with the end of its stderr.
pub(crate) async fn run(
    cfg: &Config,
    place: &Place,
    command: &[String],
    what: &str,
) -> Result<String, ActionError> {
    let mut process = start(cfg, place, command.to_vec(), false, 64 * 1024).await?;
    let stdout = process.stdout().expect("stdout requested");
    let stderr = process.stderr().expect("stderr requested");
    let status = process.take_status().expect("status taken once");
    let (out, err, status) = tokio::join!(
        read_tail(stdout, SMALL_OUTPUT),
        read_tail(stderr, 4096),
        status
    );
    let _ = process.join().await;
    exited_zero(status).map_err(|e| {
        let err = String::from_utf8_lossy(&err);
        ActionError::Failed(format!(
            "{what} in pod {} of context {:?} failed: {e}{}",
            place.pod,
            cfg.context(),
            if err.trim().is_empty() {
                String::new()
            } else {
                format!(": {}", err.trim())
            }
        ))
    })?;
    Ok(String::from_utf8_lossy(&out).trim().to_owned())
}
