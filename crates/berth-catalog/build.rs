//! Cuts the embedded Kubernetes schema bundles (`k8s-schemas/v1.xx.json`, one per supported
//! version, each holding every kind's definitions) into one standalone schema per version and
//! kind: a `$ref` to the kind and only the definitions it reaches (a ConfigMap reaches 6 of
//! ~175, a StatefulSet ~129). Done once here rather than in every process: a short-lived CLI
//! process then parses and compiles only the schemas of the kinds it renders, without parsing
//! the bundles or walking their references first (docs/benchmarks.md, Lifecycle).
//!
//! Writes `$OUT_DIR/k8s-<version>-<kind index>.json` and `$OUT_DIR/kind_schemas.rs`, the table
//! `KIND_SCHEMAS[version][kind]` of their texts that `src/kube.rs` includes.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::{Map, Value};

include!("src/kinds.rs");

fn main() {
    println!("cargo::rerun-if-changed=k8s-schemas");
    println!("cargo::rerun-if-changed=src/kinds.rs");
    println!("cargo::rerun-if-changed=src/schema_refs.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut table = String::from(
        "/// Standalone strict schema of each kind (`KINDS`) for each version (`KUBE_VERSIONS`).\n",
    );
    let _ = writeln!(
        table,
        "const KIND_SCHEMAS: [[&str; {}]; {}] = [",
        KINDS.len(),
        KUBE_VERSIONS.len()
    );
    for version in KUBE_VERSIONS {
        let path = format!("k8s-schemas/v{version}.json");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let bundle: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        table.push_str("    [\n");
        for (index, kind) in KINDS.iter().enumerate() {
            let name = format!("k8s-{version}-{index}.json");
            let schema = kind_schema(&bundle, kind);
            std::fs::write(out.join(&name), schema.to_string()).expect("OUT_DIR is writable");
            let _ = writeln!(
                table,
                "        include_str!(concat!(env!(\"OUT_DIR\"), \"/{name}\")),"
            );
        }
        table.push_str("    ],\n");
    }
    table.push_str("];\n");
    std::fs::write(out.join("kind_schemas.rs"), table).expect("OUT_DIR is writable");
}

/// The standalone schema of one kind: the bundle's dialect, a `$ref` to the kind and only the
/// definitions it reaches.
fn kind_schema(bundle: &Value, kind: &str) -> Value {
    let defs = &bundle["$defs"];
    let start = format!("kind:{kind}");
    let mut reached = Map::new();
    let mut todo = vec![start.clone()];
    while let Some(name) = todo.pop() {
        if reached.contains_key(&name) {
            continue;
        }
        let Some(def) = defs.get(&name) else {
            continue; // a dangling reference: the compiler reports it
        };
        collect_refs(def, &mut todo);
        reached.insert(name, def.clone());
    }
    let mut root = Map::new();
    if let Some(dialect) = bundle.get("$schema") {
        root.insert("$schema".into(), dialect.clone());
    }
    let pointer = start.replace('~', "~0").replace('/', "~1");
    root.insert("$ref".into(), Value::String(format!("#/$defs/{pointer}")));
    root.insert("$defs".into(), Value::Object(reached));
    Value::Object(root)
}

include!("src/schema_refs.rs");
