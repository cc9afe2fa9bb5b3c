//! watch: resourceVersion semantics (unset/`0` start with the current state, a version
//! replays from the history, an expired one gets a 410 `ERROR` event), selectors,
//! bookmarks, `sendInitialEvents` with the `k8s.io/initial-events-end` bookmark, and
//! `timeoutSeconds`.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Response, header};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use super::read::{present, selected, selectors};
use super::{Query, Target};
use crate::negotiation::{Output, PROTOBUF_WATCH};
use crate::server::{Body, State};
use crate::status::ApiError;
use crate::store::{Event, EventType, key_of};

/// Streams newline-delimited JSON values through a channel.
pub(crate) fn stream_response(content_type: &str) -> (mpsc::Sender<Bytes>, Response<Body>) {
    stream_response_until(content_type, None)
}

/// Like [`stream_response`]; with `abort_after`, the connection is aborted (an error, not a
/// clean end of the body) after that long, as an injected fault.
pub(crate) fn stream_response_until(
    content_type: &str,
    abort_after: Option<Duration>,
) -> (mpsc::Sender<Bytes>, Response<Body>) {
    let (tx, rx) = mpsc::channel::<Bytes>(256);
    let deadline = abort_after.map(|d| tokio::time::Instant::now() + d);
    let stream = futures::stream::unfold((rx, false), move |(mut rx, done)| async move {
        if done {
            return None;
        }
        let next = match deadline {
            Some(d) => tokio::select! {
                b = rx.recv() => b.map(Ok),
                _ = tokio::time::sleep_until(d) => Some(Err(std::io::Error::other("injected fault: connection dropped"))),
            },
            None => rx.recv().await.map(Ok),
        };
        match next {
            Some(Ok(b)) => Some((Ok(Frame::data(b)), (rx, false))),
            Some(Err(e)) => Some((Err(e), (rx, true))),
            None => None,
        }
    });
    let body = StreamBody::new(stream).boxed();
    let resp = Response::builder()
        .status(200)
        .header(header::CONTENT_TYPE, content_type)
        .header("Cache-Control", "no-cache, private")
        .body(body)
        .expect("response");
    (tx, resp)
}

fn line(ty: &str, object: &Value) -> Bytes {
    let mut v = serde_json::to_vec(&json!({"type": ty, "object": object})).unwrap_or_default();
    v.push(b'\n');
    Bytes::from(v)
}

/// One event of a watch stream in `output`: a JSON line, or (protobuf) a 4-byte big-endian
/// length and a `WatchEvent` message whose object is the enveloped object, as the API
/// server frames `application/vnd.kubernetes.protobuf;stream=watch`. Objects without a
/// protobuf message stay JSON lines (negotiation serves protobuf only for kinds with one).
fn event(output: Output, ty: &str, object: &Value) -> Bytes {
    if output == Output::Json {
        return line(ty, object);
    }
    let Some(obj) = crate::protobuf::encode(object) else {
        return line(ty, object);
    };
    let msg = crate::protobuf::watch_event(ty, &obj);
    let mut framed = Vec::with_capacity(4 + msg.len());
    framed.extend_from_slice(&(msg.len() as u32).to_be_bytes());
    framed.extend_from_slice(&msg);
    Bytes::from(framed)
}

/// The content type of a watch stream in `output`.
fn stream_type(output: Output) -> &'static str {
    match output {
        Output::Json => "application/json",
        Output::Protobuf { .. } => PROTOBUF_WATCH,
    }
}

pub(super) async fn watch(
    state: Arc<State>,
    t: Target,
    q: Query,
    output: Output,
) -> Result<Response<Body>, ApiError> {
    let (ls, fs) = selectors(&q)?;
    let gr = t.rt.group_resource();
    let ns = t.ns.clone();
    let rv_param = q.get("resourceVersion").map(str::to_string);
    let send_initial = q.flag("sendInitialEvents");
    let bookmarks = q.flag("allowWatchBookmarks");
    let timeout = Duration::from_secs(q.num("timeoutSeconds").unwrap_or(1800).max(1) as u64);

    let scope_ns = ns.clone();
    let in_scope = move |obj: &Value| scope_ns.as_deref().is_none_or(|n| key_of(obj).0 == n);

    let mut initial: Vec<crate::store::Shared> = Vec::new();
    let (mut rx, mut last_rv, replay): (broadcast::Receiver<Arc<Event>>, u64, Vec<Arc<Event>>) =
        match rv_param.as_deref() {
            Some(rv) if rv != "0" && !send_initial => {
                let n: u64 = rv
                    .parse()
                    .map_err(|_| ApiError::bad_request(format!("invalid resourceVersion: {rv}")))?;
                match state.store.watch_from(&gr, n) {
                    Ok((events, rx)) => (rx, n, events),
                    Err(_) => {
                        let (tx, resp) = stream_response(stream_type(output));
                        let gone = ApiError::gone(format!(
                            "too old resource version: {n} ({})",
                            state.store.current_rv()
                        ));
                        let _ = tx.send(event(output, "ERROR", &gone.to_status())).await;
                        return Ok(resp);
                    }
                }
            }
            _ => {
                let (objs, rv, rx) = state.store.snapshot(&gr, ns.as_deref());
                initial = objs;
                (rx, rv, Vec::new())
            }
        };

    let drop_after = state
        .faults()
        .drop_watches_after_ms
        .map(Duration::from_millis);
    let (tx, resp) = stream_response_until(stream_type(output), drop_after);
    let rt = t.rt.clone();
    let mut shutdown = state.shutdown.clone();
    let bookmark_every = Duration::from_millis(state.config.bookmark_interval_ms.max(50));
    tokio::spawn(async move {
        let bookmark = |rv: u64, end: bool| {
            let mut meta = json!({"resourceVersion": rv.to_string()});
            if end {
                meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
            }
            event(
                output,
                "BOOKMARK",
                &json!({"kind": rt.kind, "apiVersion": rt.api_version(), "metadata": meta}),
            )
        };
        for obj in initial {
            if selected(&obj, &ls, &fs)
                && tx
                    .send(event(output, "ADDED", &present(&rt, obj.value().clone())))
                    .await
                    .is_err()
            {
                return;
            }
        }
        if send_initial && bookmarks && tx.send(bookmark(last_rv, true)).await.is_err() {
            return;
        }
        let handle = |e: &Event| -> Option<Bytes> {
            if e.gr != gr || !in_scope(&e.object) {
                return None;
            }
            let now_match = selected(&e.object, &ls, &fs);
            let was_match = e.old.as_ref().is_some_and(|o| selected(o, &ls, &fs));
            let ty = match e.kind {
                EventType::Modified if now_match && !was_match => "ADDED",
                EventType::Modified if !now_match && was_match => "DELETED",
                EventType::Modified if now_match => "MODIFIED",
                EventType::Added | EventType::Deleted if now_match => e.kind.as_str(),
                _ => return None,
            };
            Some(event(output, ty, &present(&rt, e.object.clone())))
        };
        for e in replay {
            last_rv = last_rv.max(e.rv);
            if let Some(b) = handle(&e)
                && tx.send(b).await.is_err()
            {
                return;
            }
        }
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        let mut ticker = tokio::time::interval(bookmark_every);
        ticker.tick().await;
        loop {
            tokio::select! {
                ev = rx.recv() => match ev {
                    Ok(e) => {
                        if e.rv <= last_rv {
                            continue;
                        }
                        last_rv = e.rv;
                        if let Some(b) = handle(&e)
                            && tx.send(b).await.is_err() {
                                return;
                            }
                    }
                    // Too slow to keep up: end the stream; the client re-watches.
                    Err(_) => return,
                },
                _ = ticker.tick(), if bookmarks => {
                    if tx.send(bookmark(last_rv, false)).await.is_err() {
                        return;
                    }
                }
                _ = &mut deadline => return,
                _ = shutdown.changed() => return,
                _ = tx.closed() => return,
            }
        }
    });
    Ok(resp)
}
