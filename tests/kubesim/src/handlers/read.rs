//! get and list (with selectors, `limit`/`continue`) and Table responses for kubectl.

use base64::Engine;
use http::Response;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::{Query, Target};
use crate::resources::ResourceType;
use crate::selectors::{FieldSelector, LabelSelector};
use crate::server::{Body, State, json_bytes_response, json_response};
use crate::status::ApiError;
use crate::store::{Shared, key_of};

/// Sets `apiVersion` and `kind` of an object as served through `rt`.
pub(crate) fn present(rt: &ResourceType, mut obj: Value) -> Value {
    obj["apiVersion"] = json!(rt.api_version());
    obj["kind"] = json!(rt.kind);
    obj
}

/// Whether the client asked for a Table.
pub(crate) fn wants_table(accept: &str) -> bool {
    accept
        .split(',')
        .next()
        .is_some_and(|first| first.contains("as=Table"))
}

pub(super) fn get(state: &State, t: &Target, accept: &str) -> Result<Response<Body>, ApiError> {
    let name = t.name.as_deref().unwrap_or_default();
    let obj = state
        .store
        .get(&t.rt.group_resource(), t.ns(), name)
        .ok_or_else(|| ApiError::not_found(&t.rt, name))?;
    let obj = present(&t.rt, obj);
    if wants_table(accept) {
        let rv = obj["metadata"]["resourceVersion"].clone();
        return Ok(json_response(200, &table(&t.rt, &[obj], rv, "Metadata")));
    }
    Ok(json_response(200, &obj))
}

/// Parses the selectors of a list or watch request.
pub(crate) fn selectors(q: &Query) -> Result<(LabelSelector, FieldSelector), ApiError> {
    Ok((
        LabelSelector::parse(q.get("labelSelector").unwrap_or_default())?,
        FieldSelector::parse(q.get("fieldSelector").unwrap_or_default())?,
    ))
}

/// Whether an object passes the selectors.
pub(crate) fn selected(obj: &Value, ls: &LabelSelector, fs: &FieldSelector) -> bool {
    ls.matches(&obj["metadata"]["labels"]) && fs.matches(obj)
}

pub(super) fn list(
    state: &State,
    t: &Target,
    q: &Query,
    accept: &str,
) -> Result<Response<Body>, ApiError> {
    let (ls, fs) = selectors(q)?;
    let (items, rv) = state.store.list(&t.rt.group_resource(), t.ns.as_deref());
    let mut start_after: Option<(String, String)> = None;
    let mut list_rv = rv;
    if let Some(token) = q.get("continue") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(token)
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .ok_or_else(|| ApiError::bad_request("continue key is not valid"))?;
        let token_rv = decoded["rv"].as_u64().unwrap_or(0);
        if state.store.is_compacted(token_rv) {
            return Err(ApiError::gone(
                "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
            ));
        }
        list_rv = token_rv;
        start_after = Some((
            decoded["ns"].as_str().unwrap_or_default().to_string(),
            decoded["name"].as_str().unwrap_or_default().to_string(),
        ));
    }
    let limit = q.num("limit").filter(|l| *l > 0).map(|l| l as usize);
    let mut out: Vec<Shared> = Vec::new();
    let mut remaining = 0usize;
    let mut next: Option<String> = None;
    for obj in items {
        if let Some(sa) = &start_after
            && key_of(&obj) <= *sa
        {
            continue;
        }
        if !selected(&obj, &ls, &fs) {
            continue;
        }
        if let Some(l) = limit
            && out.len() >= l
        {
            remaining += 1;
            continue;
        }
        out.push(obj);
    }
    if remaining > 0
        && let Some(last) = out.last()
    {
        let (ns, name) = key_of(last);
        let token = json!({"rv": list_rv, "ns": ns, "name": name});
        next = Some(base64::engine::general_purpose::STANDARD.encode(token.to_string()));
    }
    let rv_s = json!(list_rv.to_string());
    if wants_table(accept) {
        let out: Vec<Value> = out
            .iter()
            .map(|o| present(&t.rt, o.value().clone()))
            .collect();
        let mut tbl = table(
            &t.rt,
            &out,
            rv_s,
            q.get("includeObject").unwrap_or("Metadata"),
        );
        if let Some(c) = next {
            tbl["metadata"]["continue"] = json!(c);
        }
        return Ok(json_response(200, &tbl));
    }
    let mut meta = json!({"resourceVersion": rv_s});
    if let Some(c) = next {
        meta["continue"] = json!(c);
        meta["remainingItemCount"] = json!(remaining);
    }
    Ok(json_bytes_response(200, list_json(&t.rt, &out, &meta)))
}

/// A list answer's JSON text, with the objects' own JSON text where they are stored as
/// served (the usual case): no object is copied or serialized again for the answer.
fn list_json(rt: &ResourceType, items: &[Shared], meta: &Value) -> Vec<u8> {
    let api_version = rt.api_version();
    let mut out = Vec::with_capacity(64 + items.iter().map(|o| o.json().len() + 1).sum::<usize>());
    out.extend_from_slice(b"{\"apiVersion\":");
    out.extend_from_slice(&serde_json::to_vec(&api_version).unwrap_or_default());
    out.extend_from_slice(b",\"items\":[");
    for (i, obj) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        if obj["apiVersion"] == api_version.as_str() && obj["kind"] == rt.kind.as_str() {
            out.extend_from_slice(obj.json());
        } else {
            let served = present(rt, obj.value().clone());
            out.extend_from_slice(&serde_json::to_vec(&served).unwrap_or_default());
        }
    }
    out.extend_from_slice(b"],\"kind\":");
    out.extend_from_slice(&serde_json::to_vec(&format!("{}List", rt.kind)).unwrap_or_default());
    out.extend_from_slice(b",\"metadata\":");
    out.extend_from_slice(&serde_json::to_vec(meta).unwrap_or_default());
    out.push(b'}');
    out
}

/// Human age as kubectl prints it.
pub(crate) fn age(ts: &Value) -> String {
    let Some(t) = ts.as_str().and_then(|s| {
        OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
    }) else {
        return "<unknown>".into();
    };
    let secs = (OffsetDateTime::now_utc() - t).whole_seconds().max(0);
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 3600 * 2 => format!("{}m", s / 60),
        s if s < 86400 * 2 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86400),
    }
}

fn col(name: &str, ty: &str, priority: u8) -> Value {
    let format = if name == "Name" { "name" } else { "" };
    json!({"name": name, "type": ty, "format": format, "description": name, "priority": priority})
}

fn pod_status(pod: &Value) -> String {
    if pod["metadata"]["deletionTimestamp"].is_string() {
        return "Terminating".into();
    }
    for cs in pod["status"]["containerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if let Some(r) = cs["state"]["waiting"]["reason"].as_str() {
            return r.to_string();
        }
        if let Some(r) = cs["state"]["terminated"]["reason"].as_str() {
            return r.to_string();
        }
    }
    pod["status"]["phase"]
        .as_str()
        .unwrap_or("Pending")
        .to_string()
}

fn columns(rt: &ResourceType, o: &Value) -> (Vec<Value>, Vec<Value>) {
    let name = o["metadata"]["name"].clone();
    let age = json!(age(&o["metadata"]["creationTimestamp"]));
    let s = &o["status"];
    let spec = &o["spec"];
    let n = |v: &Value| v.as_i64().unwrap_or(0);
    match (rt.group.as_str(), rt.plural.as_str()) {
        ("", "pods") => {
            let cs = s["containerStatuses"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let total = spec["containers"].as_array().map(|a| a.len()).unwrap_or(0);
            let ready = cs.iter().filter(|c| c["ready"] == json!(true)).count();
            let restarts: i64 = cs.iter().map(|c| n(&c["restartCount"])).sum();
            (
                vec![
                    col("Name", "string", 0),
                    col("Ready", "string", 0),
                    col("Status", "string", 0),
                    col("Restarts", "string", 0),
                    col("Age", "string", 0),
                    col("IP", "string", 1),
                    col("Node", "string", 1),
                ],
                vec![
                    name,
                    json!(format!("{ready}/{total}")),
                    json!(pod_status(o)),
                    json!(restarts.to_string()),
                    age,
                    json!(s["podIP"].as_str().unwrap_or("<none>")),
                    json!(spec["nodeName"].as_str().unwrap_or("<none>")),
                ],
            )
        }
        ("apps", "deployments") => (
            vec![
                col("Name", "string", 0),
                col("Ready", "string", 0),
                col("Up-to-date", "integer", 0),
                col("Available", "integer", 0),
                col("Age", "string", 0),
            ],
            vec![
                name,
                json!(format!(
                    "{}/{}",
                    n(&s["readyReplicas"]),
                    n(&spec["replicas"])
                )),
                json!(n(&s["updatedReplicas"])),
                json!(n(&s["availableReplicas"])),
                age,
            ],
        ),
        ("apps", "statefulsets") => (
            vec![
                col("Name", "string", 0),
                col("Ready", "string", 0),
                col("Age", "string", 0),
            ],
            vec![
                name,
                json!(format!(
                    "{}/{}",
                    n(&s["readyReplicas"]),
                    n(&spec["replicas"])
                )),
                age,
            ],
        ),
        ("apps", "replicasets") => (
            vec![
                col("Name", "string", 0),
                col("Desired", "integer", 0),
                col("Current", "integer", 0),
                col("Ready", "integer", 0),
                col("Age", "string", 0),
            ],
            vec![
                name,
                json!(n(&spec["replicas"])),
                json!(n(&s["replicas"])),
                json!(n(&s["readyReplicas"])),
                age,
            ],
        ),
        ("", "services") => {
            let ports: Vec<String> = spec["ports"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| format!("{}/{}", p["port"], p["protocol"].as_str().unwrap_or("TCP")))
                .collect();
            (
                vec![
                    col("Name", "string", 0),
                    col("Type", "string", 0),
                    col("Cluster-IP", "string", 0),
                    col("External-IP", "string", 0),
                    col("Port(s)", "string", 0),
                    col("Age", "string", 0),
                ],
                vec![
                    name,
                    spec["type"].clone(),
                    spec["clusterIP"].clone(),
                    json!("<none>"),
                    json!(if ports.is_empty() {
                        "<none>".into()
                    } else {
                        ports.join(",")
                    }),
                    age,
                ],
            )
        }
        ("", "persistentvolumeclaims") => (
            vec![
                col("Name", "string", 0),
                col("Status", "string", 0),
                col("Volume", "string", 0),
                col("Capacity", "string", 0),
                col("Access Modes", "string", 0),
                col("StorageClass", "string", 0),
                col("Age", "string", 0),
            ],
            vec![
                name,
                s["phase"].clone(),
                json!(spec["volumeName"].as_str().unwrap_or("")),
                json!(s["capacity"]["storage"].as_str().unwrap_or("")),
                json!(if s["accessModes"].to_string().contains("ReadWriteOnce") {
                    "RWO"
                } else {
                    ""
                }),
                json!(spec["storageClassName"].as_str().unwrap_or("")),
                age,
            ],
        ),
        ("", "events") => (
            vec![
                col("Last Seen", "string", 0),
                col("Type", "string", 0),
                col("Reason", "string", 0),
                col("Object", "string", 0),
                col("Message", "string", 0),
                col("Name", "string", 1),
            ],
            vec![
                json!(self::age(&o["lastTimestamp"])),
                o["type"].clone(),
                o["reason"].clone(),
                json!(format!(
                    "{}/{}",
                    o["involvedObject"]["kind"]
                        .as_str()
                        .unwrap_or_default()
                        .to_lowercase(),
                    o["involvedObject"]["name"].as_str().unwrap_or_default()
                )),
                o["message"].clone(),
                name,
            ],
        ),
        ("", "namespaces") => (
            vec![
                col("Name", "string", 0),
                col("Status", "string", 0),
                col("Age", "string", 0),
            ],
            vec![name, s["phase"].clone(), age],
        ),
        ("", "nodes") => (
            vec![
                col("Name", "string", 0),
                col("Status", "string", 0),
                col("Roles", "string", 0),
                col("Age", "string", 0),
                col("Version", "string", 0),
            ],
            vec![
                name,
                json!(if s["conditions"]
                    .as_array()
                    .and_then(|cs| cs.iter().find(|c| c["type"] == "Ready"))
                    .is_some_and(|c| c["status"] == "True")
                {
                    "Ready"
                } else {
                    "NotReady"
                }),
                json!("control-plane"),
                age,
                s["nodeInfo"]["kubeletVersion"].clone(),
            ],
        ),
        ("batch", "jobs") => (
            vec![
                col("Name", "string", 0),
                col("Status", "string", 0),
                col("Completions", "string", 0),
                col("Age", "string", 0),
            ],
            vec![
                name,
                json!(if n(&s["succeeded"]) >= n(&spec["completions"]).max(1) {
                    "Complete"
                } else {
                    "Running"
                }),
                json!(format!(
                    "{}/{}",
                    n(&s["succeeded"]),
                    n(&spec["completions"]).max(1)
                )),
                age,
            ],
        ),
        _ => (
            vec![col("Name", "string", 0), col("Age", "string", 0)],
            vec![name, age],
        ),
    }
}

/// A `meta.k8s.io/v1` Table of objects.
pub(crate) fn table(rt: &ResourceType, objs: &[Value], rv: Value, include: &str) -> Value {
    let defs = columns(rt, &json!({"metadata": {}})).0;
    let rows: Vec<Value> = objs
        .iter()
        .map(|o| {
            let mut row = json!({"cells": columns(rt, o).1});
            match include {
                "None" => {}
                "Object" => row["object"] = o.clone(),
                _ => {
                    row["object"] = json!({
                        "kind": "PartialObjectMetadata",
                        "apiVersion": "meta.k8s.io/v1",
                        "metadata": o["metadata"],
                    })
                }
            }
            row
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": rv},
        "columnDefinitions": defs,
        "rows": rows,
    })
}
