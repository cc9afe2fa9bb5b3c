//! The HTTPS server: accepts TLS connections, checks the bearer token, and routes each
//! request to discovery, OpenAPI or the resource handlers.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use bytes::Bytes;
use http::{Request, Response, header};
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio_rustls::TlsAcceptor;

use crate::config::Config;
use crate::handlers;
use crate::logs::Logs;
use crate::resources::Registry;
use crate::status::ApiError;
use crate::store::Store;

/// The response body type.
pub(crate) type Body = BoxBody<Bytes, std::io::Error>;

/// Shared server state.
#[derive(Debug)]
pub(crate) struct State {
    /// Served resource types.
    pub(crate) registry: Registry,
    /// The objects.
    pub(crate) store: Arc<Store>,
    /// Bearer token.
    pub(crate) token: String,
    /// Configuration.
    pub(crate) config: Config,
    /// The faults in force (from the config, replaced through the admin endpoint).
    pub(crate) faults: std::sync::RwLock<crate::config::Faults>,
    /// The load rules in force (from the config, replaced through the admin endpoint).
    pub(crate) load: std::sync::RwLock<Vec<crate::config::LoadRule>>,
    /// CPU samples of backend processes, for usage rates.
    pub(crate) cpu_samples: crate::metrics::CpuSamples,
    /// Container logs.
    pub(crate) logs: Logs,
    /// Next Service cluster IP (host part).
    pub(crate) next_ip: AtomicU32,
    /// Wakes the controllers after writes.
    pub(crate) wake: Notify,
    /// Wakes the kubelet when the faults change (lost nodes); it learns of pod changes
    /// from the store's events.
    pub(crate) kubelet_wake: Notify,
    /// Kubelet passes run so far (the idle test counts them).
    pub(crate) kubelet_passes: AtomicU64,
    /// Controller passes run so far (the idle test counts them).
    pub(crate) controller_passes: AtomicU64,
    /// Counter for fault injection decisions.
    pub(crate) fault_counter: AtomicU64,
    /// When the simulator started (for outage windows).
    pub(crate) started: std::time::Instant,
    /// The wall-clock time kubesim started (the simulated CronJob clock's origin).
    pub(crate) started_wall: time::OffsetDateTime,
    /// Shutdown signal for long-running streams.
    pub(crate) shutdown: watch::Receiver<bool>,
}

impl State {
    /// A copy of the faults in force.
    pub(crate) fn faults(&self) -> crate::config::Faults {
        self.faults.read().expect("faults lock").clone()
    }

    /// Allocates a Service cluster IP from 10.96.0.0/12.
    pub(crate) fn alloc_ip(&self) -> String {
        let n = self.next_ip.fetch_add(1, Ordering::Relaxed);
        format!("10.96.{}.{}", (n >> 8) & 0xff, n & 0xff)
    }
}

/// A full body.
pub(crate) fn full(b: impl Into<Bytes>) -> Body {
    Full::new(b.into())
        .map_err(|e: Infallible| match e {})
        .boxed()
}

/// A JSON response.
pub(crate) fn json_response(code: u16, v: &Value) -> Response<Body> {
    json_bytes_response(code, serde_json::to_vec(v).unwrap_or_default())
}

/// A JSON response whose text is already made.
pub(crate) fn json_bytes_response(code: u16, json: Vec<u8>) -> Response<Body> {
    Response::builder()
        .status(code)
        .header(header::CONTENT_TYPE, "application/json")
        .header("Audit-Id", uuid::Uuid::new_v4().to_string())
        .header("Cache-Control", "no-cache, private")
        .body(full(json))
        .expect("valid response")
}

/// A `Status` error response.
pub(crate) fn error_response(e: &ApiError) -> Response<Body> {
    let mut r = json_response(e.code, &e.to_status());
    if let Some(s) = e.retry_after {
        r.headers_mut()
            .insert(header::RETRY_AFTER, s.to_string().parse().expect("number"));
    }
    r
}

/// Serves connections from `listener` until `shutdown` turns true.
pub(crate) async fn serve(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    state: Arc<State>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = shutdown.changed() => break,
        };
        let (tcp, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                continue;
            }
        };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let state = state.clone();
        let mut conn_shutdown = shutdown.clone();
        tokio::spawn(async move {
            let tls = match acceptor.accept(tcp).await {
                Ok(t) => t,
                Err(e) => {
                    tracing::debug!(%peer, error = %e, "TLS handshake failed");
                    return;
                }
            };
            let svc = hyper::service::service_fn(move |req| {
                let state = state.clone();
                async move { Ok::<_, Infallible>(handle(state, req).await) }
            });
            let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
            let conn = builder.serve_connection_with_upgrades(TokioIo::new(tls), svc);
            tokio::pin!(conn);
            tokio::select! {
                r = conn.as_mut() => {
                    if let Err(e) = r {
                        tracing::debug!(%peer, error = %e, "connection ended");
                    }
                }
                _ = conn_shutdown.changed() => {}
            }
        });
    }
}

async fn handle(state: Arc<State>, req: Request<Incoming>) -> Response<Body> {
    let method = req.method().clone();
    let uri = req.uri().clone();
    let authorized = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| t.trim() == state.token);
    let path = uri.path();
    let response = if !authorized && path != "/healthz" && path != "/readyz" && path != "/livez" {
        error_response(&ApiError::unauthorized())
    } else {
        handlers::dispatch(state, req).await
    };
    tracing::debug!(%method, %uri, status = response.status().as_u16(), "request");
    response
}

/// Collects a request body.
pub(crate) async fn read_body(body: Incoming) -> Result<Bytes, ApiError> {
    body.collect()
        .await
        .map(|c| c.to_bytes())
        .map_err(|e| ApiError::bad_request(format!("reading body: {e}")))
}
