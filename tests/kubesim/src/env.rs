//! A container's environment as the kubelet builds it: `envFrom` sources first (each key of a
//! ConfigMap or Secret, with the source's `prefix`), then `env` in order, later names replacing
//! earlier ones. An `env` entry is a literal `value`, in which `$(NAME)` takes the value of a
//! variable defined before it (`$$(NAME)` is a literal `$(NAME)`, an unknown name stays as
//! written), or a `valueFrom`: `secretKeyRef`, `configMapKeyRef`, or `fieldRef` (the pod's
//! name, namespace, uid, node, service account, IPs, one label or annotation).
//!
//! A source that does not exist, or lacks the key, leaves the variable out. A real kubelet
//! refuses to start such a container (`CreateContainerConfigError`) unless the reference is
//! `optional`; kubesim's pods do not wait for their references, so leaving the variable out is
//! what a command run in them can see. Values are read when a command runs, not when the
//! container started: a test that changes a Secret restarts the pods, as it must on a real
//! cluster, for the pods to see the change.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::Value;

use crate::resources::GroupResource;
use crate::server::State;

/// The variables container `c` of `pod` gets from its spec, in the order the kubelet sets them.
pub(crate) fn resolve(state: &State, pod: &Value, c: &Value) -> Vec<(String, String)> {
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    let mut env: Vec<(String, String)> = Vec::new();
    for source in c["envFrom"].as_array().into_iter().flatten() {
        let prefix = source["prefix"].as_str().unwrap_or_default();
        let entries = if let Some(name) = source["secretRef"]["name"].as_str() {
            object_data(state, "secrets", ns, name)
        } else if let Some(name) = source["configMapRef"]["name"].as_str() {
            object_data(state, "configmaps", ns, name)
        } else {
            Vec::new()
        };
        for (key, value) in entries {
            set(&mut env, format!("{prefix}{key}"), value);
        }
    }
    for e in c["env"].as_array().into_iter().flatten() {
        let Some(name) = e["name"].as_str() else {
            continue;
        };
        let value = match (&e["value"], &e["valueFrom"]) {
            (Value::String(v), _) => Some(expand(v, &env)),
            (_, Value::Object(from)) => value_from(state, pod, ns, from),
            // a variable with neither is set, empty
            _ => Some(String::new()),
        };
        if let Some(value) = value {
            set(&mut env, name.to_owned(), value);
        }
    }
    env
}

/// Sets `name`, replacing an earlier definition in place.
fn set(env: &mut Vec<(String, String)>, name: String, value: String) {
    match env.iter_mut().find(|(n, _)| *n == name) {
        Some(slot) => slot.1 = value,
        None => env.push((name, value)),
    }
}

/// `$(NAME)` replaced by the value of an earlier variable; `$$` is one `$`.
fn expand(value: &str, env: &[(String, String)]) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(inner) = after.strip_prefix('(')
            && let Some(end) = inner.find(')')
            && let Some((_, v)) = env.iter().find(|(n, _)| n == &inner[..end])
        {
            out.push_str(v);
            rest = &inner[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// The value a `valueFrom` names; `None` when its source or key does not exist.
fn value_from(
    state: &State,
    pod: &Value,
    ns: &str,
    from: &serde_json::Map<String, Value>,
) -> Option<String> {
    let keyed = |plural: &str, selector: &Value| {
        let (name, key) = (selector["name"].as_str()?, selector["key"].as_str()?);
        object_data(state, plural, ns, name)
            .into_iter()
            .find_map(|(k, v)| (k == key).then_some(v))
    };
    if let Some(selector) = from.get("secretKeyRef") {
        return keyed("secrets", selector);
    }
    if let Some(selector) = from.get("configMapKeyRef") {
        return keyed("configmaps", selector);
    }
    let path = from.get("fieldRef")?["fieldPath"].as_str()?;
    field(pod, path)
}

/// A pod field as `fieldRef` reads it.
fn field(pod: &Value, path: &str) -> Option<String> {
    let meta = &pod["metadata"];
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let keyed = |map: &Value, prefix: &str| {
        let key = path.strip_prefix(prefix)?.strip_suffix("']")?;
        text(&map[key])
    };
    match path {
        "metadata.name" => text(&meta["name"]),
        "metadata.namespace" => text(&meta["namespace"]),
        "metadata.uid" => text(&meta["uid"]),
        "spec.nodeName" => text(&pod["spec"]["nodeName"]),
        "spec.serviceAccountName" => text(&pod["spec"]["serviceAccountName"]),
        "status.podIP" => text(&pod["status"]["podIP"]),
        "status.hostIP" => text(&pod["status"]["hostIP"]),
        "status.podIPs" => pod["status"]["podIPs"].as_array().map(|ips| {
            ips.iter()
                .filter_map(|ip| ip["ip"].as_str())
                .collect::<Vec<_>>()
                .join(",")
        }),
        _ => keyed(&meta["labels"], "metadata.labels['")
            .or_else(|| keyed(&meta["annotations"], "metadata.annotations['")),
    }
}

/// Every entry of a Secret (`data` decoded, then `stringData`) or a ConfigMap (`data`); none
/// when the object does not exist.
fn object_data(state: &State, plural: &str, ns: &str, name: &str) -> Vec<(String, String)> {
    let Some(obj) = state.store.get(&GroupResource::new("", plural), ns, name) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in obj["data"].as_object().into_iter().flatten() {
        let Some(v) = v.as_str() else { continue };
        let value = if plural == "secrets" {
            match BASE64.decode(v) {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Err(_) => continue,
            }
        } else {
            v.to_owned()
        };
        out.push((k.clone(), value));
    }
    for (k, v) in obj["stringData"].as_object().into_iter().flatten() {
        if let Some(v) = v.as_str() {
            out.push((k.clone(), v.to_owned()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{expand, field};
    use serde_json::json;

    #[test]
    fn dependent_variables_expand_as_the_kubelet_does() {
        let env = vec![("HOST".to_string(), "db-0".to_string())];
        assert_eq!(expand("$(HOST):5432", &env), "db-0:5432");
        assert_eq!(expand("$$(HOST)", &env), "$(HOST)");
        assert_eq!(expand("$(NOPE)/$HOST/$", &env), "$(NOPE)/$HOST/$");
    }

    #[test]
    fn field_refs_read_the_pod() {
        let pod = json!({"metadata": {"name": "db-0", "namespace": "apps",
            "labels": {"app": "db"}, "annotations": {"a/b": "c"}},
            "status": {"podIP": "10.0.0.7"}});
        assert_eq!(field(&pod, "metadata.name").as_deref(), Some("db-0"));
        assert_eq!(field(&pod, "metadata.namespace").as_deref(), Some("apps"));
        assert_eq!(field(&pod, "status.podIP").as_deref(), Some("10.0.0.7"));
        assert_eq!(field(&pod, "metadata.labels['app']").as_deref(), Some("db"));
        assert_eq!(
            field(&pod, "metadata.annotations['a/b']").as_deref(),
            Some("c")
        );
        assert_eq!(field(&pod, "metadata.labels['none']"), None);
    }
}
