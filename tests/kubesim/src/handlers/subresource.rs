//! The scale subresource (`autoscaling/v1` Scale) and pod logs.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::Response;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::watch::stream_response_until;
use super::write::update_object;
use super::{Query, Target};
use crate::fields::Scope;
use crate::logs::{Line, follow_key};
use crate::patch::{PatchType, apply_patch};
use crate::resources::GroupResource;
use crate::server::{Body, State, json_response};
use crate::status::ApiError;

fn selector_string(obj: &Value) -> String {
    let sel = &obj["spec"]["selector"];
    let mut parts: Vec<String> = Vec::new();
    if let Some(m) = sel["matchLabels"].as_object() {
        parts.extend(
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default())),
        );
    }
    parts.join(",")
}

fn scale_of(obj: &Value) -> Value {
    let m = &obj["metadata"];
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": m["name"], "namespace": m["namespace"], "uid": m["uid"],
            "resourceVersion": m["resourceVersion"], "creationTimestamp": m["creationTimestamp"],
        },
        "spec": {"replicas": obj["spec"]["replicas"].as_i64().unwrap_or(0)},
        "status": {
            "replicas": obj["status"]["replicas"].as_i64().unwrap_or(0),
            "selector": selector_string(obj),
        },
    })
}

pub(super) fn get_scale(state: &State, t: &Target) -> Result<Response<Body>, ApiError> {
    let name = t.name.as_deref().unwrap_or_default();
    let obj = state
        .store
        .get(&t.rt.group_resource(), t.ns(), name)
        .ok_or_else(|| ApiError::not_found(&t.rt, name))?;
    Ok(json_response(200, &scale_of(&obj)))
}

pub(super) fn update_scale(
    state: &State,
    t: &Target,
    body: &[u8],
    q: &Query,
    manager: &str,
    patch_ct: Option<&str>,
) -> Result<Response<Body>, ApiError> {
    let name = t.name.as_deref().unwrap_or_default();
    let updated = update_object(
        state,
        &t.rt,
        t.ns(),
        name,
        Scope::Main,
        Some(manager),
        q.dry_run(),
        |old| {
            let current = scale_of(old);
            let scale: Value = match patch_ct {
                Some(ct) => {
                    let pt = PatchType::from_content_type(ct)
                        .filter(|p| *p != PatchType::Apply)
                        .ok_or_else(|| ApiError::unsupported_media(ct))?;
                    apply_patch(pt, &current, body)?
                }
                None => serde_json::from_slice(body)
                    .map_err(|e| ApiError::bad_request(format!("invalid Scale: {e}")))?,
            };
            let replicas = scale["spec"]["replicas"].as_i64().unwrap_or(0);
            if replicas < 0 {
                return Err(ApiError::invalid(
                    &t.rt,
                    name,
                    vec![crate::status::Cause {
                        reason: "FieldValueInvalid".into(),
                        message: format!(
                            "Invalid value: {replicas}: must be greater than or equal to 0"
                        ),
                        field: "spec.replicas".into(),
                    }],
                ));
            }
            let mut new = old.clone();
            if let Some(rv) = scale["metadata"]["resourceVersion"].as_str() {
                new["metadata"]["resourceVersion"] = json!(rv);
            } else if let Some(m) = new["metadata"].as_object_mut() {
                m.remove("resourceVersion");
            }
            new["spec"]["replicas"] = json!(replicas);
            Ok(new)
        },
    )?;
    Ok(json_response(200, &scale_of(&updated)))
}

fn format_line(l: &Line, timestamps: bool) -> String {
    if timestamps {
        let ts = l
            .time
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        format!("{ts} {}\n", l.text)
    } else {
        format!("{}\n", l.text)
    }
}

pub(super) async fn log(
    state: Arc<State>,
    t: Target,
    q: Query,
) -> Result<Response<Body>, ApiError> {
    let name = t.name.clone().unwrap_or_default();
    let ns = t.ns().to_string();
    let pods = GroupResource::new("", "pods");
    let pod = state
        .store
        .get(&pods, &ns, &name)
        .ok_or_else(|| ApiError::not_found(&t.rt, &name))?;
    let containers: Vec<String> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str().map(str::to_string))
        .collect();
    let container = match q.get("container") {
        Some(c) => {
            let all_names: Vec<String> = containers
                .iter()
                .cloned()
                .chain(
                    pod["spec"]["initContainers"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|c| c["name"].as_str().map(str::to_string)),
                )
                .collect();
            if !all_names.iter().any(|n| n == c) {
                return Err(ApiError::bad_request(format!(
                    "container {c} is not valid for pod {name}"
                )));
            }
            c.to_string()
        }
        None if containers.len() == 1 => containers[0].clone(),
        None => {
            return Err(ApiError::bad_request(format!(
                "a container name must be specified for pod {name}, choose one of: [{}]",
                containers.join(" ")
            )));
        }
    };
    let previous = q.flag("previous");
    let started = pod["status"]["containerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|cs| {
            cs["name"] == container.as_str()
                && (cs["state"]["running"].is_object()
                    || cs["state"]["terminated"].is_object()
                    || cs["restartCount"].as_i64().unwrap_or(0) > 0)
        });
    if !started && !previous {
        let reason = pod["status"]["containerStatuses"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|cs| cs["name"] == container.as_str())
            .and_then(|cs| cs["state"]["waiting"]["reason"].as_str())
            .unwrap_or("ContainerCreating")
            .to_string();
        return Err(ApiError::bad_request(format!(
            "container \"{container}\" in pod \"{name}\" is waiting to start: {reason}"
        )));
    }
    if previous && !state.logs.has_previous(&ns, &name, &container) {
        return Err(ApiError::bad_request(format!(
            "previous terminated container \"{container}\" in pod \"{name}\" not found"
        )));
    }
    let (mut lines, mut rx) = state.logs.read(&ns, &name, &container, previous);
    if let Some(s) = q.num("sinceSeconds") {
        let since = OffsetDateTime::now_utc() - Duration::from_secs(s.max(0) as u64);
        lines.retain(|l| l.time >= since);
    }
    if let Some(n) = q.num("tailLines") {
        let n = n.max(0) as usize;
        if lines.len() > n {
            lines.drain(..lines.len() - n);
        }
    }
    let timestamps = q.flag("timestamps");
    let limit = q.num("limitBytes").map(|n| n.max(0) as usize);
    let mut text: String = lines.iter().map(|l| format_line(l, timestamps)).collect();
    if let Some(l) = limit {
        text.truncate(l);
    }
    let follow = q.flag("follow") && !previous;
    let drop_after = state
        .faults()
        .drop_log_streams_after_ms
        .filter(|_| follow)
        .map(Duration::from_millis);
    let (tx, resp) = stream_response_until("text/plain", drop_after);
    let uid = pod["metadata"]["uid"].clone();
    let mut shutdown = state.shutdown.clone();
    tokio::spawn(async move {
        if !text.is_empty() && tx.send(Bytes::from(text)).await.is_err() {
            return;
        }
        if !follow {
            return;
        }
        let key = follow_key(&ns, &name, &container);
        let mut check = tokio::time::interval(Duration::from_millis(500));
        loop {
            tokio::select! {
                r = rx.recv() => match r {
                    Ok((k, l)) if k == key => {
                        if tx.send(Bytes::from(format_line(&l, timestamps))).await.is_err() {
                            return;
                        }
                    }
                    Ok(_) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(_) => return,
                },
                _ = check.tick() => {
                    // The stream ends when the pod goes away (or is replaced).
                    match state.store.get(&pods, &ns, &name) {
                        Some(p) if p["metadata"]["uid"] == uid => {}
                        _ => return,
                    }
                }
                _ = shutdown.changed() => return,
                _ = tx.closed() => return,
            }
        }
    });
    Ok(resp)
}
