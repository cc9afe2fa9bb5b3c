//! `services/{name}/proxy`: HTTP requests relayed to a ready pod behind a Service, as the API
//! server's service proxy does (how `kubectl get --raw`, dashboards and Prometheus clients reach
//! an in-cluster HTTP server without a port-forward).
//!
//! The name is `[scheme:]service[:port]`, the port a Service port's name or number (the only
//! port when omitted). As on a real server the endpoint comes from the Service's Endpoints: the
//! first ready address whose port carries the Service port's name; none is `503 no endpoints
//! available`. The request (method, path after `proxy/`, query, headers other than
//! `Authorization` and hop-by-hop ones, body) goes to the loopback address a config backend binds
//! that pod's target port to; the answer comes back as the pod gave it. Only `http` is relayed.

use std::sync::Arc;

use http::{Request, Response, header};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpStream;

use crate::resources::GroupResource;
use crate::server::{Body, State};
use crate::status::ApiError;

/// Headers that belong to one connection, never relayed.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "authorization",
];

/// `[scheme:]name[:port]` of a proxy URL.
fn split_name(spec: &str) -> (&str, &str, &str) {
    let parts: Vec<&str> = spec.splitn(3, ':').collect();
    match parts.as_slice() {
        [name] => ("", name, ""),
        [name, port] => ("", name, port),
        [scheme, name, port] => (scheme, name, port),
        _ => ("", spec, ""),
    }
}

/// The Service port a proxy URL names: by name or number, or the only one when none is named.
fn service_port<'a>(svc: &'a Value, port: &str) -> Result<&'a Value, ApiError> {
    let ports = svc["spec"]["ports"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let name = svc["metadata"]["name"].as_str().unwrap_or_default();
    if port.is_empty() {
        return match ports {
            [only] => Ok(only),
            _ => Err(ApiError::unavailable(format!(
                "no endpoints available for service \"{name}\": name a port of its {}",
                ports.len()
            ))),
        };
    }
    ports
        .iter()
        .find(|p| {
            p["name"] == port || p["port"].as_i64().map(|n| n.to_string()).as_deref() == Some(port)
        })
        .ok_or_else(|| {
            ApiError::unavailable(format!(
                "no service port {port:?} found for service \"{name}\""
            ))
        })
}

/// The pod and its port behind a Service port: the first ready address of its Endpoints.
fn endpoint(state: &State, ns: &str, svc: &Value, port: &Value) -> Result<(Value, u16), ApiError> {
    let name = svc["metadata"]["name"].as_str().unwrap_or_default();
    let no_endpoints =
        || ApiError::unavailable(format!("no endpoints available for service \"{name}\""));
    let eps = state
        .store
        .get(&GroupResource::new("", "endpoints"), ns, name)
        .ok_or_else(no_endpoints)?;
    let port_name = port["name"].as_str().unwrap_or_default();
    for subset in eps["subsets"].as_array().into_iter().flatten() {
        let Some(target) = subset["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["name"].as_str().unwrap_or_default() == port_name)
            .and_then(|p| p["port"].as_u64())
            .and_then(|p| u16::try_from(p).ok())
        else {
            continue;
        };
        for address in subset["addresses"].as_array().into_iter().flatten() {
            let pod_name = address["targetRef"]["name"].as_str().unwrap_or_default();
            if let Some(pod) = state
                .store
                .get(&GroupResource::new("", "pods"), ns, pod_name)
            {
                return Ok((pod, target));
            }
        }
    }
    Err(no_endpoints())
}

/// Relays a `services/{spec}/proxy/{rest}` request.
pub(crate) async fn service(
    state: Arc<State>,
    ns: &str,
    spec: &str,
    rest: &[&str],
    req: Request<Incoming>,
) -> Result<Response<Body>, ApiError> {
    let (scheme, name, port) = split_name(spec);
    if !scheme.is_empty() && scheme != "http" {
        return Err(ApiError::bad_request(format!(
            "kubesim relays only http through the service proxy, not {scheme}"
        )));
    }
    let svc = state
        .store
        .get(&GroupResource::new("", "services"), ns, name)
        .ok_or_else(|| {
            let rt = state
                .registry
                .find("", "v1", "services")
                .expect("services are served");
            ApiError::not_found(&rt, name)
        })?;
    let port = service_port(&svc, port)?;
    let (pod, target) = endpoint(&state, ns, &svc, port)?;
    let pod_name = pod["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let address = crate::portforward::bound_ports(&state, &pod)
        .remove(&target)
        .ok_or_else(|| {
            ApiError::unavailable(format!(
                "error trying to reach service: pod {pod_name} port {target} is bound to no process (kubesim config backends)"
            ))
        })?;
    relay(&address, rest, req).await.map_err(|e| {
        ApiError::unavailable(format!("error trying to reach service: {address}: {e}"))
    })
}

/// Sends the request to `address` over HTTP/1.1 and streams the answer back.
async fn relay(
    address: &str,
    rest: &[&str],
    req: Request<Incoming>,
) -> Result<Response<Body>, Box<dyn std::error::Error + Send + Sync>> {
    let (parts, body) = req.into_parts();
    let mut uri = format!("/{}", rest.join("/"));
    if let Some(q) = parts.uri.query() {
        uri.push('?');
        uri.push_str(q);
    }
    let mut out = Request::builder().method(parts.method).uri(uri);
    for (k, v) in &parts.headers {
        if !HOP_BY_HOP.contains(&k.as_str()) && k != header::HOST {
            out = out.header(k, v);
        }
    }
    let out = out.header(header::HOST, address).body(body)?;
    let stream = TcpStream::connect(address).await?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            tracing::debug!(error = %e, "service proxy connection ended");
        }
    });
    let answer = sender.send_request(out).await?;
    let (mut parts, body) = answer.into_parts();
    for h in HOP_BY_HOP {
        parts.headers.remove(*h);
    }
    let body = body.map_err(std::io::Error::other).boxed();
    Ok(Response::from_parts(parts, body))
}

#[cfg(test)]
mod tests {
    use super::split_name;

    #[test]
    fn proxy_names_split_into_scheme_service_and_port() {
        assert_eq!(split_name("prom"), ("", "prom", ""));
        assert_eq!(split_name("prom:web"), ("", "prom", "web"));
        assert_eq!(split_name("http:prom:9090"), ("http", "prom", "9090"));
        assert_eq!(split_name("https:prom:"), ("https", "prom", ""));
    }
}
