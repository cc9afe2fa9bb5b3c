//! Reads and writes the controllers share: typed shortcuts over the store and the write
//! paths, owner references, readiness and Events.

use serde_json::{Value, json};

use crate::fields::Scope;
use crate::handlers::write::{self, DeleteOptions};
use crate::resources::{GroupResource, ResourceType};
use crate::server::State;

/// Field manager of controller writes.
pub(crate) const MANAGER: &str = "kube-controller-manager";

/// The resource type of a built-in resource.
pub(crate) fn rt(state: &State, group: &str, plural: &str) -> std::sync::Arc<ResourceType> {
    state
        .registry
        .all()
        .into_iter()
        .find(|t| t.group == group && t.plural == plural)
        .expect("built-in resource type")
}

/// Lists objects (shared with the store, not copied: a pass reads many of them often).
pub(crate) fn list(
    state: &State,
    group: &str,
    plural: &str,
    ns: Option<&str>,
) -> Vec<crate::store::Shared> {
    state.store.list(&GroupResource::new(group, plural), ns).0
}

/// Creates an object as the controller manager.
pub(crate) fn create(
    state: &State,
    group: &str,
    plural: &str,
    ns: &str,
    obj: Value,
) -> Option<Value> {
    match write::create_object(state, &rt(state, group, plural), ns, obj, MANAGER, false) {
        Ok(v) => Some(v),
        Err(e) => {
            if e.code != 409 {
                tracing::debug!(error = %e, "controller create {plural}");
            }
            None
        }
    }
}

/// Writes `status` of an object when it differs.
pub(crate) fn set_status(state: &State, obj: &Value, group: &str, plural: &str, status: Value) {
    if obj["status"] == status {
        return;
    }
    let (ns, name) = crate::store::key_of(obj);
    let r = write::update_object(
        state,
        &rt(state, group, plural),
        &ns,
        &name,
        Scope::Status,
        Some(MANAGER),
        false,
        |old| {
            let mut new = old.clone();
            new["status"] = status;
            if let Some(m) = new["metadata"].as_object_mut() {
                m.remove("resourceVersion");
            }
            Ok(new)
        },
    );
    if let Err(e) = r {
        tracing::debug!(error = %e, "controller status {plural}/{name}");
    }
}

/// Updates an object with `f` (main resource).
pub(crate) fn update<F>(state: &State, group: &str, plural: &str, ns: &str, name: &str, f: F)
where
    F: FnOnce(&mut Value),
{
    let r = write::update_object(
        state,
        &rt(state, group, plural),
        ns,
        name,
        Scope::Main,
        Some(MANAGER),
        false,
        |old| {
            let mut new = old.clone();
            f(&mut new);
            if let Some(m) = new["metadata"].as_object_mut() {
                m.remove("resourceVersion");
            }
            Ok(new)
        },
    );
    if let Err(e) = r {
        tracing::debug!(error = %e, "controller update {plural}/{name}");
    }
}

/// Deletes an object with a propagation policy.
pub(crate) fn delete(
    state: &State,
    group: &str,
    plural: &str,
    ns: &str,
    name: &str,
    propagation: &str,
) {
    let opts = DeleteOptions {
        propagation: propagation.into(),
        dry_run: false,
        uid: None,
        rv: None,
    };
    if let Err(e) = write::delete_object(state, &rt(state, group, plural), ns, name, &opts)
        && e.code != 404
    {
        tracing::debug!(error = %e, "controller delete {plural}/{name}");
    }
}

/// A controller owner reference to `owner`.
pub(crate) fn owner_ref(owner: &Value) -> Value {
    json!({
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": true,
        "blockOwnerDeletion": true,
    })
}

/// Whether `obj` is controlled by the object with `uid`.
pub(crate) fn controlled_by(obj: &Value, uid: &Value) -> bool {
    obj["metadata"]["ownerReferences"]
        .as_array()
        .is_some_and(|refs| {
            refs.iter()
                .any(|r| r["uid"] == *uid && r["controller"] == json!(true))
        })
}

/// Whether the object is being deleted.
pub(crate) fn terminating(obj: &Value) -> bool {
    obj["metadata"]["deletionTimestamp"].is_string()
}

/// Whether a pod is Ready.
pub(crate) fn pod_ready(pod: &Value) -> bool {
    pod["status"]["conditions"].as_array().is_some_and(|cs| {
        cs.iter()
            .any(|c| c["type"] == "Ready" && c["status"] == "True")
    }) && !terminating(pod)
}

/// A short stable hash of a value (pod-template-hash, revisions).
pub(crate) fn hash(v: &Value) -> String {
    let h = crate::discovery::fnv(&v.to_string());
    const CHARS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut n = h;
    let mut s = String::new();
    for _ in 0..10 {
        s.push(CHARS[(n % CHARS.len() as u64) as usize] as char);
        n /= CHARS.len() as u64;
    }
    s
}

/// Random 5-character suffix, as generateName uses.
pub(crate) fn suffix() -> String {
    hash(&json!(uuid::Uuid::new_v4().to_string()))[..5].to_string()
}

/// Emits a core/v1 Event about `obj`.
pub(crate) fn event(
    state: &State,
    obj: &Value,
    kind: &str,
    reason: &str,
    message: &str,
    component: &str,
) {
    let ns = obj["metadata"]["namespace"]
        .as_str()
        .unwrap_or("default")
        .to_string();
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    let now = write::now();
    let ev = json!({
        "metadata": {"name": format!("{name}.{:x}", uuid::Uuid::new_v4().as_u128() >> 64)},
        "involvedObject": {
            "kind": obj["kind"], "apiVersion": obj["apiVersion"], "namespace": obj["metadata"]["namespace"],
            "name": name, "uid": obj["metadata"]["uid"], "resourceVersion": obj["metadata"]["resourceVersion"],
        },
        "reason": reason,
        "message": message,
        "type": kind,
        "source": {"component": component},
        "firstTimestamp": now,
        "lastTimestamp": now,
        "count": 1,
        "reportingComponent": component,
        "reportingInstance": component,
    });
    create(state, "", "events", &ns, ev);
}

/// The integer or percentage (`25%`) of `total`, rounded up or down.
pub(crate) fn int_or_percent(v: &Value, total: i64, round_up: bool) -> i64 {
    match v {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) if s.ends_with('%') => {
            let p: f64 = s.trim_end_matches('%').parse().unwrap_or(0.0);
            let x = p * total as f64 / 100.0;
            if round_up {
                x.ceil() as i64
            } else {
                x.floor() as i64
            }
        }
        Value::String(s) => s.parse().unwrap_or(0),
        _ => 0,
    }
}
