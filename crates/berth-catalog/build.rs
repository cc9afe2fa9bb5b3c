//! Compiles the embedded Kubernetes schema bundles (`k8s-schemas/v1.xx.json`, one per supported
//! version) into a static table of schema nodes that `src/kube_schema.rs` checks objects against,
//! so that no process parses or compiles a schema at run time.
//!
//! Why not compile them with `jsonschema` in each process: that was the largest CPU cost of an
//! install. A fresh process spent ~20 ms compiling the eight schemas a postgres render needs
//! (StatefulSet twice, 1.33 and 1.37; most of it first-use costs: building the 2020-12
//! meta-schema validator, validating each schema against it, faulting in code and heap), against
//! a few hundred microseconds to check the objects themselves (docs/benchmarks.md, Lifecycle).
//!
//! The bundles use a small subset of JSON Schema: `type`, `$ref`, `properties`,
//! `additionalProperties`, `required`, `items`, `enum` and `oneOf`, plus annotations (`format`,
//! which 2020-12 does not assert by default, and the `x-kubernetes-*` extensions). Each node holds
//! exactly those keywords; a keyword outside the subset stops the build, so a new bundle can never
//! weaken the check silently. Identical nodes are stored once, whichever version or definition
//! they come from: the 1.33 and 1.37 schemas of a kind share everything that did not change. A
//! test (`kube_schema`'s `agrees_with_jsonschema`) checks that this table and `jsonschema`,
//! compiled from the same bundles, give the same verdict on every catalog object and on thousands
//! of mutations of them.
//!
//! Writes `$OUT_DIR/kube_schema_nodes.rs`: `NODES` and `KIND_ROOTS[version][kind]`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::Value;

include!("src/kinds.rs");

/// `Node::types` bits, as `src/kube_schema.rs` reads them.
const TYPE_BITS: [(&str, u8); 7] = [
    ("null", 1),
    ("boolean", 2),
    ("integer", 4),
    ("number", 8),
    ("string", 16),
    ("array", 32),
    ("object", 64),
];

/// Keywords that only annotate: they never make a value invalid.
fn is_annotation(keyword: &str) -> bool {
    matches!(keyword, "format" | "description" | "title" | "default")
        || keyword.starts_with("x-kubernetes-")
}

/// One node, with its children as node indices (the generated table writes a missing one as
/// `NONE`, `u32::MAX`).
#[derive(Debug, Default, Clone, PartialEq, Eq, Hash)]
struct Node {
    types: u8,
    reference: Option<u32>,
    properties: Vec<(String, u32)>,
    /// `None`: any other property is allowed; `Some(None)`: none is; `Some(Some(n))`: each must
    /// match node `n`.
    additional: Option<Option<u32>>,
    required: Vec<String>,
    items: Option<u32>,
    enumeration: Vec<String>,
    one_of: Vec<u32>,
}

/// The node table under construction: identical nodes stored once.
struct Table<'a> {
    nodes: Vec<Node>,
    index: HashMap<Node, u32>,
    /// Definitions already converted, per bundle (version index, name).
    defs: HashMap<(usize, String), u32>,
    bundles: Vec<&'a Value>,
}

impl Table<'_> {
    fn intern(&mut self, node: Node) -> u32 {
        if let Some(&i) = self.index.get(&node) {
            return i;
        }
        let i = u32::try_from(self.nodes.len()).expect("fewer than 2^32 nodes");
        self.nodes.push(node.clone());
        self.index.insert(node, i);
        i
    }

    /// The node of definition `name` in bundle `version`. `path` lists the definitions being
    /// converted: the kinds Berth renders reach no recursive definition, and a cycle would need
    /// a placeholder node this table does not have, so it stops the build.
    fn definition(&mut self, version: usize, name: &str, path: &mut Vec<String>) -> u32 {
        if let Some(&i) = self.defs.get(&(version, name.to_owned())) {
            return i;
        }
        assert!(
            !path.iter().any(|p| p == name),
            "recursive schema definition {name} (through {path:?}): not supported by build.rs"
        );
        let schema = self.bundles[version]["$defs"].get(name).unwrap_or_else(|| {
            panic!(
                "dangling reference to {name} in v{}",
                KUBE_VERSIONS[version]
            )
        });
        path.push(name.to_owned());
        let node = self.schema(version, schema, path, name);
        path.pop();
        self.defs.insert((version, name.to_owned()), node);
        node
    }

    fn schema(&mut self, version: usize, schema: &Value, path: &mut Vec<String>, at: &str) -> u32 {
        let map = match schema {
            Value::Object(map) => map,
            Value::Bool(true) => return self.intern(Node::default()),
            other => panic!("{at}: unsupported subschema {other}"),
        };
        let mut node = Node::default();
        for (keyword, value) in map {
            match keyword.as_str() {
                "type" => {
                    let names: Vec<&str> = match value {
                        Value::String(one) => vec![one.as_str()],
                        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
                        other => panic!("{at}: type {other}"),
                    };
                    for name in names {
                        let bit = TYPE_BITS
                            .iter()
                            .find(|(n, _)| *n == name)
                            .unwrap_or_else(|| panic!("{at}: unknown type {name}"))
                            .1;
                        node.types |= bit;
                    }
                }
                "$ref" => {
                    let target = value
                        .as_str()
                        .and_then(|r| r.strip_prefix("#/$defs/"))
                        .unwrap_or_else(|| panic!("{at}: unsupported $ref {value}"))
                        .replace("~1", "/")
                        .replace("~0", "~");
                    node.reference = Some(self.definition(version, &target, path));
                }
                "properties" => {
                    let props = value
                        .as_object()
                        .unwrap_or_else(|| panic!("{at}: properties"));
                    for (name, sub) in props {
                        let child = self.schema(version, sub, path, &format!("{at}.{name}"));
                        node.properties.push((name.clone(), child));
                    }
                    // binary-searched at run time
                    node.properties.sort_by(|a, b| a.0.cmp(&b.0));
                }
                "additionalProperties" => {
                    node.additional = match value {
                        Value::Bool(true) => None,
                        Value::Bool(false) => Some(None),
                        sub => Some(Some(self.schema(version, sub, path, &format!("{at}.*")))),
                    };
                }
                "required" => {
                    node.required = strings(value, at, "required");
                }
                "items" => {
                    node.items = Some(self.schema(version, value, path, &format!("{at}[]")));
                }
                "enum" => {
                    node.enumeration = strings(value, at, "enum");
                }
                "oneOf" => {
                    let subs = value.as_array().unwrap_or_else(|| panic!("{at}: oneOf"));
                    node.one_of = subs
                        .iter()
                        .map(|sub| self.schema(version, sub, path, &format!("{at}|")))
                        .collect();
                }
                other if is_annotation(other) => {}
                other => panic!(
                    "{at}: schema keyword {other:?} is not supported: teach build.rs and src/kube_schema.rs what it means"
                ),
            }
        }
        self.intern(node)
    }
}

fn strings(value: &Value, at: &str, keyword: &str) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("{at}: {keyword} is not an array"))
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap_or_else(|| panic!("{at}: {keyword} holds a non-string {v}"))
                .to_owned()
        })
        .collect()
}

fn main() {
    embed_catalog();
    println!("cargo::rerun-if-changed=k8s-schemas");
    println!("cargo::rerun-if-changed=src/kinds.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let bundles: Vec<Value> = KUBE_VERSIONS
        .iter()
        .map(|version| {
            let path = format!("k8s-schemas/v{version}.json");
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
        })
        .collect();
    let mut table = Table {
        nodes: Vec::new(),
        index: HashMap::new(),
        defs: HashMap::new(),
        bundles: bundles.iter().collect(),
    };
    let mut roots = Vec::new();
    for version in 0..KUBE_VERSIONS.len() {
        let mut row = Vec::new();
        for kind in KINDS {
            row.push(table.definition(version, &format!("kind:{kind}"), &mut Vec::new()));
        }
        roots.push(row);
    }

    let none = |n: Option<u32>| n.map_or_else(|| "NONE".to_owned(), |n| n.to_string());
    let mut code = String::from("// @generated by build.rs from k8s-schemas/*.json\n\n");
    let _ = writeln!(
        code,
        "/// Every schema node of the supported kinds and versions, identical nodes once.\nstatic NODES: [Node; {}] = [",
        table.nodes.len()
    );
    for node in &table.nodes {
        let properties: Vec<String> = node
            .properties
            .iter()
            .map(|(name, child)| format!("({name:?}, {child})"))
            .collect();
        let additional = match node.additional {
            None => "Additional::Any".to_owned(),
            Some(None) => "Additional::Forbidden".to_owned(),
            Some(Some(n)) => format!("Additional::Each({n})"),
        };
        let _ = writeln!(
            code,
            "    Node {{ types: {}, reference: {}, properties: &[{}], additional: {additional}, required: &{:?}, items: {}, enumeration: &{:?}, one_of: &{:?} }},",
            node.types,
            none(node.reference),
            properties.join(", "),
            node.required,
            none(node.items),
            node.enumeration,
            node.one_of,
        );
    }
    code.push_str("];\n\n");
    let _ = writeln!(
        code,
        "/// The root node of each kind ([`KINDS`]) in each version ([`KUBE_VERSIONS`]).\nconst KIND_ROOTS: [[u32; {}]; {}] = {roots:?};",
        KINDS.len(),
        KUBE_VERSIONS.len()
    );
    std::fs::write(out.join("kube_schema_nodes.rs"), code).expect("OUT_DIR is writable");
}

/// Embeds the built-in catalog (`catalog/` at the workspace root) into the crate, so an installed
/// `berth` needs no files beside it: writes `$OUT_DIR/embedded_catalog.rs` (`FILES`, each file's
/// path relative to the catalog folder and its bytes through `include_bytes!`) and sets
/// `BERTH_CATALOG_DIGEST`, a 64-bit FNV-1a hash of every path and content: the catalog version
/// `berth version` reports, which also names the folder the files are unpacked to.
fn embed_catalog() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"))
        .join("../../catalog");
    println!("cargo::rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect_files(&root, &root, &mut files);
    files.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut fnv = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    let mut code = String::from("// @generated by build.rs from the catalog folder\n\n");
    code.push_str(
        "/// The built-in catalog's files: path relative to the catalog folder, content.\n",
    );
    code.push_str("pub(crate) static FILES: &[(&str, &[u8])] = &[\n");
    for relative in &files {
        let path = root.join(relative);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        fnv(relative.as_bytes());
        fnv(&(bytes.len() as u64).to_le_bytes());
        fnv(&bytes);
        let absolute = path.canonicalize().unwrap_or(path);
        let _ = writeln!(
            code,
            "    ({relative:?}, include_bytes!({:?})),",
            absolute.display().to_string()
        );
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("embedded_catalog.rs"), code).expect("write embedded_catalog.rs");
    println!("cargo::rustc-env=BERTH_CATALOG_DIGEST={hash:016x}");
}

/// Every file under `dir`, as `/`-separated paths relative to `root`.
fn collect_files(root: &std::path::Path, dir: &std::path::Path, files: &mut Vec<String>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("read the catalog folder").path();
        if path.is_dir() {
            collect_files(root, &path, files);
        } else if let Ok(relative) = path.strip_prefix(root) {
            let parts: Vec<_> = relative.iter().map(|p| p.to_string_lossy()).collect();
            files.push(parts.join("/"));
        }
    }
}
