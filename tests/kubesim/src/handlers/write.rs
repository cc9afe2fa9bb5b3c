//! create, update, patch (merge, JSON, strategic, server-side apply), delete (propagation
//! policies, finalizers) and deletecollection. The object-level functions are shared with
//! the controllers so that their writes follow the same rules.

use http::Response;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::read::{present, selected, selectors};
use super::{Query, Target};
use crate::apply;
use crate::defaults;
use crate::fields::Scope;
use crate::patch::{PatchType, apply_patch};
use crate::resources::{GroupResource, ResourceType};
use crate::server::{Body, State, json_response};
use crate::status::ApiError;
use crate::store::Write;
use crate::validation;

/// RFC 3339 timestamp of now, second precision.
pub(crate) fn now() -> String {
    let t = OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .expect("valid");
    t.format(&time::format_description::well_known::Rfc3339)
        .expect("formats")
}

fn parse_body(body: &[u8], content_type: &str) -> Result<Value, ApiError> {
    let ct = content_type.split(';').next().unwrap_or_default().trim();
    let v: Value = if ct.contains("yaml") {
        serde_yaml::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))?
    } else if ct.contains("protobuf") {
        return Err(ApiError::unsupported_media(ct));
    } else {
        serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request(format!(
                "the object provided is unrecognized (must be of type JSON): {e}"
            ))
        })?
    };
    if !v.is_object() {
        return Err(ApiError::bad_request("the body must be an object"));
    }
    Ok(v)
}

fn check_kind(rt: &ResourceType, obj: &mut Value) -> Result<(), ApiError> {
    match obj["kind"].as_str() {
        None | Some("") => obj["kind"] = json!(rt.kind),
        Some(k) if k == rt.kind => {}
        Some(k) => {
            return Err(ApiError::bad_request(format!(
                "the API version in the data ({}) does not match the expected API version ({})",
                obj["apiVersion"].as_str().unwrap_or(k),
                rt.api_version()
            )));
        }
    }
    obj["apiVersion"] = json!(rt.api_version());
    Ok(())
}

/// The namespace of a write must exist and not be terminating.
pub(crate) fn check_namespace(
    state: &State,
    rt: &ResourceType,
    ns: &str,
    name: &str,
) -> Result<(), ApiError> {
    if !rt.namespaced {
        return Ok(());
    }
    let nsrt = state
        .registry
        .find("", "v1", "namespaces")
        .expect("namespaces type");
    match state.store.get(&nsrt.group_resource(), "", ns) {
        None => Err(ApiError::not_found(&nsrt, ns)),
        Some(n) if n["metadata"]["deletionTimestamp"].is_string() => {
            Err(ApiError::forbidden(format!(
                "{} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated",
                rt.plural
            )))
        }
        Some(_) => Ok(()),
    }
}

fn random_suffix() -> String {
    const CHARS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let u = uuid::Uuid::new_v4();
    u.as_bytes()[..5]
        .iter()
        .map(|b| CHARS[*b as usize % CHARS.len()] as char)
        .collect()
}

/// Creates an object: defaulting, validation, metadata, `managedFields`. With `dry_run`
/// nothing is stored.
pub(crate) fn create_object(
    state: &State,
    rt: &ResourceType,
    ns: &str,
    mut obj: Value,
    manager: &str,
    dry_run: bool,
) -> Result<Value, ApiError> {
    check_kind(rt, &mut obj)?;
    if !obj["metadata"].is_object() {
        obj["metadata"] = json!({});
    }
    if rt.namespaced {
        match obj["metadata"]["namespace"].as_str() {
            Some(n) if !n.is_empty() && n != ns => {
                return Err(ApiError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ));
            }
            _ => obj["metadata"]["namespace"] = json!(ns),
        }
    } else if let Some(m) = obj["metadata"].as_object_mut() {
        m.remove("namespace");
    }
    if obj["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .is_empty()
        && let Some(g) = obj["metadata"]["generateName"].as_str()
    {
        obj["metadata"]["name"] = json!(format!("{g}{}", random_suffix()));
    }
    let name = obj["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if rt.has_subresource("status")
        && let Some(m) = obj.as_object_mut()
    {
        m.remove("status");
    }
    let mut next_ip = || state.alloc_ip();
    defaults::on_create(rt, &mut obj, &mut next_ip);
    if rt.group.is_empty()
        && rt.plural == "persistentvolumeclaims"
        && obj["spec"]["storageClassName"].is_null()
        && let Some(sc) = default_storage_class(state)
    {
        obj["spec"]["storageClassName"] = json!(sc);
    }
    validation::validate(rt, &obj, None)?;
    check_namespace(state, rt, ns, &name)?;
    let ts = now();
    {
        let m = obj["metadata"].as_object_mut().expect("metadata object");
        m.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
        m.insert("creationTimestamp".into(), json!(ts));
        m.insert("generation".into(), json!(1));
        m.remove("resourceVersion");
        m.remove("deletionTimestamp");
        m.remove("managedFields");
        m.remove("selfLink");
    }
    apply::record_update(None, &mut obj, manager, &rt.api_version(), &ts, Scope::Main);
    if dry_run {
        if state.store.get(&rt.group_resource(), ns, &name).is_some() {
            return Err(ApiError::already_exists(rt, &name));
        }
        return Ok(obj);
    }
    let stored = state
        .store
        .transact(&rt.group_resource(), ns, &name, |cur, _| match cur {
            Some(_) => Err(ApiError::already_exists(rt, &name)),
            None => Ok(Write::Put(obj)),
        })?
        .expect("created");
    after_write(state, rt, &name, Some(&stored));
    Ok(stored)
}

fn default_storage_class(state: &State) -> Option<String> {
    let (scs, _) = state.store.list(
        &GroupResource::new("storage.k8s.io", "storageclasses"),
        None,
    );
    scs.iter()
        .find(|sc| {
            sc["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"
        })
        .and_then(|sc| sc["metadata"]["name"].as_str().map(str::to_string))
}

/// Side effects of a write on the server itself (CRDs add resource types) and a
/// wake-up for the controllers.
pub(crate) fn after_write(state: &State, rt: &ResourceType, name: &str, obj: Option<&Value>) {
    if rt.group == "apiextensions.k8s.io" && rt.plural == "customresourcedefinitions" {
        state.registry.sync_crd(name, obj);
    }
    state.wake.notify_one();
}

/// What an update of the stored object `old` into `new` keeps and bumps: identity and
/// timestamps, status (or spec for status writes), generation on spec changes.
pub(crate) fn merge_update(rt: &ResourceType, old: &Value, mut new: Value, scope: Scope) -> Value {
    if scope == Scope::Status {
        let mut out = old.clone();
        out["status"] = new["status"].take();
        if rt.group.is_empty() && rt.plural == "namespaces" {
            // finalize: spec.finalizers is written through the status path too.
            out["spec"] = new["spec"].take();
        }
        return out;
    }
    for k in [
        "uid",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
    ] {
        if old["metadata"][k].is_null() {
            if let Some(m) = new["metadata"].as_object_mut() {
                m.remove(k);
            }
        } else {
            new["metadata"][k] = old["metadata"][k].clone();
        }
    }
    new["metadata"]["name"] = old["metadata"]["name"].clone();
    if !old["metadata"]["namespace"].is_null() {
        new["metadata"]["namespace"] = old["metadata"]["namespace"].clone();
    }
    if rt.has_subresource("status") {
        if old["status"].is_null() {
            if let Some(m) = new.as_object_mut() {
                m.remove("status");
            }
        } else {
            new["status"] = old["status"].clone();
        }
    }
    let body = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v.as_object_mut() {
            m.remove("metadata");
            m.remove("status");
            m.remove("apiVersion");
            m.remove("kind");
        }
        v
    };
    let gen_ = old["metadata"]["generation"].as_i64().unwrap_or(1);
    let changed = body(old) != body(&new);
    new["metadata"]["generation"] = json!(if changed { gen_ + 1 } else { gen_ });
    new
}

fn scope_of(t: &Target) -> Scope {
    match t.sub.as_deref() {
        Some("status") | Some("finalize") => Scope::Status,
        _ => Scope::Main,
    }
}

/// Whether a claim's storage class allows expansion (`allowVolumeExpansion: true`); a claim
/// without a class is judged by the default class.
fn claim_expandable(state: &State, claims: &GroupResource, ns: &str, name: &str) -> bool {
    let Some(claim) = state.store.get(claims, ns, name) else {
        return false;
    };
    let classes = GroupResource {
        group: "storage.k8s.io".into(),
        resource: "storageclasses".into(),
    };
    let all = state.store.list(&classes, None).0;
    let class = match claim["spec"]["storageClassName"].as_str() {
        Some(c) => all.iter().find(|sc| sc["metadata"]["name"] == c),
        None => all.iter().find(|sc| {
            sc["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"
        }),
    };
    class.is_some_and(|sc| sc["allowVolumeExpansion"] == serde_json::Value::Bool(true))
}

/// Stores an updated object computed by `f` from the current one, with all the update
/// rules. `f` returns the new object body.
#[allow(clippy::too_many_arguments)]
pub(crate) fn update_object<F>(
    state: &State,
    rt: &ResourceType,
    ns: &str,
    name: &str,
    scope: Scope,
    manager: Option<&str>,
    dry_run: bool,
    f: F,
) -> Result<Value, ApiError>
where
    F: FnOnce(&Value) -> Result<Value, ApiError>,
{
    let gr = rt.group_resource();
    let mut result = None;
    let mut removed = false;
    // read before the transaction: the PersistentVolumeClaimResize admission's question
    let expandable = rt.group.is_empty()
        && rt.plural == "persistentvolumeclaims"
        && claim_expandable(state, &gr, ns, name);
    let stored = state.store.transact(&gr, ns, name, |cur, _| {
        let Some(old) = cur else {
            return Err(ApiError::not_found(rt, name));
        };
        let mut new = f(old)?;
        check_kind(rt, &mut new)?;
        if let Some(rv) = new["metadata"]["resourceVersion"].as_str()
            && !rv.is_empty()
            && rv
                != old["metadata"]["resourceVersion"]
                    .as_str()
                    .unwrap_or_default()
        {
            return Err(ApiError::conflict(rt, name));
        }
        if let Some(n) = new["metadata"]["name"].as_str()
            && n != name
        {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({n}) does not match the name on the URL ({name})"
            )));
        }
        let mut new = merge_update(rt, old, new, scope);
        defaults::on_update(rt, &mut new);
        if rt.group.is_empty() && rt.plural == "services" && new["spec"]["clusterIP"].is_null() {
            new["spec"]["clusterIP"] = old["spec"]["clusterIP"].clone();
            new["spec"]["clusterIPs"] = old["spec"]["clusterIPs"].clone();
        }
        validation::validate(rt, &new, Some(old))?;
        if rt.group.is_empty()
            && rt.plural == "persistentvolumeclaims"
            && !expandable
            && new["spec"]["resources"]["requests"]["storage"]
                != old["spec"]["resources"]["requests"]["storage"]
        {
            return Err(ApiError::forbidden(format!(
                "persistentvolumeclaims \"{name}\" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize"
            )));
        }
        let ts = now();
        if let Some(manager) = manager {
            apply::record_update(Some(old), &mut new, manager, &rt.api_version(), &ts, scope);
        }
        if strip_meta(old) == strip_meta(&new) {
            result = Some(old.clone());
            return Ok(Write::Nothing);
        }
        if dry_run {
            new["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"].clone();
            result = Some(new);
            return Ok(Write::Nothing);
        }
        if new["metadata"]["deletionTimestamp"].is_string() && finalizers_empty(&new) {
            removed = true;
            return Ok(Write::Delete);
        }
        Ok(Write::Put(new))
    })?;
    if let Some(r) = result {
        return Ok(r);
    }
    let stored = stored.ok_or_else(|| ApiError::not_found(rt, name))?;
    after_write(state, rt, name, if removed { None } else { Some(&stored) });
    Ok(stored)
}

fn strip_meta(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(m) = v["metadata"].as_object_mut() {
        m.remove("managedFields");
        m.remove("resourceVersion");
    }
    v
}

fn finalizers_empty(v: &Value) -> bool {
    v["metadata"]["finalizers"]
        .as_array()
        .is_none_or(|a| a.is_empty())
}

pub(super) fn create(
    state: &State,
    t: &Target,
    body: &[u8],
    q: &Query,
    ct: &str,
    manager: &str,
) -> Result<Response<Body>, ApiError> {
    let obj = parse_body(body, ct)?;
    let created = create_object(state, &t.rt, t.ns(), obj, manager, q.dry_run())?;
    Ok(json_response(201, &present(&t.rt, created)))
}

pub(super) fn update(
    state: &State,
    t: &Target,
    body: &[u8],
    q: &Query,
    ct: &str,
    manager: &str,
) -> Result<Response<Body>, ApiError> {
    let mut obj = parse_body(body, ct)?;
    let name = t.name.as_deref().unwrap_or_default();
    if t.rt.namespaced {
        match obj["metadata"]["namespace"].as_str() {
            Some(n) if !n.is_empty() && n != t.ns() => {
                return Err(ApiError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ));
            }
            _ => obj["metadata"]["namespace"] = json!(t.ns()),
        }
    }
    let scope = scope_of(t);
    let updated = update_object(
        state,
        &t.rt,
        t.ns(),
        name,
        scope,
        Some(manager),
        q.dry_run(),
        |_| Ok(obj),
    )?;
    Ok(json_response(200, &present(&t.rt, updated)))
}

pub(super) fn patch(
    state: &State,
    t: &Target,
    body: &[u8],
    q: &Query,
    ct: &str,
    manager: &str,
) -> Result<Response<Body>, ApiError> {
    let pt = PatchType::from_content_type(ct).ok_or_else(|| ApiError::unsupported_media(ct))?;
    let name = t.name.as_deref().unwrap_or_default();
    let scope = scope_of(t);
    if pt == PatchType::Apply {
        return server_side_apply(state, t, body, q, scope);
    }
    if pt == PatchType::Strategic && t.rt.group.contains('.') && !t.rt.group.ends_with("k8s.io") {
        return Err(ApiError::unsupported_media(ct));
    }
    let updated = update_object(
        state,
        &t.rt,
        t.ns(),
        name,
        scope,
        Some(manager),
        q.dry_run(),
        |old| {
            let mut base = old.clone();
            if let Some(m) = base["metadata"].as_object_mut() {
                m.remove("resourceVersion");
            }
            let mut new = apply_patch(pt, &base, body)?;
            if new["metadata"]["resourceVersion"].is_null()
                && let Some(m) = new["metadata"].as_object_mut()
            {
                m.remove("resourceVersion");
            }
            Ok(new)
        },
    )?;
    Ok(json_response(200, &present(&t.rt, updated)))
}

fn server_side_apply(
    state: &State,
    t: &Target,
    body: &[u8],
    q: &Query,
    scope: Scope,
) -> Result<Response<Body>, ApiError> {
    let name = t.name.as_deref().unwrap_or_default();
    let manager = q.get("fieldManager").ok_or_else(|| {
        ApiError::bad_request("PATCH, application/apply-patch+yaml requires fieldManager to be set")
    })?;
    let mut applied: Value = serde_yaml::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))?;
    if !applied.is_object() {
        return Err(ApiError::bad_request(
            "the applied configuration must be an object",
        ));
    }
    if applied["metadata"]["name"]
        .as_str()
        .is_some_and(|n| n != name)
    {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({}) does not match the name on the URL ({name})",
            applied["metadata"]["name"].as_str().unwrap_or_default()
        )));
    }
    applied["metadata"]["name"] = json!(name);
    if t.rt.namespaced {
        applied["metadata"]["namespace"] = json!(t.ns());
    }
    check_kind(&t.rt, &mut applied)?;
    let force = q.flag("force");
    let ts = now();
    let av = t.rt.api_version();
    let gr = t.rt.group_resource();
    let existing = state.store.get(&gr, t.ns(), name);
    if existing.is_none() {
        if scope == Scope::Status {
            return Err(ApiError::not_found(&t.rt, name));
        }
        let merged = apply::apply(None, &applied, manager, &av, &ts, force, scope)
            .map_err(|c| ApiError::apply_conflict(&t.rt, name, &c))?;
        let mf = merged["metadata"]["managedFields"].clone();
        let created = create_object_keep_fields(state, &t.rt, t.ns(), merged, mf, q.dry_run());
        match created {
            Err(e) if e.reason == "AlreadyExists" => {}
            other => return other.map(|c| json_response(201, &present(&t.rt, c))),
        }
    }
    let updated = update_object(
        state,
        &t.rt,
        t.ns(),
        name,
        scope,
        None,
        q.dry_run(),
        |old| {
            let mut merged = apply::apply(Some(old), &applied, manager, &av, &ts, force, scope)
                .map_err(|c| ApiError::apply_conflict(&t.rt, name, &c))?;
            if let Some(m) = merged["metadata"].as_object_mut() {
                m.remove("resourceVersion");
            }
            Ok(merged)
        },
    );
    Ok(json_response(200, &present(&t.rt, updated?)))
}

fn create_object_keep_fields(
    state: &State,
    rt: &ResourceType,
    ns: &str,
    obj: Value,
    managed: Value,
    dry_run: bool,
) -> Result<Value, ApiError> {
    let name = obj["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut created = create_object(state, rt, ns, obj, "__apply__", true)?;
    created["metadata"]["managedFields"] = managed;
    if dry_run {
        return Ok(created);
    }
    let stored = state
        .store
        .transact(&rt.group_resource(), ns, &name, |cur, _| match cur {
            Some(_) => Err(ApiError::already_exists(rt, &name)),
            None => Ok(Write::Put(created)),
        })?
        .expect("created");
    after_write(state, rt, &name, Some(&stored));
    Ok(stored)
}

/// Deletion options from the body (`DeleteOptions`) and query.
#[derive(Debug, Clone)]
pub(crate) struct DeleteOptions {
    /// `Foreground`, `Background` or `Orphan`.
    pub(crate) propagation: String,
    /// `dryRun=All`.
    pub(crate) dry_run: bool,
    /// Precondition on uid.
    pub(crate) uid: Option<String>,
    /// Precondition on resourceVersion.
    pub(crate) rv: Option<String>,
}

fn delete_options(body: &[u8], q: &Query) -> Result<DeleteOptions, ApiError> {
    let b: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        serde_json::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("invalid DeleteOptions: {e}")))?
    };
    let mut propagation = q
        .get("propagationPolicy")
        .or(b["propagationPolicy"].as_str())
        .unwrap_or("Background")
        .to_string();
    if b["orphanDependents"] == json!(true) || q.get("orphanDependents") == Some("true") {
        propagation = "Orphan".into();
    }
    let dry = q.dry_run()
        || b["dryRun"]
            .as_array()
            .is_some_and(|a| a.iter().any(|d| d == "All"));
    Ok(DeleteOptions {
        propagation,
        dry_run: dry,
        uid: b["preconditions"]["uid"].as_str().map(str::to_string),
        rv: b["preconditions"]["resourceVersion"]
            .as_str()
            .map(str::to_string),
    })
}

/// Deletes one object following the propagation policy: `Foreground` and `Orphan` (and
/// any finalizer) keep it with a deletionTimestamp until the garbage collector is done.
pub(crate) fn delete_object(
    state: &State,
    rt: &ResourceType,
    ns: &str,
    name: &str,
    opts: &DeleteOptions,
) -> Result<(Value, bool), ApiError> {
    let gr = rt.group_resource();
    let mut gone = false;
    let mut dry_result = None;
    let out = state.store.transact(&gr, ns, name, |cur, _| {
        let Some(old) = cur else {
            return Err(ApiError::not_found(rt, name));
        };
        if let Some(uid) = &opts.uid
            && old["metadata"]["uid"].as_str() != Some(uid)
        {
            return Err(ApiError::conflict(rt, name));
        }
        if let Some(rv) = &opts.rv
            && old["metadata"]["resourceVersion"].as_str() != Some(rv)
        {
            return Err(ApiError::conflict(rt, name));
        }
        let mut new = old.clone();
        let is_ns = rt.group.is_empty() && rt.plural == "namespaces";
        let mut finalizers: Vec<Value> = new["metadata"]["finalizers"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let extra = match opts.propagation.as_str() {
            "Foreground" => Some("foregroundDeletion"),
            "Orphan" => Some("orphan"),
            _ => None,
        };
        if let Some(f) = extra
            && !finalizers.iter().any(|x| x == f)
            && !is_ns
        {
            finalizers.push(json!(f));
        }
        if finalizers.is_empty() && !is_ns {
            gone = true;
            if opts.dry_run {
                dry_result = Some(old.clone());
                return Ok(Write::Nothing);
            }
            return Ok(Write::Delete);
        }
        if new["metadata"]["deletionTimestamp"].is_null() {
            new["metadata"]["deletionTimestamp"] = json!(now());
            new["metadata"]["deletionGracePeriodSeconds"] = json!(0);
        }
        if !finalizers.is_empty() {
            new["metadata"]["finalizers"] = Value::Array(finalizers);
        }
        if is_ns {
            new["status"]["phase"] = json!("Terminating");
        }
        if opts.dry_run {
            dry_result = Some(new);
            return Ok(Write::Nothing);
        }
        Ok(Write::Put(new))
    })?;
    if let Some(d) = dry_result {
        return Ok((d, gone));
    }
    let out = out.ok_or_else(|| ApiError::not_found(rt, name))?;
    after_write(state, rt, name, if gone { None } else { Some(&out) });
    Ok((out, gone))
}

pub(super) fn delete(
    state: &State,
    t: &Target,
    body: &[u8],
    q: &Query,
) -> Result<Response<Body>, ApiError> {
    let opts = delete_options(body, q)?;
    let name = t.name.as_deref().unwrap_or_default();
    let (obj, gone) = delete_object(state, &t.rt, t.ns(), name, &opts)?;
    let code = if gone { 200 } else { 202 };
    Ok(json_response(code, &present(&t.rt, obj)))
}

pub(super) fn delete_collection(
    state: &State,
    t: &Target,
    body: &[u8],
    q: &Query,
) -> Result<Response<Body>, ApiError> {
    let opts = delete_options(body, q)?;
    let (ls, fs) = selectors(q)?;
    let (items, rv) = state.store.list(&t.rt.group_resource(), t.ns.as_deref());
    let mut deleted = Vec::new();
    for obj in items.into_iter().filter(|o| selected(o, &ls, &fs)) {
        let (ns, name) = crate::store::key_of(&obj);
        match delete_object(state, &t.rt, &ns, &name, &opts) {
            Ok((o, _)) => deleted.push(present(&t.rt, o)),
            Err(e) if e.code == 404 => {}
            Err(e) => return Err(e),
        }
    }
    Ok(json_response(
        200,
        &json!({
            "kind": format!("{}List", t.rt.kind),
            "apiVersion": t.rt.api_version(),
            "metadata": {"resourceVersion": rv.to_string()},
            "items": deleted,
        }),
    ))
}

/// SelfSubjectAccessReview / SelfSubjectRulesReview / SelfSubjectReview: everything is
/// allowed for the one user.
pub(super) fn review(t: &Target, body: &[u8]) -> Result<Response<Body>, ApiError> {
    let mut obj: Value = serde_json::from_slice(body).unwrap_or_else(|_| json!({}));
    obj["apiVersion"] = json!(t.rt.api_version());
    obj["kind"] = json!(t.rt.kind);
    match t.rt.kind.as_str() {
        "SelfSubjectReview" => {
            obj["status"] = json!({"userInfo": {"username": "kubesim-admin", "groups": ["system:masters", "system:authenticated"]}})
        }
        "SelfSubjectRulesReview" => {
            obj["status"] = json!({"resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}], "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}], "incomplete": false})
        }
        _ => obj["status"] = json!({"allowed": true, "reason": "kubesim allows everything"}),
    }
    Ok(json_response(201, &obj))
}
