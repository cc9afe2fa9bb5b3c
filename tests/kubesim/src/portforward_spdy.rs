//! kubectl's port-forward: SPDY/3.1 streams carried inside WebSocket binary messages
//! (subprotocol `SPDY/3.1+portforward.k8s.io`, what kubectl 1.31+ dials first) or over a
//! plain `Upgrade: SPDY/3.1` connection (kubectl's fallback, older client-go programs).
//!
//! As on the kubelet, each forwarded connection is a pair of client-opened streams sharing
//! a `requestid` header: an `error` stream and a `data` stream, both naming the pod `port`.
//! Every stream is accepted with a SYN_REPLY at once; when the pair is complete its data
//! stream is joined to a TCP connection to the address the pod's backend binds that port
//! to. A failure (no backend for the port, connection refused) is written as text on the
//! error stream; either way both streams are half-closed when the forwarding ends.

use std::collections::HashMap;

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

use crate::spdy::{self, Codec, Frame};

/// The pod a port-forward session reaches.
#[derive(Debug, Clone)]
pub(crate) struct PodPorts {
    /// Pod name (for error messages, as the kubelet words them).
    pub(crate) pod: String,
    /// Pod uid.
    pub(crate) uid: String,
    /// Pod port → the loopback address its backend binds it to.
    pub(crate) ports: HashMap<u16, String>,
}

/// Runs a session whose SPDY bytes travel in WebSocket binary messages.
pub(crate) async fn over_websocket<S>(ws: WebSocketStream<S>, target: PodPorts)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut tx, mut rx) = ws.split();
    let (in_tx, in_rx) = mpsc::channel::<Bytes>(64);
    let (out_tx, mut out_rx) = mpsc::channel::<Bytes>(64);
    let session = tokio::spawn(run(in_rx, out_tx, target));
    let reader = async move {
        while let Some(Ok(m)) = rx.next().await {
            let data = match m {
                Message::Binary(b) => b,
                Message::Close(_) => break,
                _ => continue,
            };
            if in_tx.send(data).await.is_err() {
                break;
            }
        }
    };
    let writer = async move {
        while let Some(b) = out_rx.recv().await {
            if tx.send(Message::Binary(b)).await.is_err() {
                return;
            }
        }
        let _ = tx.send(Message::Close(None)).await;
    };
    tokio::select! {
        _ = reader => {}
        _ = writer => {}
    }
    session.abort();
}

/// Runs a session directly on an upgraded (`Upgrade: SPDY/3.1`) connection.
pub(crate) async fn over_upgrade<S>(io: S, target: PodPorts)
where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let (mut r, mut w) = tokio::io::split(io);
    let (in_tx, in_rx) = mpsc::channel::<Bytes>(64);
    let (out_tx, mut out_rx) = mpsc::channel::<Bytes>(64);
    let session = tokio::spawn(run(in_rx, out_tx, target));
    let reader = async move {
        let mut buf = vec![0u8; 32 * 1024];
        loop {
            match r.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if in_tx.send(Bytes::copy_from_slice(&buf[..n])).await.is_err() {
                        break;
                    }
                }
            }
        }
    };
    let writer = async move {
        while let Some(b) = out_rx.recv().await {
            if w.write_all(&b).await.is_err() {
                return;
            }
        }
        let _ = w.shutdown().await;
    };
    tokio::select! {
        _ = reader => {}
        _ = writer => {}
    }
    session.abort();
}

/// What a backend connection reports to its session.
#[derive(Debug)]
enum Event {
    /// Bytes the backend sent.
    Data { request: String, data: Bytes },
    /// The backend connection ended; `error` when it could not be made.
    Done {
        request: String,
        error: Option<String>,
    },
}

/// The streams of one forwarded connection.
#[derive(Debug, Default)]
struct Pair {
    port: u16,
    error_stream: Option<u32>,
    data_stream: Option<u32>,
    /// Client bytes for the backend; dropped when the client half-closes. Unbounded, so
    /// a backend slow to read never stalls the session's other streams (SPDY as
    /// client-go speaks it has no flow control to push back with).
    to_backend: Option<mpsc::UnboundedSender<Bytes>>,
    backend: Option<JoinHandle<()>>,
}

impl Drop for Pair {
    fn drop(&mut self) {
        if let Some(t) = &self.backend {
            t.abort();
        }
    }
}

/// The headers of a SYN_STREAM a port-forward client sends.
struct StreamRequest {
    is_data: bool,
    port: u16,
    request: String,
}

impl StreamRequest {
    fn parse(headers: &[(String, String)]) -> Option<Self> {
        let get = |k: &str| {
            headers
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
        };
        let is_data = match get("streamtype")? {
            "data" => true,
            "error" => false,
            _ => return None,
        };
        Some(Self {
            is_data,
            port: get("port")?.parse().ok().filter(|p| *p != 0)?,
            request: get("requestid")?.to_string(),
        })
    }
}

/// The session: reads frames from `inbound`, writes frames to `outbound`.
async fn run(mut inbound: mpsc::Receiver<Bytes>, outbound: mpsc::Sender<Bytes>, target: PodPorts) {
    let mut codec = match Codec::new() {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "port-forward session");
            return;
        }
    };
    let (events_tx, mut events) = mpsc::channel::<Event>(64);
    let mut session = Session {
        target,
        outbound,
        events: events_tx,
        pairs: HashMap::new(),
        streams: HashMap::new(),
    };
    loop {
        tokio::select! {
            chunk = inbound.recv() => {
                let Some(chunk) = chunk else { break };
                codec.push(&chunk);
                loop {
                    match codec.next_frame() {
                        Ok(Some(frame)) => {
                            if !session.on_frame(&mut codec, frame).await {
                                return;
                            }
                        }
                        Ok(None) => break,
                        Err(e) => {
                            tracing::debug!(error = %e, "port-forward session ends");
                            return;
                        }
                    }
                }
            }
            Some(event) = events.recv() => {
                if !session.on_event(event).await {
                    return;
                }
            }
        }
    }
}

struct Session {
    target: PodPorts,
    outbound: mpsc::Sender<Bytes>,
    events: mpsc::Sender<Event>,
    /// Open forwarded connections by request id.
    pairs: HashMap<String, Pair>,
    /// Request id of each open stream.
    streams: HashMap<u32, String>,
}

impl Session {
    /// Sends a frame; false once the client is gone.
    async fn send(&self, frame: Bytes) -> bool {
        self.outbound.send(frame).await.is_ok()
    }

    /// Handles a client frame; false ends the session.
    async fn on_frame(&mut self, codec: &mut Codec, frame: Frame) -> bool {
        match frame {
            Frame::SynStream {
                stream_id, headers, ..
            } => {
                let Some(req) = StreamRequest::parse(&headers) else {
                    return self
                        .send(spdy::rst_stream(stream_id, spdy::PROTOCOL_ERROR))
                        .await;
                };
                let reply = match codec.syn_reply(stream_id) {
                    Ok(r) => r,
                    Err(e) => {
                        tracing::warn!(error = %e, "port-forward reply");
                        return false;
                    }
                };
                if !self.send(reply).await {
                    return false;
                }
                self.streams.insert(stream_id, req.request.clone());
                let pair = self.pairs.entry(req.request.clone()).or_default();
                pair.port = req.port;
                let slot = if req.is_data {
                    &mut pair.data_stream
                } else {
                    &mut pair.error_stream
                };
                if slot.replace(stream_id).is_some() {
                    return self
                        .send(spdy::rst_stream(stream_id, spdy::PROTOCOL_ERROR))
                        .await;
                }
                if pair.error_stream.is_some() && pair.data_stream.is_some() {
                    return self.start(&req.request).await;
                }
                true
            }
            Frame::Data {
                stream_id,
                fin,
                data,
            } => {
                let Some(pair) = self
                    .streams
                    .get(&stream_id)
                    .and_then(|r| self.pairs.get_mut(r))
                else {
                    return true;
                };
                if pair.data_stream != Some(stream_id) {
                    return true; // the client's own half-close of the error stream
                }
                if !data.is_empty()
                    && let Some(tx) = &pair.to_backend
                    && tx.send(data).is_err()
                {
                    pair.to_backend = None;
                }
                if fin {
                    pair.to_backend = None;
                }
                true
            }
            Frame::RstStream { stream_id } => {
                let Some(request) = self.streams.remove(&stream_id) else {
                    return true;
                };
                let is_data = self
                    .pairs
                    .get(&request)
                    .is_some_and(|p| p.data_stream == Some(stream_id));
                if is_data {
                    // The client dropped the connection: stop forwarding and end the
                    // error stream, which it reads to the end.
                    return self.finish(&request, None).await;
                }
                true
            }
            Frame::Ping(id) => self.send(spdy::ping(id)).await,
            Frame::GoAway => false,
            Frame::Ignored => true,
        }
    }

    /// Starts forwarding a complete pair.
    async fn start(&mut self, request: &str) -> bool {
        let Some(pair) = self.pairs.get_mut(request) else {
            return true;
        };
        let port = pair.port;
        let Some(addr) = self.target.ports.get(&port).cloned() else {
            let error =
                format!("no backend is bound to port {port} of this pod in the kubesim config");
            return self.finish(request, Some(error)).await;
        };
        let (tx, rx) = mpsc::unbounded_channel();
        pair.to_backend = Some(tx);
        pair.backend = Some(tokio::spawn(pump(
            addr,
            rx,
            self.events.clone(),
            request.to_string(),
        )));
        true
    }

    /// Handles a backend event; false ends the session.
    async fn on_event(&mut self, event: Event) -> bool {
        match event {
            Event::Data { request, data } => {
                let Some(id) = self.pairs.get(&request).and_then(|p| p.data_stream) else {
                    return true;
                };
                for chunk in data.chunks(spdy::MAX_PAYLOAD) {
                    if !self.send(spdy::data(id, chunk, false)).await {
                        return false;
                    }
                }
                true
            }
            Event::Done { request, error } => self.finish(&request, error).await,
        }
    }

    /// Ends a forwarded connection: the error (if any) on the error stream, then FIN on
    /// both streams. The kubelet's wording: `error forwarding port P to pod NAME, uid U: E`.
    async fn finish(&mut self, request: &str, error: Option<String>) -> bool {
        let Some(pair) = self.pairs.remove(request) else {
            return true;
        };
        let mut frames = Vec::new();
        if let Some(id) = pair.error_stream {
            if let Some(e) = error {
                let msg = format!(
                    "error forwarding port {} to pod {}, uid {}: {e}",
                    pair.port, self.target.pod, self.target.uid
                );
                frames.push(spdy::data(id, msg.as_bytes(), false));
            }
            frames.push(spdy::data(id, &[], true));
        }
        if let Some(id) = pair.data_stream {
            frames.push(spdy::data(id, &[], true));
        }
        self.streams.retain(|_, r| r != request);
        for f in frames {
            if !self.send(f).await {
                return false;
            }
        }
        true
    }
}

/// Connects to `addr` and copies bytes both ways until the backend closes.
async fn pump(
    addr: String,
    mut from_client: mpsc::UnboundedReceiver<Bytes>,
    events: mpsc::Sender<Event>,
    request: String,
) {
    let stream = match TcpStream::connect(&addr).await {
        Ok(s) => s,
        Err(e) => {
            let error = Some(format!("connecting to {addr}: {e}"));
            let _ = events.send(Event::Done { request, error }).await;
            return;
        }
    };
    let (mut r, mut w) = stream.into_split();
    // Ends when the client half-closes (its sender is dropped) or the session ends.
    tokio::spawn(async move {
        while let Some(b) = from_client.recv().await {
            if w.write_all(&b).await.is_err() {
                return;
            }
        }
        let _ = w.shutdown().await;
    });
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        match r.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let data = Bytes::copy_from_slice(&buf[..n]);
                let request = request.clone();
                if events.send(Event::Data { request, data }).await.is_err() {
                    return;
                }
            }
        }
    }
    let _ = events
        .send(Event::Done {
            request,
            error: None,
        })
        .await;
}
