//! The strict Kubernetes JSON schemas as a static table of nodes (`build.rs` makes it from the
//! embedded bundles) and the check of an object against one kind's root node.
//!
//! A node holds the subset of JSON Schema 2020-12 the bundles use, with its meaning: `type` (a
//! set of JSON types; an integer-valued number is an `integer`, and every number is a `number`),
//! `$ref` (the referenced node applies too), `properties`, `additionalProperties` (any, none, or
//! each matching a node), `required`, `items`, `enum` (of strings) and `oneOf` (exactly one
//! matches). The test `agrees_with_jsonschema` holds this to the `jsonschema` crate's verdicts.

use serde_json::Value;

use crate::kube::{KINDS, KUBE_VERSIONS};

/// "No node" in [`Node::reference`] and [`Node::items`].
const NONE: u32 = u32::MAX;

const NULL: u8 = 1;
const BOOLEAN: u8 = 2;
const INTEGER: u8 = 4;
const NUMBER: u8 = 8;
const STRING: u8 = 16;
const ARRAY: u8 = 32;
const OBJECT: u8 = 64;

/// What `additionalProperties` allows.
#[derive(Debug, Clone, Copy)]
enum Additional {
    /// Any property not in `properties`.
    Any,
    /// None (`false`): the strictness of the check.
    Forbidden,
    /// Each must match this node.
    Each(u32),
}

/// One schema node.
#[derive(Debug)]
struct Node {
    /// Allowed JSON types (bits above); 0: any.
    types: u8,
    reference: u32,
    /// Sorted by name.
    properties: &'static [(&'static str, u32)],
    additional: Additional,
    required: &'static [&'static str],
    items: u32,
    enumeration: &'static [&'static str],
    one_of: &'static [u32],
}

include!(concat!(env!("OUT_DIR"), "/kube_schema_nodes.rs"));

/// One way an object breaks a schema: what, and where (a JSON pointer into the object).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Violation {
    pub message: String,
    pub path: String,
}

/// Every violation of `object` against the schema of kind `kind` (an index into [`KINDS`]) in
/// version `version` (an index into [`KUBE_VERSIONS`]).
pub(crate) fn violations(version: usize, kind: usize, object: &Value) -> Vec<Violation> {
    let mut found = Vec::new();
    check(
        KIND_ROOTS[version][kind],
        object,
        &mut String::new(),
        &mut found,
    );
    found
}

/// Whether versions `a` and `b` have the very same schema for `kind` (then one check covers both).
pub(crate) fn same_schema(a: usize, b: usize, kind: usize) -> bool {
    KIND_ROOTS[a][kind] == KIND_ROOTS[b][kind]
}

const _: () =
    assert!(KIND_ROOTS.len() == KUBE_VERSIONS.len() && KIND_ROOTS[0].len() == KINDS.len());

fn type_of(value: &Value) -> u8 {
    match value {
        Value::Null => NULL,
        Value::Bool(_) => BOOLEAN,
        Value::Number(n) if n.is_i64() || n.is_u64() => INTEGER,
        Value::Number(n) => {
            if n.as_f64().is_some_and(|f| f.fract() == 0.0) {
                INTEGER
            } else {
                NUMBER
            }
        }
        Value::String(_) => STRING,
        Value::Array(_) => ARRAY,
        Value::Object(_) => OBJECT,
    }
}

fn type_names(types: u8) -> String {
    let names = [
        (STRING, "string"),
        (INTEGER, "integer"),
        (NUMBER, "number"),
        (BOOLEAN, "boolean"),
        (ARRAY, "array"),
        (OBJECT, "object"),
        (NULL, "null"),
    ];
    let list: Vec<&str> = names
        .iter()
        .filter(|(bit, _)| types & bit != 0)
        .map(|(_, name)| *name)
        .collect();
    list.join(" or ")
}

fn has_type(types: u8, value: &Value) -> bool {
    let actual = type_of(value);
    types == 0 || types & actual != 0 || (actual == INTEGER && types & NUMBER != 0)
}

fn push(found: &mut Vec<Violation>, path: &str, message: String) {
    found.push(Violation {
        message,
        path: path.to_owned(),
    });
}

/// Appends `segment` (escaped as a JSON pointer token) to `path` while `f` runs.
fn within(path: &mut String, segment: &str, f: impl FnOnce(&mut String)) {
    let len = path.len();
    path.push('/');
    path.push_str(&segment.replace('~', "~0").replace('/', "~1"));
    f(path);
    path.truncate(len);
}

fn check(node: u32, value: &Value, path: &mut String, found: &mut Vec<Violation>) {
    let n = &NODES[node as usize];
    if n.reference != NONE {
        check(n.reference, value, path, found);
    }
    if !has_type(n.types, value) {
        push(
            found,
            path,
            format!("expected {}, found {}", type_names(n.types), short(value)),
        );
        // the other keywords of these schemas constrain only the right type
        return;
    }
    if !n.enumeration.is_empty() && !value.as_str().is_some_and(|s| n.enumeration.contains(&s)) {
        push(
            found,
            path,
            format!(
                "expected one of {:?}, found {}",
                n.enumeration,
                shown(value)
            ),
        );
    }
    if !n.one_of.is_empty() {
        let matching = n
            .one_of
            .iter()
            .filter(|&&alternative| {
                let mut scratch = Vec::new();
                check(alternative, value, &mut path.clone(), &mut scratch);
                scratch.is_empty()
            })
            .count();
        if matching != 1 {
            push(
                found,
                path,
                format!(
                    "found {}, which matches {matching} of the {} allowed shapes (exactly one must)",
                    short(value),
                    n.one_of.len()
                ),
            );
        }
    }
    match value {
        Value::Object(map) => {
            for name in n.required {
                if !map.contains_key(*name) {
                    push(found, path, format!("required field {name:?} is missing"));
                }
            }
            for (name, child) in map {
                match n.properties.binary_search_by(|(p, _)| (*p).cmp(name)) {
                    Ok(i) => within(path, name, |path| {
                        check(n.properties[i].1, child, path, found)
                    }),
                    Err(_) => match n.additional {
                        Additional::Any => {}
                        Additional::Forbidden => push(
                            found,
                            path,
                            format!(
                                "unknown field {name:?} (additional properties are not allowed)"
                            ),
                        ),
                        Additional::Each(each) => {
                            within(path, name, |path| check(each, child, path, found));
                        }
                    },
                }
            }
        }
        Value::Array(items) if n.items != NONE => {
            for (i, item) in items.iter().enumerate() {
                within(path, &i.to_string(), |path| {
                    check(n.items, item, path, found)
                });
            }
        }
        _ => {}
    }
}

/// A value for a message, without the text of a string (it may be a credential).
fn short(value: &Value) -> String {
    match value {
        Value::String(_) => "a string".into(),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
        scalar => scalar.to_string(),
    }
}

/// A value for a message that names what was found, strings too (cut at 40 characters): only
/// `enum` shows it, which these schemas use for `apiVersion` and `kind`.
fn shown(value: &Value) -> String {
    match value {
        Value::String(text) => {
            let cut: String = text.chars().take(40).collect();
            if cut.len() < text.len() {
                format!("{cut:?}…")
            } else {
                format!("{text:?}")
            }
        }
        other => short(other),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use serde_json::{Value, json};

    use super::*;
    use crate::lint::sample_requests;
    use crate::{Catalog, CatalogSource};

    /// `jsonschema`'s validator of one kind, compiled from the whole embedded bundle.
    fn reference(bundle: &Value, kind: &str) -> jsonschema::Validator {
        let pointer = format!("kind:{kind}").replace('~', "~0").replace('/', "~1");
        let root = json!({
            "$schema": bundle["$schema"],
            "$ref": format!("#/$defs/{pointer}"),
            "$defs": bundle["$defs"],
        });
        jsonschema::draft202012::new(&root).expect("the bundle compiles")
    }

    /// Every catalog object: each definition's defaults and testdata cases, rendered.
    fn catalog_objects() -> Vec<Value> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../catalog");
        let catalog = Catalog::load(&[CatalogSource::built_in(dir)]).expect("catalog loads");
        let mut objects = Vec::new();
        for def in catalog.list() {
            for req in &sample_requests(def).expect("testdata cases read") {
                objects.extend(def.render(req).expect("renders").objects);
            }
        }
        objects.sort_by_key(Value::to_string);
        objects.dedup();
        objects
    }

    /// Variants of `object`, each one change away from it: at every place in it, an unknown
    /// field added to a mapping, a field removed, a value replaced by one of another type (or
    /// null, or a fraction), a list replaced by a mapping, `apiVersion` changed.
    fn mutations(object: &Value) -> Vec<Value> {
        let mut out = Vec::new();
        let mut pointers = Vec::new();
        collect_pointers(object, String::new(), &mut pointers);
        for pointer in pointers {
            let target = object.pointer(&pointer).expect("pointer from the object");
            let mut replace = |with: Value| {
                let mut changed = object.clone();
                *changed.pointer_mut(&pointer).expect("pointer") = with;
                out.push(changed);
            };
            match target {
                Value::Object(map) => {
                    let mut added = map.clone();
                    added.insert("zzUnknownField".into(), json!("x"));
                    replace(Value::Object(added));
                    for key in map.keys() {
                        let mut removed = map.clone();
                        removed.remove(key);
                        replace(Value::Object(removed));
                    }
                    replace(json!([]));
                }
                Value::Array(_) => {
                    replace(json!({}));
                    replace(Value::Null);
                }
                Value::String(_) => {
                    replace(json!(7));
                    replace(Value::Null);
                }
                Value::Number(_) => {
                    replace(json!("7"));
                    replace(json!(1.5));
                    replace(json!(2.0));
                    replace(Value::Null);
                }
                Value::Bool(_) => {
                    replace(json!("true"));
                    replace(json!(1));
                }
                Value::Null => replace(json!({})),
            }
        }
        let mut other_version = object.clone();
        other_version["apiVersion"] = json!("v0");
        out.push(other_version);
        out
    }

    fn collect_pointers(value: &Value, at: String, into: &mut Vec<String>) {
        if !at.is_empty() {
            into.push(at.clone());
        }
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    let token = key.replace('~', "~0").replace('/', "~1");
                    collect_pointers(child, format!("{at}/{token}"), into);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    collect_pointers(child, format!("{at}/{i}"), into);
                }
            }
            _ => {}
        }
    }

    /// The node table gives the verdict `jsonschema` gives (compiled from the same bundles) on
    /// every catalog object and on every single-change mutation of each, in both versions.
    #[test]
    fn agrees_with_jsonschema() {
        let bundles: Vec<Value> = [
            include_str!("../k8s-schemas/v1.33.json"),
            include_str!("../k8s-schemas/v1.37.json"),
        ]
        .iter()
        .map(|text| serde_json::from_str(text).unwrap())
        .collect();
        assert_eq!(bundles.len(), KUBE_VERSIONS.len());
        let references: Vec<Vec<jsonschema::Validator>> = bundles
            .iter()
            .map(|bundle| KINDS.iter().map(|kind| reference(bundle, kind)).collect())
            .collect();
        let objects = catalog_objects();
        let mut kinds_seen = std::collections::BTreeSet::new();
        let (mut valid, mut invalid) = (0, 0);
        for object in &objects {
            let key = crate::kube::type_key(object);
            let kind = KINDS
                .iter()
                .position(|k| *k == key)
                .expect("a catalog kind");
            kinds_seen.insert(kind);
            for (version, reference) in references.iter().enumerate() {
                assert!(
                    reference[kind].is_valid(object),
                    "{key} is a valid catalog object"
                );
                assert_eq!(violations(version, kind, object), vec![], "{object}");
            }
            for variant in mutations(object) {
                for (version, reference) in references.iter().enumerate() {
                    let expected = reference[kind].is_valid(&variant);
                    let found = violations(version, kind, &variant);
                    assert_eq!(
                        expected,
                        found.is_empty(),
                        "Kubernetes {} {key}: jsonschema says valid={expected}, the table found {found:?} in {variant}",
                        KUBE_VERSIONS[version]
                    );
                    if expected {
                        valid += 1;
                    } else {
                        invalid += 1;
                    }
                }
            }
        }
        // the catalog exercises most kinds, and the mutations both kinds of verdict
        assert!(kinds_seen.len() >= 6, "{kinds_seen:?}");
        eprintln!(
            "{} objects: {valid} valid and {invalid} invalid variants",
            objects.len()
        );
        assert!(
            valid > 1000 && invalid > 10_000,
            "{valid} valid, {invalid} invalid"
        );
    }

    /// The table holds each version's schema of each kind, shares what did not change between
    /// versions, and an unknown field deep in a pod template is found with its path.
    #[test]
    fn versions_share_unchanged_schemas_and_paths_point_into_the_object() {
        let configmap = KINDS.iter().position(|k| *k == "v1/ConfigMap").unwrap();
        let statefulset = KINDS
            .iter()
            .position(|k| *k == "apps/v1/StatefulSet")
            .unwrap();
        assert!(same_schema(0, 1, configmap));
        assert!(!same_schema(0, 1, statefulset));
        let set = json!({
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "x", "labels": {"a/b": 1}},
            "spec": {"selector": {}, "serviceName": "x", "template": {"spec": {"containers": [
                {"name": "c", "image": "i", "resourcez": {}}
            ]}}}
        });
        let found = violations(1, statefulset, &set);
        assert_eq!(
            found,
            vec![
                Violation {
                    message: "expected string or null, found 1".into(),
                    path: "/metadata/labels/a~1b".into(),
                },
                Violation {
                    message: "unknown field \"resourcez\" (additional properties are not allowed)"
                        .into(),
                    path: "/spec/template/spec/containers/0".into(),
                },
            ]
        );
    }
}
