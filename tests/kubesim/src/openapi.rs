//! `/openapi/v3` and `/openapi/v2`: the paths and operations of every served resource, with
//! the query parameters (`fieldValidation`, `fieldManager`, `dryRun`, `force`) clients look
//! for before they rely on server-side validation. Schemas are open (`x-kubernetes-preserve-
//! unknown-fields`): kubesim does not validate field names.

use serde_json::{Map, Value, json};

use crate::discovery::fnv;
use crate::resources::{Registry, ResourceType};

fn gv_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// `/openapi/v3`: the index of group-version documents.
pub(crate) fn v3_root(reg: &Registry) -> Value {
    let mut paths = Map::new();
    for (group, versions) in reg.groups() {
        for v in versions {
            let p = gv_path(&group, &v);
            let hash = format!(
                "{:016X}",
                fnv(&format!("{p}{}", reg.in_group_version(&group, &v).len()))
            );
            paths.insert(
                p.clone(),
                json!({"serverRelativeURL": format!("/openapi/v3/{p}?hash={hash}")}),
            );
        }
    }
    json!({ "paths": paths })
}

fn params(names: &[&str]) -> Vec<Value> {
    names
        .iter()
        .map(|n| json!({"name": n, "in": "query", "schema": {"type": "string", "uniqueItems": true}}))
        .collect()
}

fn schema_name(t: &ResourceType) -> String {
    let g = if t.group.is_empty() { "core" } else { &t.group };
    format!("io.k8s.api.{g}.{}.{}", t.version, t.kind)
}

fn operations(t: &ResourceType, v3: bool) -> Vec<(String, Value)> {
    let gvk = json!({"group": t.group, "version": t.version, "kind": t.kind});
    let prefix = format!("/{}", gv_path(&t.group, &t.version));
    let coll = if t.namespaced {
        format!("{prefix}/namespaces/{{namespace}}/{}", t.plural)
    } else {
        format!("{prefix}/{}", t.plural)
    };
    let item = format!("{coll}/{{name}}");
    let schema_ref = if v3 {
        json!({"$ref": format!("#/components/schemas/{}", schema_name(t))})
    } else {
        json!({"$ref": format!("#/definitions/{}", schema_name(t))})
    };
    let op = |action: &str, extra: &[&str]| {
        let mut o = json!({
            "x-kubernetes-action": action,
            "x-kubernetes-group-version-kind": gvk,
            "operationId": format!("{action}{}", t.kind),
            "parameters": params(extra),
        });
        if v3 {
            o["responses"] = json!({"200": {"description": "OK", "content": {"application/json": {"schema": schema_ref}}}});
        } else {
            o["responses"] = json!({"200": {"description": "OK", "schema": schema_ref}});
        }
        o
    };
    let write_params = ["dryRun", "fieldManager", "fieldValidation", "pretty"];
    let patch_params = [
        "dryRun",
        "fieldManager",
        "fieldValidation",
        "force",
        "pretty",
    ];
    vec![
        (
            coll,
            json!({
                "get": op("list", &["labelSelector", "fieldSelector", "limit", "continue", "watch", "resourceVersion"]),
                "post": op("post", &write_params),
                "delete": op("deletecollection", &["dryRun", "propagationPolicy"]),
            }),
        ),
        (
            item,
            json!({
                "get": op("get", &["pretty"]),
                "put": op("put", &write_params),
                "patch": op("patch", &patch_params),
                "delete": op("delete", &["dryRun", "propagationPolicy", "gracePeriodSeconds"]),
            }),
        ),
    ]
}

fn schema(t: &ResourceType) -> Value {
    json!({
        "type": "object",
        "x-kubernetes-group-version-kind": [{"group": t.group, "version": t.version, "kind": t.kind}],
        "x-kubernetes-preserve-unknown-fields": true,
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
        },
    })
}

/// `/openapi/v3/{api/v1|apis/g/v}`.
pub(crate) fn v3_group_version(reg: &Registry, path: &str) -> Option<Value> {
    let (group, version) = match path.split('/').collect::<Vec<_>>()[..] {
        ["api", v] => ("", v),
        ["apis", g, v] => (g, v),
        _ => return None,
    };
    let types = reg.in_group_version(group, version);
    if types.is_empty() {
        return None;
    }
    let mut paths = Map::new();
    let mut schemas = Map::new();
    for t in &types {
        for (p, ops) in operations(t, true) {
            paths.insert(p, ops);
        }
        schemas.insert(schema_name(t), schema(t));
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.37.1"},
        "paths": paths,
        "components": {"schemas": schemas},
    }))
}

/// `/openapi/v2` (JSON).
pub(crate) fn v2(reg: &Registry) -> Value {
    let mut paths = Map::new();
    let mut defs = Map::new();
    for t in reg.all() {
        for (p, ops) in operations(&t, false) {
            paths.insert(p, ops);
        }
        defs.insert(schema_name(&t), schema(&t));
    }
    json!({
        "swagger": "2.0",
        "info": {"title": "Kubernetes", "version": "v1.37.1"},
        "paths": paths,
        "definitions": defs,
    })
}
