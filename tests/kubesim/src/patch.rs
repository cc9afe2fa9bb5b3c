//! PATCH bodies: JSON merge patch (RFC 7386), JSON patch (RFC 6902) — both through the
//! `json-patch` crate — and strategic merge patch with the built-in kinds' list merge keys.

use serde_json::Value;

use crate::fields::{list_key, values_equal};
use crate::status::ApiError;

/// The patch types a client names in `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PatchType {
    /// `application/merge-patch+json`.
    Merge,
    /// `application/json-patch+json`.
    Json,
    /// `application/strategic-merge-patch+json`.
    Strategic,
    /// `application/apply-patch+yaml` (server-side apply).
    Apply,
}

impl PatchType {
    /// Reads the `Content-Type` header.
    pub(crate) fn from_content_type(ct: &str) -> Option<Self> {
        let ct = ct.split(';').next().unwrap_or_default().trim();
        match ct {
            "application/merge-patch+json" => Some(Self::Merge),
            "application/json-patch+json" => Some(Self::Json),
            "application/strategic-merge-patch+json" => Some(Self::Strategic),
            "application/apply-patch+yaml" | "application/apply-patch+cbor" => Some(Self::Apply),
            _ => None,
        }
    }
}

/// Applies a merge, JSON or strategic patch to `base`.
pub(crate) fn apply_patch(pt: PatchType, base: &Value, body: &[u8]) -> Result<Value, ApiError> {
    let patch: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
    let mut out = base.clone();
    match pt {
        PatchType::Merge => json_patch::merge(&mut out, &patch),
        PatchType::Json => {
            let p: json_patch::Patch = serde_json::from_value(patch).map_err(|e| {
                ApiError::bad_request(format!(
                    "the server rejected our request due to an error in our request: {e}"
                ))
            })?;
            json_patch::patch(&mut out, &p).map_err(|e| ApiError {
                code: 422,
                reason: "Invalid",
                message: format!(
                    "the server rejected our request due to an error in our request: {e}"
                ),
                details: None,
                retry_after: None,
            })?;
        }
        PatchType::Strategic => strategic_merge("", &mut out, &patch),
        PatchType::Apply => return Err(ApiError::internal("apply is not a plain patch")),
    }
    Ok(out)
}

/// Strategic merge of `patch` into `base` (the part of the algorithm clients use: keyed
/// lists, `null` deletes, `$patch: replace|delete`, `$retainKeys`,
/// `$deleteFromPrimitiveList`, `$setElementOrder` accepted and ignored).
pub(crate) fn strategic_merge(field: &str, base: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *base = patch.clone();
        return;
    };
    if p.get("$patch").and_then(Value::as_str) == Some("replace") {
        let mut v = patch.clone();
        if let Some(m) = v.as_object_mut() {
            m.remove("$patch");
        }
        *base = v;
        return;
    }
    if !base.is_object() {
        *base = Value::Object(Default::default());
    }
    let b = base.as_object_mut().expect("object");
    if let Some(keep) = p.get("$retainKeys").and_then(Value::as_array) {
        let keep: Vec<&str> = keep.iter().filter_map(Value::as_str).collect();
        b.retain(|k, _| keep.contains(&k.as_str()));
    }
    for (k, pv) in p {
        if k.starts_with("$setElementOrder/") || k == "$retainKeys" || k == "$patch" {
            continue;
        }
        if let Some(list) = k.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(Value::Array(items)), Some(del)) = (b.get_mut(list), pv.as_array()) {
                items.retain(|i| !del.contains(i));
            }
            continue;
        }
        if pv.is_null() {
            b.remove(k);
            continue;
        }
        if pv.get("$patch").and_then(Value::as_str) == Some("delete") {
            b.remove(k);
            continue;
        }
        match (b.get_mut(k), pv) {
            (Some(bv @ Value::Object(_)), Value::Object(_)) => strategic_merge(k, bv, pv),
            (Some(Value::Array(bitems)), Value::Array(pitems)) => {
                merge_list(k, bitems, pitems);
            }
            _ => {
                let mut v = pv.clone();
                strip_directives(&mut v);
                b.insert(k.clone(), v);
            }
        }
    }
    let _ = field;
}

fn merge_list(field: &str, base: &mut Vec<Value>, patch: &[Value]) {
    if patch
        .iter()
        .any(|i| i.get("$patch").and_then(Value::as_str) == Some("replace"))
    {
        *base = patch
            .iter()
            .filter(|i| i.get("$patch").is_none())
            .cloned()
            .collect();
        return;
    }
    let all: Vec<Value> = base
        .iter()
        .chain(patch.iter().filter(|i| i.get("$patch").is_none()))
        .cloned()
        .collect();
    let Some(key) = list_key(field, &all) else {
        *base = patch.to_vec();
        return;
    };
    for item in patch {
        let pos = base
            .iter()
            .position(|bi| values_equal(&bi[key], &item[key]));
        if item.get("$patch").and_then(Value::as_str) == Some("delete") {
            if let Some(i) = pos {
                base.remove(i);
            }
            continue;
        }
        match pos {
            Some(i) => strategic_merge("", &mut base[i], item),
            None => {
                let mut v = item.clone();
                strip_directives(&mut v);
                base.push(v);
            }
        }
    }
}

fn strip_directives(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|k, _| !k.starts_with('$'));
            for (_, c) in m.iter_mut() {
                strip_directives(c);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(strip_directives),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strategic_merges_containers_by_name() {
        let base = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "a", "image": "1", "env": [{"name": "X", "value": "1"}]},
            {"name": "b", "image": "2"}]}}}});
        let patch = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "a", "env": [{"name": "Y", "value": "2"}]},
            {"name": "b", "$patch": "delete"}]}}}});
        let out = apply_patch(PatchType::Strategic, &base, patch.to_string().as_bytes()).unwrap();
        let cs = out["spec"]["template"]["spec"]["containers"]
            .as_array()
            .unwrap();
        assert_eq!(cs.len(), 1);
        assert_eq!(cs[0]["image"], "1");
        assert_eq!(cs[0]["env"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn merge_and_json_patch() {
        let base = json!({"a": {"b": 1, "c": 2}});
        let out = apply_patch(PatchType::Merge, &base, br#"{"a": {"b": null, "d": 3}}"#).unwrap();
        assert_eq!(out, json!({"a": {"c": 2, "d": 3}}));
        let out = apply_patch(
            PatchType::Json,
            &base,
            br#"[{"op": "replace", "path": "/a/b", "value": 5}]"#,
        )
        .unwrap();
        assert_eq!(out["a"]["b"], 5);
        assert!(
            apply_patch(
                PatchType::Json,
                &base,
                br#"[{"op": "test", "path": "/a/b", "value": 9}]"#
            )
            .is_err()
        );
    }
}
