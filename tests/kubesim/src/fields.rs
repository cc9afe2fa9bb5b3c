//! Field sets in the `FieldsV1` format of `managedFields` (`f:name`, `k:{"name":"x"}`, `.`),
//! and the list merge keys of the built-in kinds that both strategic merge patch and
//! server-side apply use.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// A path into an object: segments `f:field`, `k:{json}` (list item by key) or `.` (the
/// item itself).
pub(crate) type Path = Vec<String>;

/// The merge key of a list field, for the built-in kinds (`containers` by `name`, container
/// `ports` by `containerPort`, Service `ports` by `port`...). `None` means the list is atomic.
pub(crate) fn list_key(field: &str, items: &[Value]) -> Option<&'static str> {
    let first = items.iter().find(|i| i.is_object())?;
    let key = match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "resourceClaims" => "name",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "ports" => {
            if first.get("containerPort").is_some() {
                "containerPort"
            } else {
                "port"
            }
        }
        "conditions" => "type",
        "ownerReferences" => "uid",
        "hostAliases" => "ip",
        _ => return None,
    };
    if items.iter().all(|i| i.get(key).is_some()) {
        Some(key)
    } else {
        None
    }
}

fn item_segment(key: &str, item: &Value) -> String {
    let mut m = Map::new();
    m.insert(key.to_string(), item[key].clone());
    format!("k:{}", Value::Object(m))
}

/// Top-level and metadata fields that no manager owns.
fn ignored(path: &[String]) -> bool {
    match path {
        [a] => matches!(a.as_str(), "f:apiVersion" | "f:kind"),
        [m, f] if m == "f:metadata" => matches!(
            f.as_str(),
            "f:name"
                | "f:namespace"
                | "f:uid"
                | "f:resourceVersion"
                | "f:generation"
                | "f:creationTimestamp"
                | "f:deletionTimestamp"
                | "f:deletionGracePeriodSeconds"
                | "f:managedFields"
                | "f:selfLink"
        ),
        _ => false,
    }
}

/// Which part of the object a write owns: the main resource (everything but `status`) or
/// the status subresource (only `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Main resource.
    Main,
    /// `status` subresource.
    Status,
}

/// The leaf paths of an object.
pub(crate) fn leaves(obj: &Value, scope: Scope) -> BTreeSet<Path> {
    let mut out = BTreeSet::new();
    if let Some(m) = obj.as_object() {
        for (k, v) in m {
            let in_scope = match scope {
                Scope::Main => k != "status",
                Scope::Status => k == "status",
            };
            if in_scope {
                walk(k, v, vec![format!("f:{k}")], &mut out);
            }
        }
    }
    out
}

fn walk(field: &str, v: &Value, path: Path, out: &mut BTreeSet<Path>) {
    if ignored(&path) {
        return;
    }
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, child) in m {
                let mut p = path.clone();
                p.push(format!("f:{k}"));
                walk(k, child, p, out);
            }
        }
        Value::Array(items) if !items.is_empty() => match list_key(field, items) {
            Some(key) => {
                for item in items {
                    let mut p = path.clone();
                    p.push(item_segment(key, item));
                    let mut dot = p.clone();
                    dot.push(".".into());
                    out.insert(dot);
                    if let Some(m) = item.as_object() {
                        for (k, child) in m {
                            let mut c = p.clone();
                            c.push(format!("f:{k}"));
                            walk(k, child, c, out);
                        }
                    }
                }
            }
            None => {
                out.insert(path);
            }
        },
        _ => {
            out.insert(path);
        }
    }
}

/// The value at a path, if present.
pub(crate) fn resolve<'a>(obj: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut cur = obj;
    for seg in path {
        if seg == "." {
            continue;
        }
        if let Some(f) = seg.strip_prefix("f:") {
            cur = cur.as_object()?.get(f)?;
        } else if let Some(k) = seg.strip_prefix("k:") {
            let want: Map<String, Value> = serde_json::from_str(k).ok()?;
            cur = cur
                .as_array()?
                .iter()
                .find(|i| want.iter().all(|(wk, wv)| values_equal(&i[wk], wv)))?;
        } else {
            return None;
        }
    }
    Some(cur)
}

/// Compares values treating numbers by value.
pub(crate) fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// Removes the value at a path (a list item for a `.` path). Returns whether it existed.
pub(crate) fn remove(obj: &mut Value, path: &[String]) -> bool {
    let path: Vec<&String> = path.iter().filter(|s| *s != ".").collect();
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut cur = obj;
    for seg in parents {
        let next = if let Some(f) = seg.strip_prefix("f:") {
            cur.as_object_mut().and_then(|m| m.get_mut(f))
        } else if let Some(k) = seg.strip_prefix("k:") {
            let Ok(want) = serde_json::from_str::<Map<String, Value>>(k) else {
                return false;
            };
            cur.as_array_mut().and_then(|a| {
                a.iter_mut()
                    .find(|i| want.iter().all(|(wk, wv)| values_equal(&i[wk], wv)))
            })
        } else {
            None
        };
        match next {
            Some(n) => cur = n,
            None => return false,
        }
    }
    if let Some(f) = last.strip_prefix("f:") {
        cur.as_object_mut().and_then(|m| m.remove(f)).is_some()
    } else if let Some(k) = last.strip_prefix("k:") {
        let Ok(want) = serde_json::from_str::<Map<String, Value>>(k) else {
            return false;
        };
        if let Some(a) = cur.as_array_mut() {
            let before = a.len();
            a.retain(|i| !want.iter().all(|(wk, wv)| values_equal(&i[wk], wv)));
            return a.len() != before;
        }
        false
    } else {
        false
    }
}

/// Builds the `FieldsV1` tree of a set of leaf paths.
pub(crate) fn to_fields_v1(paths: &BTreeSet<Path>) -> Value {
    let mut root = Map::new();
    for p in paths {
        let mut cur = &mut root;
        for seg in p {
            cur = cur
                .entry(seg.clone())
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
                .expect("fields tree is objects");
        }
    }
    Value::Object(root)
}

/// Reads the leaf paths of a `FieldsV1` tree.
pub(crate) fn from_fields_v1(v: &Value) -> BTreeSet<Path> {
    let mut out = BTreeSet::new();
    fn go(v: &Value, path: Path, out: &mut BTreeSet<Path>) {
        match v.as_object() {
            Some(m) if !m.is_empty() => {
                for (k, child) in m {
                    let mut p = path.clone();
                    p.push(k.clone());
                    go(child, p, out);
                }
            }
            _ => {
                if !path.is_empty() {
                    out.insert(path);
                }
            }
        }
    }
    go(v, Vec::new(), &mut out);
    out
}

/// The path as Kubernetes prints it in conflicts: `.spec.containers[name="web"].image`.
pub(crate) fn display(path: &[String]) -> String {
    let mut s = String::new();
    for seg in path {
        if let Some(f) = seg.strip_prefix("f:") {
            s.push('.');
            s.push_str(f);
        } else if let Some(k) = seg.strip_prefix("k:")
            && let Ok(m) = serde_json::from_str::<Map<String, Value>>(k)
        {
            let parts: Vec<String> = m.iter().map(|(k, v)| format!("{k}={v}")).collect();
            s.push_str(&format!("[{}]", parts.join(",")));
        }
    }
    s
}

/// Deep-merges `patch` into `base` the way server-side apply merges an applied
/// configuration: maps merge, keyed lists merge by key, other lists are replaced.
pub(crate) fn merge_applied(base: &mut Value, patch: &Value) {
    merge_at("", base, patch)
}

fn merge_at(field: &str, base: &mut Value, patch: &Value) {
    match (base.as_object_mut(), patch) {
        (Some(b), Value::Object(p)) => {
            for (k, pv) in p {
                match b.get_mut(k) {
                    Some(bv) if !pv.is_null() => merge_at(k, bv, pv),
                    _ => {
                        if !pv.is_null() {
                            b.insert(k.clone(), pv.clone());
                        }
                    }
                }
            }
        }
        _ => {
            if let (Some(b), Value::Array(p)) = (base.as_array_mut(), patch) {
                let all: Vec<Value> = b.iter().chain(p.iter()).cloned().collect();
                if let Some(key) = list_key(field, &all) {
                    for item in p {
                        match b.iter_mut().find(|bi| values_equal(&bi[key], &item[key])) {
                            Some(bi) => merge_at("", bi, item),
                            None => b.push(item.clone()),
                        }
                    }
                    return;
                }
            }
            *base = patch.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn leaves_use_keys_for_containers() {
        let obj = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "a", "labels": {"x": "y"}},
            "spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "web", "image": "nginx", "args": ["a"]}]}}}});
        let l = leaves(&obj, Scope::Main);
        let shown: Vec<String> = l.iter().map(|p| display(p)).collect();
        assert!(shown.contains(&".spec.replicas".to_string()));
        assert!(shown.contains(&".spec.template.spec.containers[name=\"web\"].image".to_string()));
        assert!(shown.contains(&".metadata.labels.x".to_string()));
        assert!(!shown.iter().any(|s| s == ".metadata.name"));
        let tree = to_fields_v1(&l);
        assert_eq!(from_fields_v1(&tree), l);
        let p = l.iter().find(|p| display(p).ends_with("].image")).unwrap();
        assert_eq!(resolve(&obj, p), Some(&json!("nginx")));
    }

    #[test]
    fn merge_keeps_other_containers() {
        let mut base = json!({"spec": {"containers": [{"name": "a", "image": "1"}, {"name": "b", "image": "2"}]}});
        merge_applied(
            &mut base,
            &json!({"spec": {"containers": [{"name": "b", "image": "3"}]}}),
        );
        assert_eq!(base["spec"]["containers"][0]["image"], "1");
        assert_eq!(base["spec"]["containers"][1]["image"], "3");
    }
}
