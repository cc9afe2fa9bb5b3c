//! Request routing and the handlers of each verb.

mod read;
mod subresource;
mod watch;
pub(crate) mod write;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use http::{Method, Request, Response, header};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use serde_json::Value;

use crate::discovery;
use crate::negotiation::{self, Output};
use crate::openapi;
use crate::resources::ResourceType;
use crate::server::{Body, State, error_response, full, json_response, read_body};
use crate::status::ApiError;

/// Decoded query parameters.
#[derive(Debug, Default, Clone)]
pub(crate) struct Query(HashMap<String, String>);

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match u8::from_str_radix(&s[i + 1..i + 3], 16) {
                Ok(b) => {
                    out.push(b);
                    i += 2;
                }
                Err(_) => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Query {
    /// Parses a query string.
    pub(crate) fn parse(q: Option<&str>) -> Self {
        let mut m = HashMap::new();
        for pair in q.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            m.insert(percent_decode(k), percent_decode(v));
        }
        Self(m)
    }

    /// A parameter.
    pub(crate) fn get(&self, k: &str) -> Option<&str> {
        self.0.get(k).map(String::as_str).filter(|s| !s.is_empty())
    }

    /// A boolean parameter (`true`/`1`).
    pub(crate) fn flag(&self, k: &str) -> bool {
        matches!(self.get(k), Some("true") | Some("1"))
    }

    /// A numeric parameter.
    pub(crate) fn num(&self, k: &str) -> Option<i64> {
        self.get(k).and_then(|v| v.parse().ok())
    }

    /// `dryRun=All`.
    pub(crate) fn dry_run(&self) -> bool {
        self.get("dryRun") == Some("All")
    }
}

/// A resource request target.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// The resource type.
    pub(crate) rt: Arc<ResourceType>,
    /// Namespace from the URL.
    pub(crate) ns: Option<String>,
    /// Object name from the URL.
    pub(crate) name: Option<String>,
    /// Subresource.
    pub(crate) sub: Option<String>,
}

impl Target {
    /// Namespace or empty.
    pub(crate) fn ns(&self) -> &str {
        self.ns.as_deref().unwrap_or_default()
    }
}

fn parse_target(state: &State, group: &str, version: &str, rest: &[&str]) -> Option<Target> {
    let reg = &state.registry;
    let find = |plural: &str| reg.find(group, version, plural);
    let t = |rt, ns: Option<&str>, name: Option<&str>, sub: Option<&str>| {
        Some(Target {
            rt,
            ns: ns.map(str::to_string),
            name: name.map(str::to_string),
            sub: sub.map(str::to_string),
        })
    };
    match rest {
        [res] => t(find(res)?, None, None, None),
        [res, name] => t(find(res)?, None, Some(name), None),
        ["namespaces", ns, sub @ ("status" | "finalize")] if group.is_empty() => {
            t(find("namespaces")?, None, Some(ns), Some(sub))
        }
        ["namespaces", ns, res] => {
            let rt = find(res)?;
            rt.namespaced.then_some(())?;
            t(rt, Some(ns), None, None)
        }
        [res, name, sub] => {
            let rt = find(res)?;
            (!rt.namespaced).then_some(())?;
            t(rt, None, Some(name), Some(sub))
        }
        ["namespaces", ns, res, name] => t(find(res)?, Some(ns), Some(name), None),
        ["namespaces", ns, res, name, sub] => t(find(res)?, Some(ns), Some(name), Some(sub)),
        _ => None,
    }
}

fn verb_of(method: &Method, target: &Target, q: &Query) -> &'static str {
    match (method.as_str(), target.name.is_some()) {
        ("GET", false) if q.flag("watch") => "watch",
        ("GET", false) => "list",
        ("GET", true) => "get",
        ("POST", _) => "create",
        ("PUT", _) => "update",
        ("PATCH", _) => "patch",
        ("DELETE", false) => "deletecollection",
        ("DELETE", true) => "delete",
        _ => "other",
    }
}

fn injected_fault(state: &State, verb: &str, target: &Target) -> Option<ApiError> {
    let resource = target.rt.plural.as_str();
    for rule in &state.faults().errors {
        if rule.verb.as_deref().is_some_and(|v| v != verb)
            || rule.resource.as_deref().is_some_and(|r| r != resource)
        {
            continue;
        }
        // Deterministic spreading: fail `rate` of the matching requests.
        let n = state.fault_counter.fetch_add(1, Ordering::Relaxed);
        let period = 1000u64;
        let fails = (rule.rate.clamp(0.0, 1.0) * period as f64) as u64;
        if (n % period) * fails / period != ((n + 1) % period) * fails / period || fails == period {
            return Some(match rule.code {
                429 => ApiError::too_many_requests(1),
                401 => ApiError::unauthorized(),
                403 => ApiError::denied(verb, target, rule.message.as_deref()),
                503 => ApiError::unavailable("injected fault: service unavailable"),
                _ => ApiError::internal("injected fault: internal error"),
            });
        }
    }
    None
}

/// Routes one authenticated request.
pub(crate) async fn dispatch(state: Arc<State>, req: Request<Incoming>) -> Response<Body> {
    if req.uri().path() == ADMIN_LOGS {
        return match admin_logs(&state, req).await {
            Ok(r) => r,
            Err(e) => error_response(&e),
        };
    }
    if req.uri().path() == ADMIN_METRICS {
        return match admin_metrics(&state, req).await {
            Ok(r) => r,
            Err(e) => error_response(&e),
        };
    }
    if req.uri().path() == ADMIN_FAULTS {
        // The admin endpoint is exempt from the faults it controls.
        return match admin_faults(&state, req).await {
            Ok(r) => r,
            Err(e) => error_response(&e),
        };
    }
    let faults = state.faults();
    if faults.latency_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(faults.latency_ms)).await;
    }
    if let Some(o) = &faults.outage {
        let t = state.started.elapsed().as_millis() as u64;
        if t >= o.start_ms && t < o.start_ms + o.duration_ms {
            return error_response(&ApiError::unavailable("injected outage"));
        }
    }
    match route(state, req).await {
        Ok(r) => r,
        Err(e) => error_response(&e),
    }
}

/// The admin endpoint: `GET` returns the faults in force, `PUT` (JSON or YAML `Faults`)
/// replaces them. Authenticated with the bearer token like the API.
pub(crate) const ADMIN_FAULTS: &str = "/kubesim/v1/faults";

async fn admin_faults(state: &State, req: Request<Incoming>) -> Result<Response<Body>, ApiError> {
    match *req.method() {
        Method::GET => {}
        Method::PUT | Method::POST => {
            let body = crate::server::read_body(req.into_body()).await?;
            let faults: crate::config::Faults = serde_yaml::from_slice(&body)
                .map_err(|e| ApiError::bad_request(format!("invalid faults: {e}")))?;
            tracing::info!(?faults, "faults replaced through the admin endpoint");
            *state.faults.write().expect("faults lock") = faults;
            state.wake.notify_one();
            state.kubelet_wake.notify_one();
        }
        _ => return Err(ApiError::method_not_allowed("GET or PUT the faults")),
    }
    let v = serde_json::to_value(state.faults()).unwrap_or_default();
    Ok(json_response(200, &v))
}

/// The admin endpoint of the simulated load: `GET` returns the load rules, `PUT` (a JSON
/// or YAML list of `LoadRule`) replaces them.
pub(crate) const ADMIN_METRICS: &str = "/kubesim/v1/metrics";

async fn admin_metrics(state: &State, req: Request<Incoming>) -> Result<Response<Body>, ApiError> {
    match *req.method() {
        Method::GET => {}
        Method::PUT | Method::POST => {
            let body = crate::server::read_body(req.into_body()).await?;
            let rules: Vec<crate::config::LoadRule> = serde_yaml::from_slice(&body)
                .map_err(|e| ApiError::bad_request(format!("invalid load rules: {e}")))?;
            *state.load.write().expect("load lock") = rules;
            state.wake.notify_one();
        }
        _ => return Err(ApiError::method_not_allowed("GET or PUT the load rules")),
    }
    let v = serde_json::to_value(&*state.load.read().expect("load lock")).unwrap_or_default();
    Ok(json_response(200, &v))
}

/// The admin endpoint that writes container log lines, for tests that run kubesim as a
/// process: `POST` (or `PUT`) a JSON or YAML [`LogWrite`] appends its lines to the
/// container's current log, as the container would have written them (followers see them).
pub(crate) const ADMIN_LOGS: &str = "/kubesim/v1/logs";

/// The body of `POST /kubesim/v1/logs`.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LogWrite {
    /// Namespace of the pod.
    namespace: String,
    /// Name of the pod.
    pod: String,
    /// Name of the container.
    container: String,
    /// Lines to append, in order, without newlines.
    lines: Vec<String>,
}

async fn admin_logs(state: &State, req: Request<Incoming>) -> Result<Response<Body>, ApiError> {
    if !matches!(*req.method(), Method::POST | Method::PUT) {
        return Err(ApiError::method_not_allowed("POST the log lines"));
    }
    let body = crate::server::read_body(req.into_body()).await?;
    let w: LogWrite = serde_yaml::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("invalid log lines: {e}")))?;
    for line in &w.lines {
        state.logs.write(&w.namespace, &w.pod, &w.container, line);
    }
    tracing::info!(namespace = %w.namespace, pod = %w.pod, container = %w.container, lines = w.lines.len(), "log lines written through the admin endpoint");
    Ok(json_response(
        201,
        &serde_json::json!({ "written": w.lines.len() }),
    ))
}

async fn route(state: Arc<State>, req: Request<Incoming>) -> Result<Response<Body>, ApiError> {
    let path = req.uri().path().to_string();
    let q = Query::parse(req.uri().query());
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let get = req.method() == Method::GET;
    let aggregated = |v: Value| {
        let mut r = json_response(200, &v);
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            discovery::AGGREGATED_CT.parse().expect("header"),
        );
        r
    };
    match segs.as_slice() {
        ["version"] if get => return Ok(json_response(200, &discovery::version())),
        ["healthz" | "readyz" | "livez"] => {
            return Ok(Response::builder()
                .header(header::CONTENT_TYPE, "text/plain")
                .body(full("ok"))
                .expect("response"));
        }
        ["api"] if get => {
            return Ok(if discovery::wants_aggregated(&accept) {
                aggregated(discovery::aggregated(&state.registry, true))
            } else {
                let host = req
                    .headers()
                    .get(header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .unwrap_or("127.0.0.1");
                json_response(200, &discovery::api_versions(host))
            });
        }
        ["apis"] if get => {
            return Ok(if discovery::wants_aggregated(&accept) {
                aggregated(discovery::aggregated(&state.registry, false))
            } else {
                json_response(200, &discovery::api_groups(&state.registry))
            });
        }
        ["api", v] if get => {
            return discovery::resource_list(&state.registry, "", v)
                .map(|d| json_response(200, &d))
                .ok_or_else(ApiError::no_route);
        }
        ["apis", g] if get => {
            return discovery::api_group(&state.registry, g)
                .map(|d| json_response(200, &d))
                .ok_or_else(ApiError::no_route);
        }
        ["apis", g, v] if get => {
            return discovery::resource_list(&state.registry, g, v)
                .map(|d| json_response(200, &d))
                .ok_or_else(ApiError::no_route);
        }
        ["openapi", "v2"] if get => {
            if accept.contains("protobuf") && !accept.contains("json") {
                return Err(ApiError {
                    code: 406,
                    reason: "NotAcceptable",
                    message: "only application/json is served".into(),
                    details: None,
                    retry_after: None,
                });
            }
            return Ok(json_response(200, &openapi::v2(&state.registry)));
        }
        ["openapi", "v3"] if get => {
            return Ok(json_response(200, &openapi::v3_root(&state.registry)));
        }
        ["openapi", "v3", rest @ ..] if get => {
            return openapi::v3_group_version(&state.registry, &rest.join("/"))
                .map(|d| json_response(200, &d))
                .ok_or_else(ApiError::no_route);
        }
        _ => {}
    }
    if let [
        "api",
        "v1",
        "namespaces",
        ns,
        "services",
        spec,
        "proxy",
        rest @ ..,
    ] = segs.as_slice()
    {
        return crate::proxy::service(state.clone(), ns, spec, rest, req).await;
    }
    let target = match segs.as_slice() {
        ["api", v, rest @ ..] => parse_target(&state, "", v, rest),
        ["apis", g, v, rest @ ..] => parse_target(&state, g, v, rest),
        _ => None,
    }
    .ok_or_else(ApiError::no_route)?;
    if let Some(sub) = &target.sub
        && !target.rt.has_subresource(sub)
    {
        return Err(ApiError::no_route());
    }
    let output = match target.sub.as_deref() {
        Some("log" | "exec" | "portforward" | "attach") => Output::Json,
        sub => {
            let kind = if sub == Some("scale") {
                ("autoscaling/v1".to_string(), "Scale")
            } else {
                (target.rt.api_version(), target.rt.kind.as_str())
            };
            negotiation::negotiate(
                &accept,
                crate::protobuf::message_of(&kind.0, kind.1).is_some(),
            )?
        }
    };
    let answer = resource(state, req, target, q, accept, output).await;
    Ok(encoded(answer, output).await)
}

/// Writes a resource request's answer (or error `Status`) in the negotiated encoding:
/// JSON answers of kinds with a protobuf message become protobuf; those of other kinds stay
/// JSON when the client accepts it and are 406 NotAcceptable otherwise. Streams (watch,
/// logs) and other media types pass unchanged.
async fn encoded(answer: Result<Response<Body>, ApiError>, output: Output) -> Response<Body> {
    let resp = answer.unwrap_or_else(|e| error_response(&e));
    let Output::Protobuf { json_fallback } = output else {
        return resp;
    };
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|ct| ct == "application/json");
    if !is_json {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(json) = body.collect().await.map(|c| c.to_bytes()) else {
        return error_response(&ApiError::internal("the answer could not be read"));
    };
    let pb = serde_json::from_slice::<Value>(&json)
        .ok()
        .and_then(|v| crate::protobuf::encode(&v));
    match pb {
        Some(pb) => {
            parts.headers.insert(
                header::CONTENT_TYPE,
                header::HeaderValue::from_static(negotiation::PROTOBUF),
            );
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, full(pb))
        }
        None if json_fallback => Response::from_parts(parts, full(json)),
        None => error_response(&negotiation::not_acceptable(
            "application/json, application/yaml",
        )),
    }
}

/// Serves a request to a resource, its answer written as JSON (or a stream in `output`).
async fn resource(
    state: Arc<State>,
    req: Request<Incoming>,
    target: Target,
    q: Query,
    accept: String,
    output: Output,
) -> Result<Response<Body>, ApiError> {
    let path = req.uri().path().to_string();
    let verb = verb_of(req.method(), &target, &q);
    if let Some(e) = injected_fault(&state, verb, &target) {
        return Err(e);
    }
    if target.rt.group == "metrics.k8s.io" {
        if req.method() != Method::GET || q.flag("watch") {
            return Err(ApiError::method_not_allowed(
                "metrics are read-only (get, list)",
            ));
        }
        return crate::metrics::serve(&state, &target, &q);
    }
    if target.rt.group.starts_with("authorization.k8s.io")
        || target.rt.group == "authentication.k8s.io"
    {
        let body = read_body(req.into_body()).await?;
        return write::review(&target, &body);
    }
    let mut content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_string();
    let protobuf = content_type.starts_with("application/vnd.kubernetes.protobuf");
    if protobuf {
        content_type = "application/json".into();
    }
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("unknown")
        .to_string();
    let manager = q
        .get("fieldManager")
        .map(str::to_string)
        .unwrap_or_else(|| default_manager(&user_agent));
    let method = req.method().clone();
    let body_of = |req: Request<Incoming>| async move {
        let b = read_body(req.into_body()).await?;
        if protobuf && !b.is_empty() {
            let v = crate::protobuf::decode(&b)?;
            return Ok::<_, ApiError>(bytes::Bytes::from(
                serde_json::to_vec(&v).unwrap_or_default(),
            ));
        }
        Ok(b)
    };
    match (
        method.as_str(),
        target.name.is_some(),
        target.sub.as_deref(),
    ) {
        ("GET", false, None) => {
            if q.flag("watch") {
                watch::watch(state, target, q, output).await
            } else {
                read::list(&state, &target, &q, &accept)
            }
        }
        ("GET", true, None | Some("status")) => read::get(&state, &target, &accept),
        ("GET", true, Some("scale")) => subresource::get_scale(&state, &target),
        ("GET", true, Some("log")) => subresource::log(state, target, q).await,
        ("POST", false, None) => {
            let body = body_of(req).await?;
            write::create(&state, &target, &body, &q, &content_type, &manager)
        }
        ("POST", true, Some("eviction")) => {
            let del = Target {
                sub: None,
                ..target.clone()
            };
            write::delete(&state, &del, b"", &Query::default())?;
            Ok(json_response(201, &crate::status::success(None)))
        }
        ("PUT", true, None | Some("status") | Some("finalize")) => {
            let body = body_of(req).await?;
            write::update(&state, &target, &body, &q, &content_type, &manager)
        }
        ("PUT", true, Some("scale")) => {
            let body = body_of(req).await?;
            subresource::update_scale(&state, &target, &body, &q, &manager, None)
        }
        ("PATCH", true, None | Some("status")) => {
            let body = body_of(req).await?;
            write::patch(&state, &target, &body, &q, &content_type, &manager)
        }
        ("PATCH", true, Some("scale")) => {
            let body = body_of(req).await?;
            subresource::update_scale(&state, &target, &body, &q, &manager, Some(&content_type))
        }
        ("DELETE", true, None) => {
            let body = body_of(req).await?;
            write::delete(&state, &target, &body, &q)
        }
        ("DELETE", false, None) => {
            let body = body_of(req).await?;
            write::delete_collection(&state, &target, &body, &q)
        }
        ("GET" | "POST", true, Some("exec")) => crate::exec::exec(state, target, req).await,
        ("GET" | "POST", true, Some("portforward")) => {
            crate::portforward::portforward(state, target, req).await
        }
        (_, true, Some("attach")) => {
            Err(ApiError::bad_request("attach is not supported by kubesim"))
        }
        _ => Err(ApiError::method_not_allowed(format!(
            "the server does not allow this method on the requested resource ({method} {path})"
        ))),
    }
}

/// The field manager a real server derives from the user agent: its program name.
fn default_manager(user_agent: &str) -> String {
    user_agent
        .split('/')
        .next()
        .unwrap_or("unknown")
        .chars()
        .take(128)
        .collect()
}
