//! Exec connections spoken frame by frame, for the stream.
//!
//! The exec API's WebSocket protocol (`v5.channel.k8s.io`, `v4.channel.k8s.io`) carries one
//! channel per binary frame: the first byte names it (0 stdin, 1 stdout, 2 stderr, 3 the
//! command's exit `Status`, 255 a close of a channel in v5), the rest is the data. kube's
//! `AttachedProcess` puts pipes between the socket and its user and reads stdin in 4 KiB pieces,
//! so each 32 KiB frame of an export would reach the import as eight frames: eight TLS records,
//! eight writes on each side of the API server and eight pipe writes in the pod. Here each frame
//! of the export's output goes on as one frame of the import's input, with nothing in between,
//! and memory stays one frame per end.

use std::pin::Pin;

use futures::{Sink, SinkExt, Stream, StreamExt};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use kube::Resource;
use kube::api::AttachParams;
use tokio_tungstenite::tungstenite::{Bytes, Error as WsError, Message};

use super::remote::Place;
use crate::{ActionError, Config};

const STDIN: u8 = 0;
const STDOUT: u8 = 1;
const STDERR: u8 = 2;
const STATUS: u8 = 3;
const CLOSE: u8 = 255;

type Outgoing = Pin<Box<dyn Sink<Message, Error = WsError> + Send>>;
type Incoming = Pin<Box<dyn Stream<Item = Result<Message, WsError>> + Send>>;

/// What the command sent.
#[derive(Debug)]
pub(crate) enum Frame {
    Stdout(Bytes),
    Stderr(Bytes),
    /// The command ended: its exit status (`None` when it could not be read).
    Status(Option<Box<Status>>),
}

/// The sending half of an exec connection: the command's stdin, and pings.
pub(crate) struct Input {
    sink: Outgoing,
    /// Whether the server understands a close of stdin alone (`v5.channel.k8s.io`); without it
    /// the end of stdin can only be said by closing the whole connection.
    closes_stdin: bool,
}

/// The receiving half: what the command prints and how it ended.
pub(crate) struct Output {
    stream: Incoming,
}

/// Starts `command` in the pod's container, with stdin when `stdin`.
pub(crate) async fn open(
    cfg: &Config,
    place: &Place,
    command: Vec<String>,
    stdin: bool,
) -> Result<(Input, Output), ActionError> {
    let params = AttachParams::default()
        .container(place.container.clone())
        .stdin(stdin)
        .stdout(true)
        .stderr(true);
    let mut request = kube::core::Request::new(Pod::url_path(&(), Some(&place.namespace)))
        .exec(&place.pod, command, &params)
        .map_err(|e| ActionError::Failed(format!("cannot build the exec request: {e}")))?;
    request.extensions_mut().insert("exec");
    let connection = cfg
        .cluster
        .client()
        .connect(request)
        .await
        .map_err(|e| cfg.kube_error(format!("run a command in pod {}", place.pod), e))?;
    let closes_stdin = connection.supports_stream_close();
    let (sink, stream) = connection.into_stream().split();
    Ok((
        Input {
            sink: Box::pin(sink),
            closes_stdin,
        },
        Output {
            stream: Box::pin(stream),
        },
    ))
}

impl Input {
    /// Sends `data` to the command's stdin as one frame.
    pub(crate) async fn write(&mut self, data: &[u8]) -> Result<(), WsError> {
        let mut frame = Vec::with_capacity(data.len() + 1);
        frame.push(STDIN);
        frame.extend_from_slice(data);
        self.sink.send(Message::Binary(frame.into())).await
    }

    /// Ends the command's stdin (the command reads its end of file).
    pub(crate) async fn close_stdin(&mut self) -> Result<(), WsError> {
        if self.closes_stdin {
            self.sink
                .send(Message::Binary(Bytes::from_static(&[CLOSE, STDIN])))
                .await
        } else {
            self.sink.close().await
        }
    }

    /// A ping, so that proxies on the way see traffic in both directions.
    pub(crate) async fn ping(&mut self) -> Result<(), WsError> {
        self.sink.send(Message::Ping(Bytes::new())).await
    }
}

impl Output {
    /// The next frame, `None` once the connection is closed.
    pub(crate) async fn next(&mut self) -> Option<Result<Frame, WsError>> {
        loop {
            let message = match self.stream.next().await? {
                Ok(m) => m,
                Err(e) => return Some(Err(e)),
            };
            let data = match message {
                Message::Binary(b) if !b.is_empty() => b,
                Message::Close(_) => return None,
                // pings are answered by the socket; text and empty frames carry nothing
                _ => continue,
            };
            return Some(Ok(match data[0] {
                STDOUT => Frame::Stdout(data.slice(1..)),
                STDERR => Frame::Stderr(data.slice(1..)),
                STATUS => Frame::Status(serde_json::from_slice(&data[1..]).ok().map(Box::new)),
                _ => continue,
            }));
        }
    }

    /// Reads to the end, keeping the last `limit` bytes of stderr and calling `on_read` on each
    /// frame (a sign of life); the exit status, `None` when the connection ended without one.
    pub(crate) async fn drain(mut self, limit: usize, on_read: impl Fn()) -> Ended {
        let mut ended = Ended::default();
        while let Some(frame) = self.next().await {
            on_read();
            match frame {
                Ok(Frame::Stderr(b)) => ended.stderr.push(&b, limit),
                Ok(Frame::Stdout(_)) => {}
                Ok(Frame::Status(s)) => {
                    ended.status = s;
                    break;
                }
                Err(e) => {
                    ended.error = Some(e.to_string());
                    break;
                }
            }
        }
        ended
    }
}

/// How a command's connection ended.
#[derive(Debug, Default)]
pub(crate) struct Ended {
    pub(crate) stderr: Tail,
    pub(crate) status: Option<Box<Status>>,
    /// The connection failed before the status came.
    pub(crate) error: Option<String>,
}

/// The last bytes of a stream.
#[derive(Debug, Default)]
pub(crate) struct Tail(Vec<u8>);

impl Tail {
    pub(crate) fn push(&mut self, data: &[u8], limit: usize) {
        self.0.extend_from_slice(data);
        if self.0.len() > limit {
            self.0.drain(..self.0.len() - limit);
        }
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tail_keeps_the_last_bytes() {
        let mut t = Tail::default();
        t.push(b"hello ", 8);
        t.push(b"world", 8);
        assert_eq!(t.bytes(), b"lo world");
    }
}
