//! Server-side apply and `managedFields`: who owns which field, conflicts between
//! managers, `force`, and ownership taken by plain updates.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::fields::{self, Path, Scope};

/// One `managedFields` entry.
#[derive(Debug, Clone)]
struct Entry {
    manager: String,
    operation: String,
    api_version: String,
    time: String,
    subresource: Option<String>,
    fields: BTreeSet<Path>,
}

fn subresource_of(scope: Scope) -> Option<String> {
    match scope {
        Scope::Main => None,
        Scope::Status => Some("status".into()),
    }
}

fn in_scope(p: &Path, scope: Scope) -> bool {
    let is_status = p.first().map(|s| s == "f:status").unwrap_or(false);
    match scope {
        Scope::Main => !is_status,
        Scope::Status => is_status,
    }
}

fn read(obj: &Value) -> Vec<Entry> {
    obj["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| Entry {
            manager: e["manager"].as_str().unwrap_or_default().to_string(),
            operation: e["operation"].as_str().unwrap_or("Update").to_string(),
            api_version: e["apiVersion"].as_str().unwrap_or_default().to_string(),
            time: e["time"].as_str().unwrap_or_default().to_string(),
            subresource: e["subresource"].as_str().map(str::to_string),
            fields: fields::from_fields_v1(&e["fieldsV1"]),
        })
        .collect()
}

fn write(obj: &mut Value, entries: Vec<Entry>) {
    let list: Vec<Value> = entries
        .into_iter()
        .filter(|e| !e.fields.is_empty())
        .map(|e| {
            let mut v = json!({
                "manager": e.manager,
                "operation": e.operation,
                "apiVersion": e.api_version,
                "time": e.time,
                "fieldsType": "FieldsV1",
                "fieldsV1": fields::to_fields_v1(&e.fields),
            });
            if let Some(s) = e.subresource {
                v["subresource"] = json!(s);
            }
            v
        })
        .collect();
    if list.is_empty() {
        if let Some(m) = obj["metadata"].as_object_mut() {
            m.remove("managedFields");
        }
    } else {
        obj["metadata"]["managedFields"] = Value::Array(list);
    }
}

/// Records a non-apply write (create, update, patch) by `manager`: it takes the fields it
/// changed, other managers lose them, and fields that no longer exist are dropped.
/// `new` carries the previous `managedFields` on return.
pub(crate) fn record_update(
    old: Option<&Value>,
    new: &mut Value,
    manager: &str,
    api_version: &str,
    now: &str,
    scope: Scope,
) {
    let mut entries = old.map(read).unwrap_or_default();
    let new_leaves = fields::leaves(new, scope);
    let changed: BTreeSet<Path> = new_leaves
        .iter()
        .filter(|p| {
            let before = old.and_then(|o| fields::resolve(o, p));
            let after = fields::resolve(new, p);
            match (before, after) {
                (Some(b), Some(a)) => !fields::values_equal(a, b),
                _ => true,
            }
        })
        .cloned()
        .collect();
    let sub = subresource_of(scope);
    for e in entries.iter_mut() {
        e.fields
            .retain(|p| !in_scope(p, scope) || (new_leaves.contains(p) && !changed.contains(p)));
    }
    if !changed.is_empty() {
        match entries
            .iter_mut()
            .find(|e| e.manager == manager && e.operation == "Update" && e.subresource == sub)
        {
            Some(e) => {
                e.fields.extend(changed);
                e.time = now.to_string();
                e.api_version = api_version.to_string();
            }
            None => entries.push(Entry {
                manager: manager.to_string(),
                operation: "Update".into(),
                api_version: api_version.to_string(),
                time: now.to_string(),
                subresource: sub,
                fields: changed,
            }),
        }
    }
    write(new, entries);
}

/// Outcome of an apply that cannot proceed: the conflicting (manager, field) pairs.
pub(crate) type Conflicts = Vec<(String, String)>;

/// Applies `applied` by `manager` onto `live` (None when the object does not exist yet).
/// Returns the merged object with updated `managedFields`, or the conflicts.
pub(crate) fn apply(
    live: Option<&Value>,
    applied: &Value,
    manager: &str,
    api_version: &str,
    now: &str,
    force: bool,
    scope: Scope,
) -> Result<Value, Conflicts> {
    let mut applied = applied.clone();
    if let Some(m) = applied["metadata"].as_object_mut() {
        m.remove("managedFields");
        m.remove("resourceVersion");
    }
    let a_leaves = fields::leaves(&applied, scope);
    let sub = subresource_of(scope);
    let mut entries = live.map(read).unwrap_or_default();
    let is_mine =
        |e: &Entry| e.manager == manager && e.operation == "Apply" && e.subresource == sub;

    // Conflicts: a field the applier sets to a different value than another manager owns.
    let mut conflicts: Conflicts = Vec::new();
    if let Some(live) = live {
        for e in entries.iter_mut().filter(|e| !is_mine(e)) {
            if e.manager == manager {
                continue;
            }
            let clashing: Vec<Path> = e
                .fields
                .iter()
                .filter(|p| p.last().map(|s| s != ".").unwrap_or(false) && a_leaves.contains(*p))
                .filter(
                    |p| match (fields::resolve(&applied, p), fields::resolve(live, p)) {
                        (Some(a), Some(l)) => !fields::values_equal(a, l),
                        _ => false,
                    },
                )
                .cloned()
                .collect();
            for p in clashing {
                if force {
                    e.fields.remove(&p);
                } else {
                    conflicts.push((e.manager.clone(), fields::display(&p)));
                }
            }
        }
    }
    if !conflicts.is_empty() {
        return Err(conflicts);
    }

    let mut merged = live.cloned().unwrap_or_else(|| json!({}));
    // Fields this manager applied before, no longer applies, and nobody else owns: removed.
    let previous: BTreeSet<Path> = entries
        .iter()
        .filter(|e| is_mine(e))
        .flat_map(|e| e.fields.iter().cloned())
        .collect();
    let mut dropped: Vec<&Path> = previous
        .iter()
        .filter(|p| !a_leaves.contains(*p))
        .filter(|p| !entries.iter().any(|e| !is_mine(e) && e.fields.contains(*p)))
        .collect();
    dropped.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for p in dropped {
        fields::remove(&mut merged, p);
    }
    let mut body = applied.clone();
    if let Some(m) = body.as_object_mut() {
        match scope {
            Scope::Main => {
                m.remove("status");
            }
            Scope::Status => {
                m.retain(|k, _| k == "status" || k == "apiVersion" || k == "kind");
            }
        }
    }
    fields::merge_applied(&mut merged, &body);
    if let Some(m) = merged.as_object_mut()
        && m.get("status")
            .is_some_and(|s| s.as_object().is_some_and(|o| o.is_empty()))
        && live.is_none()
    {
        m.remove("status");
    }

    entries.retain(|e| !is_mine(e));
    entries.push(Entry {
        manager: manager.to_string(),
        operation: "Apply".into(),
        api_version: api_version.to_string(),
        time: now.to_string(),
        subresource: sub,
        fields: a_leaves,
    });
    write(&mut merged, entries);
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cm(data: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "d"}, "data": data})
    }

    #[test]
    fn second_manager_conflicts_then_forces() {
        let now = "2026-01-01T00:00:00Z";
        let a = apply(
            None,
            &cm(json!({"k": "1", "x": "y"})),
            "alice",
            "v1",
            now,
            false,
            Scope::Main,
        )
        .unwrap();
        let err = apply(
            Some(&a),
            &cm(json!({"k": "2"})),
            "bob",
            "v1",
            now,
            false,
            Scope::Main,
        )
        .unwrap_err();
        assert_eq!(err, vec![("alice".to_string(), ".data.k".to_string())]);
        // Same value: shared ownership, no conflict.
        apply(
            Some(&a),
            &cm(json!({"k": "1"})),
            "bob",
            "v1",
            now,
            false,
            Scope::Main,
        )
        .unwrap();
        let b = apply(
            Some(&a),
            &cm(json!({"k": "2"})),
            "bob",
            "v1",
            now,
            true,
            Scope::Main,
        )
        .unwrap();
        assert_eq!(b["data"]["k"], "2");
        // alice re-applies without x: x is removed, k stays bob's.
        let c = apply(
            Some(&b),
            &cm(json!({})),
            "alice",
            "v1",
            now,
            false,
            Scope::Main,
        )
        .unwrap();
        assert!(c["data"].get("x").is_none());
        assert_eq!(c["data"]["k"], "2");
    }

    #[test]
    fn update_takes_ownership() {
        let now = "2026-01-01T00:00:00Z";
        let a = apply(
            None,
            &cm(json!({"k": "1", "x": "2"})),
            "alice",
            "v1",
            now,
            false,
            Scope::Main,
        )
        .unwrap();
        let mut u = a.clone();
        u["data"]["k"] = json!("9");
        record_update(Some(&a), &mut u, "editor", "v1", now, Scope::Main);
        let mf = u["metadata"]["managedFields"].as_array().unwrap();
        assert_eq!(mf.len(), 2);
        assert!(mf.iter().any(|e| e["manager"] == "editor"));
        // alice lost .data.k so re-applying her value conflicts with editor.
        let err = apply(
            Some(&u),
            &cm(json!({"k": "1", "x": "2"})),
            "alice",
            "v1",
            now,
            false,
            Scope::Main,
        )
        .unwrap_err();
        assert_eq!(err[0].0, "editor");
    }
}
