//! `pods/portforward`. Over WebSocket with the channel protocol kube-rs speaks: for port
//! index `i`, channel `2i` carries data and `2i+1` errors; the server opens each channel
//! with the port number (2 bytes, little endian). kubectl's SPDY/3.1 (tunnelled in
//! WebSocket or on a plain SPDY upgrade) is served by [`crate::portforward_spdy`]. Each
//! forwarded port connects to the loopback address the config's backend binds that pod
//! port to.

use std::collections::HashMap;
use std::sync::Arc;

use futures::{SinkExt, StreamExt};
use http::{Request, Response, StatusCode, header};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::handlers::Target;
use crate::portforward_spdy::{self, PodPorts};
use crate::resources::GroupResource;
use crate::server::{Body, State, full};
use crate::status::ApiError;

/// The header a plain SPDY upgrade names its stream protocol in.
const SPDY_PROTOCOL_HEADER: header::HeaderName =
    header::HeaderName::from_static("x-stream-protocol-version");

/// The WebSocket subprotocols served, in order of preference: the channel protocols
/// (kube-rs) and SPDY/3.1 tunnelled in WebSocket messages (kubectl).
const PROTOCOLS: &[&str] = &[
    "v5.channel.k8s.io",
    "v4.channel.k8s.io",
    "portforward.k8s.io",
    SPDY_TUNNEL,
];

/// kubectl's SPDY-over-WebSocket subprotocol.
const SPDY_TUNNEL: &str = "SPDY/3.1+portforward.k8s.io";

/// The port-forward protocol a plain SPDY upgrade negotiates (`X-Stream-Protocol-Version`).
const SPDY_PORTFORWARD: &str = "portforward.k8s.io";

/// Pod port → loopback address, from the first config backend binding each port of `pod`.
pub(crate) fn bound_ports(state: &State, pod: &Value) -> HashMap<u16, String> {
    let mut ports = HashMap::new();
    for b in crate::exec::backends(state, pod) {
        for (port, addr) in &b.ports {
            if let Ok(p) = port.parse::<u16>() {
                ports.entry(p).or_insert_with(|| addr.clone());
            }
        }
    }
    ports
}

fn header_has(req: &Request<Incoming>, name: header::HeaderName, value: &str) -> bool {
    req.headers()
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| v.trim().eq_ignore_ascii_case(value))
}

/// Handles a `pods/{name}/portforward` upgrade request.
pub(crate) async fn portforward(
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
    let bound = bound_ports(&state, &pod);
    let spdy_target = PodPorts {
        pod: name.clone(),
        uid: pod["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        ports: bound.clone(),
    };
    if header_has(&req, header::UPGRADE, "SPDY/3.1") {
        if !header_has(&req, SPDY_PROTOCOL_HEADER, SPDY_PORTFORWARD) {
            return Err(ApiError::bad_request(format!(
                "unable to upgrade: the client must offer the {SPDY_PORTFORWARD} stream protocol"
            )));
        }
        tokio::spawn(async move {
            match hyper::upgrade::on(req).await {
                Ok(upgraded) => {
                    portforward_spdy::over_upgrade(TokioIo::new(upgraded), spdy_target).await
                }
                Err(e) => tracing::debug!(error = %e, "port-forward upgrade failed"),
            }
        });
        return Ok(Response::builder()
            .status(StatusCode::SWITCHING_PROTOCOLS)
            .header(header::UPGRADE, "SPDY/3.1")
            .header(header::CONNECTION, "Upgrade")
            .header(SPDY_PROTOCOL_HEADER, SPDY_PORTFORWARD)
            .body(full(""))
            .expect("response"));
    }
    let offered: Vec<String> = req
        .headers()
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(',').map(|s| s.trim().to_string()))
        .collect();
    let protocol = PROTOCOLS
        .iter()
        .find(|p| offered.iter().any(|o| o == *p))
        .copied()
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "port-forward needs a WebSocket upgrade with one of the subprotocols {}, or an Upgrade: SPDY/3.1",
                PROTOCOLS.join(", ")
            ))
        })?;
    let key = req
        .headers()
        .get(header::SEC_WEBSOCKET_KEY)
        .cloned()
        .ok_or_else(|| ApiError::bad_request("missing Sec-WebSocket-Key"))?;
    let accept = derive_accept_key(key.as_bytes());
    if protocol == SPDY_TUNNEL {
        tokio::spawn(async move {
            let Ok(upgraded) = hyper::upgrade::on(req).await else {
                return;
            };
            let ws =
                WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
            portforward_spdy::over_websocket(ws, spdy_target).await;
        });
        return Ok(switching(accept, protocol));
    }
    // The channel protocols name the ports in the query.
    let mut ports: Vec<u16> = Vec::new();
    for pair in req.uri().query().unwrap_or_default().split('&') {
        if let Some(v) = pair.strip_prefix("ports=") {
            for p in v.split("%2C").flat_map(|s| s.split(',')) {
                ports.push(
                    p.parse()
                        .map_err(|_| ApiError::bad_request(format!("invalid port {p:?}")))?,
                );
            }
        }
    }
    if ports.is_empty() {
        return Err(ApiError::bad_request("at least one port must be specified"));
    }
    let targets: Vec<Option<String>> = ports.iter().map(|p| bound.get(p).cloned()).collect();
    tokio::spawn(async move {
        let Ok(upgraded) = hyper::upgrade::on(req).await else {
            return;
        };
        let ws = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
        run(ws, ports, targets).await;
    });
    Ok(switching(accept, protocol))
}

/// The 101 answer to a WebSocket upgrade.
fn switching(accept: String, protocol: &str) -> Response<Body> {
    Response::builder()
        .status(StatusCode::SWITCHING_PROTOCOLS)
        .header(header::UPGRADE, "websocket")
        .header(header::CONNECTION, "Upgrade")
        .header(header::SEC_WEBSOCKET_ACCEPT, accept)
        .header(header::SEC_WEBSOCKET_PROTOCOL, protocol)
        .body(full(""))
        .expect("response")
}

fn frame(ch: u8, data: &[u8]) -> Message {
    let mut v = Vec::with_capacity(data.len() + 1);
    v.push(ch);
    v.extend_from_slice(data);
    Message::Binary(v.into())
}

async fn run<S>(ws: WebSocketStream<S>, ports: Vec<u16>, targets: Vec<Option<String>>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut tx, mut rx) = ws.split();
    let (out_tx, mut out_rx) = tokio::sync::mpsc::channel::<Message>(64);
    let mut writers = Vec::new();
    for (i, (port, target)) in ports.iter().zip(targets).enumerate() {
        let data_ch = (2 * i) as u8;
        let err_ch = data_ch + 1;
        let le = port.to_le_bytes();
        if tx.send(frame(data_ch, &le)).await.is_err() || tx.send(frame(err_ch, &le)).await.is_err()
        {
            return;
        }
        let conn = match target {
            Some(addr) => TcpStream::connect(&addr)
                .await
                .map_err(|e| format!("connecting to {addr}: {e}")),
            None => Err(format!(
                "no backend is bound to port {port} of this pod in the kubesim config"
            )),
        };
        match conn {
            Ok(stream) => {
                let (mut r, w) = stream.into_split();
                writers.push(Some(w));
                let out = out_tx.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 32 * 1024];
                    loop {
                        match r.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => {
                                if out.send(frame(data_ch, &buf[..n])).await.is_err() {
                                    break;
                                }
                            }
                        }
                    }
                    let _ = out.send(Message::Close(None)).await;
                });
            }
            Err(e) => {
                writers.push(None);
                let _ = tx.send(frame(err_ch, e.as_bytes())).await;
            }
        }
    }
    drop(out_tx);
    loop {
        tokio::select! {
            m = out_rx.recv() => match m {
                Some(Message::Close(_)) | None => break,
                Some(m) => { if tx.send(m).await.is_err() { return; } }
            },
            m = rx.next() => match m {
                Some(Ok(Message::Binary(b))) if !b.is_empty() => {
                    let ch = b[0] as usize;
                    if ch.is_multiple_of(2)
                        && let Some(Some(w)) = writers.get_mut(ch / 2)
                        && w.write_all(&b[1..]).await.is_err()
                    {
                        break;
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                _ => {}
            },
        }
    }
    let _ = tx
        .send(Message::Close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: "".into(),
        })))
        .await;
}
