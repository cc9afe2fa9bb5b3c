//! `pods/exec` over WebSocket with the `v5.channel.k8s.io` and `v4.channel.k8s.io`
//! subprotocols (channel 0 stdin, 1 stdout, 2 stderr, 3 error `Status`, 4 resize; v5's
//! `[255, 0]` closes stdin). The command runs as a local process with the container's
//! environment as the kubelet builds it (literal values, Secret and ConfigMap references, pod
//! fields) and, for pods bound to a backend in the config, the backend's environment (e.g.
//! `PGHOST`/`PGPORT` of a real Postgres).

use std::process::Stdio;
use std::sync::Arc;

use futures::{SinkExt, StreamExt};
use http::{Request, Response, StatusCode, header};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::handlers::Target;
use crate::resources::GroupResource;
use crate::selectors::LabelSelector;
use crate::server::{Body, State, full};
use crate::status::ApiError;

const PROTOCOLS: &[&str] = &["v5.channel.k8s.io", "v4.channel.k8s.io"];

/// Picks the subprotocol from `Sec-WebSocket-Protocol` (one or more headers, each
/// possibly comma-separated).
fn choose_protocol(req: &Request<Incoming>) -> Option<&'static str> {
    let offered: Vec<String> = req
        .headers()
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(',').map(|s| s.trim().to_string()))
        .collect();
    PROTOCOLS
        .iter()
        .find(|p| offered.iter().any(|o| o == *p))
        .copied()
}

/// The config backends that bind `pod`.
pub(crate) fn backends<'a>(
    state: &'a State,
    pod: &'a Value,
) -> impl Iterator<Item = &'a crate::config::Backend> + 'a {
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    state
        .config
        .backends
        .iter()
        .filter(move |b| b.namespace.as_deref().is_none_or(|n| n == ns))
        .filter(|b| {
            LabelSelector::parse(&b.selector)
                .map(|s| s.matches(&pod["metadata"]["labels"]))
                .unwrap_or(false)
        })
}

/// Whether a config backend binds `pod` to a real process that answers its exec probes.
pub(crate) fn probed(state: &State, pod: &Value) -> bool {
    backends(state, pod).any(|b| !b.skip_probes)
}

/// The environment of a command run in container `c` of `pod`: the container's own (literal
/// values, Secret and ConfigMap references, pod fields; see [`crate::env`]), `HOSTNAME`, then
/// the bound backend's environment, which wins over the container's.
pub(crate) fn container_env(state: &State, pod: &Value, c: &Value) -> Vec<(String, String)> {
    let mut env = crate::env::resolve(state, pod, c);
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    env.push(("HOSTNAME".into(), name.to_owned()));
    env.extend(
        backends(state, pod).flat_map(|b| b.env.iter().map(|(k, v)| (k.clone(), v.clone()))),
    );
    env
}

fn exit_status(code: Option<i32>) -> Value {
    match code {
        Some(0) => json!({"metadata": {}, "status": "Success"}),
        Some(c) => json!({
            "metadata": {}, "status": "Failure",
            "message": format!("command terminated with non-zero exit code: exit status {c}"),
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": c.to_string()}]},
        }),
        None => {
            json!({"metadata": {}, "status": "Failure", "message": "command terminated by a signal", "reason": "InternalError"})
        }
    }
}

/// Handles a `pods/{name}/exec` upgrade request.
pub(crate) async fn exec(
    state: Arc<State>,
    t: Target,
    req: Request<Incoming>,
) -> Result<Response<Body>, ApiError> {
    let name = t.name.clone().unwrap_or_default();
    let ns = t.ns().to_string();
    let pod = state
        .store
        .get(&GroupResource::new("", "pods"), &ns, &name)
        .ok_or_else(|| ApiError::not_found(&t.rt, &name))?;
    if pod["status"]["phase"] != "Running" {
        return Err(ApiError::bad_request(format!(
            "unable to upgrade connection: container not found (\"{name}\")"
        )));
    }
    let mut command: Vec<String> = Vec::new();
    let mut container: Option<String> = None;
    let mut stdin = false;
    for pair in req.uri().query().unwrap_or_default().split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = crate::handlers::Query::parse(Some(&format!("v={v}")))
            .get("v")
            .unwrap_or_default()
            .to_string();
        match k {
            "command" => command.push(v),
            "container" => container = Some(v),
            "stdin" => stdin = v == "true" || v == "1",
            _ => {}
        }
    }
    if command.is_empty() {
        return Err(ApiError::bad_request("you must specify at least 1 command"));
    }
    let containers: Vec<Value> = pod["spec"]["containers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let c = match &container {
        Some(cn) => containers
            .iter()
            .find(|c| c["name"] == cn.as_str())
            .cloned()
            .ok_or_else(|| {
                ApiError::bad_request(format!("container {cn} is not valid for pod {name}"))
            })?,
        None => containers.first().cloned().unwrap_or_default(),
    };
    let is_upgrade = req
        .headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    let key = req.headers().get(header::SEC_WEBSOCKET_KEY).cloned();
    let (Some(key), true) = (key, is_upgrade) else {
        return Err(ApiError::bad_request(
            "exec needs a WebSocket upgrade (v5.channel.k8s.io or v4.channel.k8s.io); SPDY is not supported",
        ));
    };
    let protocol = choose_protocol(&req).ok_or_else(|| {
        ApiError::bad_request(
            "no supported subprotocol: use v5.channel.k8s.io or v4.channel.k8s.io",
        )
    })?;
    let env = container_env(&state, &pod, &c);

    let accept = derive_accept_key(key.as_bytes());
    tokio::spawn(async move {
        let upgraded = match hyper::upgrade::on(req).await {
            Ok(u) => u,
            Err(e) => {
                tracing::debug!(error = %e, "exec upgrade failed");
                return;
            }
        };
        let ws = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
        let faults = state.faults();
        let link = Link {
            cut_after: faults.cut_exec_after_bytes,
            bytes_per_sec: faults.exec_bytes_per_sec,
        };
        run(
            ws,
            command,
            env,
            stdin,
            protocol == "v5.channel.k8s.io",
            link,
        )
        .await;
    });
    Ok(Response::builder()
        .status(StatusCode::SWITCHING_PROTOCOLS)
        .header(header::UPGRADE, "websocket")
        .header(header::CONNECTION, "Upgrade")
        .header(header::SEC_WEBSOCKET_ACCEPT, accept)
        .header(header::SEC_WEBSOCKET_PROTOCOL, protocol)
        .body(full(""))
        .expect("response"))
}

/// The exec stream faults in force when a stream starts.
#[derive(Debug, Clone, Copy)]
struct Link {
    /// Close cleanly, without the exit status, once this many stdout bytes went out.
    cut_after: Option<u64>,
    /// Pace stdout to this rate.
    bytes_per_sec: Option<u64>,
}

async fn run<S>(
    ws: WebSocketStream<S>,
    command: Vec<String>,
    env: Vec<(String, String)>,
    want_stdin: bool,
    v5: bool,
    link: Link,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let (mut tx, mut rx) = ws.split();
    let frame = |ch: u8, data: &[u8]| {
        let mut v = Vec::with_capacity(data.len() + 1);
        v.push(ch);
        v.extend_from_slice(data);
        Message::Binary(v.into())
    };
    let spawned = tokio::process::Command::new(&command[0])
        .args(&command[1..])
        .envs(env)
        .stdin(if want_stdin {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            let status = json!({"metadata": {}, "status": "Failure", "reason": "InternalError",
                "message": format!("exec: \"{}\": {e}", command[0]),
                "details": {"causes": [{"reason": "ExitCode", "message": "127"}]}});
            let _ = tx.send(frame(3, status.to_string().as_bytes())).await;
            let _ = tx
                .send(Message::Close(Some(CloseFrame {
                    code: CloseCode::Normal,
                    reason: "".into(),
                })))
                .await;
            return;
        }
    };
    let mut stdin = child.stdin.take();
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let (mut out_buf, mut err_buf) = (vec![0u8; 32 * 1024], vec![0u8; 32 * 1024]);
    let (mut out_open, mut err_open, mut ws_open) = (true, true, true);
    let mut sent: u64 = 0;
    let started = std::time::Instant::now();
    while out_open || err_open {
        tokio::select! {
            n = stdout.read(&mut out_buf), if out_open => match n {
                Ok(0) | Err(_) => out_open = false,
                Ok(n) => {
                    if tx.send(frame(1, &out_buf[..n])).await.is_err() { return; }
                    sent += n as u64;
                    if let Some(rate) = link.bytes_per_sec.filter(|r| *r > 0) {
                        let due = std::time::Duration::from_secs_f64(sent as f64 / rate as f64);
                        let elapsed = started.elapsed();
                        if due > elapsed {
                            tokio::time::sleep(due - elapsed).await;
                        }
                    }
                    if link.cut_after.is_some_and(|c| sent >= c) {
                        // the fault: a clean close without the status; the child is killed
                        let _ = tx.send(Message::Close(Some(CloseFrame { code: CloseCode::Normal, reason: "".into() }))).await;
                        return;
                    }
                }
            },
            n = stderr.read(&mut err_buf), if err_open => match n {
                Ok(0) | Err(_) => err_open = false,
                Ok(n) => { if tx.send(frame(2, &err_buf[..n])).await.is_err() { return; } }
            },
            msg = rx.next(), if ws_open => match msg {
                Some(Ok(Message::Binary(b))) if !b.is_empty() => match b[0] {
                    0 => {
                        if let Some(s) = stdin.as_mut()
                            && s.write_all(&b[1..]).await.is_err()
                        {
                            stdin = None;
                        }
                    }
                    255 if v5 && b.get(1) == Some(&0) => { stdin = None; }
                    _ => {}
                },
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                    ws_open = false;
                    stdin = None;
                }
                _ => {}
            },
        }
    }
    drop(stdin);
    let code = child.wait().await.ok().and_then(|s| s.code());
    let _ = tx
        .send(frame(3, exit_status(code).to_string().as_bytes()))
        .await;
    let _ = tx
        .send(Message::Close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: "".into(),
        })))
        .await;
}
