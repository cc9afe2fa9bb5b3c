//! Writes `src/protobuf/schema.txt`, the field table kubesim's protobuf codec runs on, from
//! the sources of the `k8s-pb` crate (prost types generated from the Kubernetes protos: tags,
//! wire types, message types, and which message each `apiVersion`/`kind` is) and of
//! `k8s-openapi` (the JSON name of each field: prost keeps only the snake-case Rust name).
//!
//! ```text
//! cargo run -p kubesim --example protobuf_schema -- K8S_PB_SRC K8S_OPENAPI_SRC/v1_37 > tests/kubesim/src/protobuf/schema.txt
//! ```
//!
//! The two source directories are those of the versions in Cargo.lock (`cargo metadata`
//! names them). Lines: `M module.Message`, then its fields `F tag jsonName label type`
//! (label `o`ptional, `r`epeated or `m`ap; type a scalar or `module.Message`), and
//! `R apiVersion kind module.Message` for each served kind.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("readable directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// JSON names by Rust field name, from k8s-openapi's serde impls (`"hostIPC" => Field::Key_host_ipc`).
fn json_names(openapi: &Path) -> HashMap<String, String> {
    let mut files = Vec::new();
    walk(openapi, &mut files);
    let mut names = HashMap::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("readable source");
        for line in text.lines() {
            let line = line.trim();
            let Some((json, rest)) = line.split_once(" => Field::Key_") else {
                continue;
            };
            let json = json.trim_matches('"');
            let rust = rest.trim_end_matches(',');
            names
                .entry(rust.to_string())
                .or_insert_with(|| json.to_string());
        }
    }
    names
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in snake.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Resolves a Rust type path (`super::super::x::y::T` or `T`) seen in module `module`.
fn resolve(module: &[&str], path: &str) -> String {
    let mut parts: Vec<&str> = path.split("::").collect();
    let mut base: Vec<&str> = module.to_vec();
    while parts.first() == Some(&"super") {
        parts.remove(0);
        base.pop();
    }
    base.extend(parts);
    base.join(".")
}

fn inner_type(ty: &str) -> &str {
    let mut t = ty.trim().trim_end_matches(',').trim();
    for wrapper in [
        "::core::option::Option<",
        "::prost::alloc::vec::Vec<",
        "::prost::alloc::boxed::Box<",
    ] {
        while let Some(rest) = t.strip_prefix(wrapper) {
            t = rest
                .strip_suffix('>')
                .unwrap_or(rest)
                .trim()
                .trim_end_matches(',')
                .trim();
        }
    }
    t
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, pb, openapi] = args.as_slice() else {
        eprintln!("usage: protobuf_schema K8S_PB_SRC K8S_OPENAPI_VERSION_SRC");
        std::process::exit(2);
    };
    let names = json_names(Path::new(openapi));
    let mut files = Vec::new();
    walk(Path::new(pb), &mut files);
    let mut messages: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut kinds = Vec::new();
    for f in files {
        let rel = f.strip_prefix(pb).expect("under the source dir");
        let module: Vec<&str> = rel
            .parent()
            .map(|p| p.iter().filter_map(|s| s.to_str()).collect())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&f).expect("readable source");
        let lines: Vec<&str> = text.lines().collect();
        let mut current: Option<String> = None;
        let mut i = 0;
        while i < lines.len() {
            let l = lines[i].trim();
            if let Some(name) = l
                .strip_prefix("pub struct ")
                .and_then(|s| s.strip_suffix(" {"))
            {
                let id = format!("{}.{name}", module.join("."));
                messages.entry(id.clone()).or_default();
                current = Some(id);
            } else if l == "}" {
                current = None;
            } else if let Some(attr) = l
                .strip_prefix("#[prost(")
                .and_then(|s| s.strip_suffix(")]"))
            {
                // The field declaration follows, possibly wrapped over several lines.
                let mut decl = String::new();
                let mut j = i + 1;
                loop {
                    decl.push_str(lines[j].trim());
                    let open = decl.matches('<').count();
                    let close = decl.matches('>').count();
                    if open == close && decl.ends_with(',') {
                        break;
                    }
                    j += 1;
                }
                i = j;
                let (field, ty) = decl
                    .strip_prefix("pub ")
                    .and_then(|d| d.split_once(':'))
                    .expect("a field declaration");
                let field = field.trim().trim_start_matches("r#");
                let tag = attr
                    .split("tag = \"")
                    .nth(1)
                    .and_then(|s| s.split('"').next())
                    .expect("a tag");
                let json = names.get(field).cloned().unwrap_or_else(|| camel(field));
                let kind = attr.split(',').next().unwrap_or_default().trim();
                let (label, ty) = if let Some(map) = attr.strip_prefix("btree_map = \"") {
                    let value = map.split('"').next().unwrap_or_default();
                    let value = value.split(", ").nth(1).unwrap_or_default();
                    let vty = if value == "message" {
                        let t = inner_type(ty);
                        let v = t.rsplit_once(", ").map(|(_, v)| v).unwrap_or(t);
                        resolve(
                            &module,
                            v.trim_end_matches('>').trim().trim_end_matches(','),
                        )
                    } else {
                        value.to_string()
                    };
                    ("m", vty)
                } else {
                    let label = if attr.contains("repeated") { "r" } else { "o" };
                    let ty = match kind {
                        "message" => resolve(&module, inner_type(ty)),
                        "bytes = \"vec\"" => "bytes".to_string(),
                        k => k.to_string(),
                    };
                    (label, ty)
                };
                if let Some(m) = &current {
                    messages
                        .get_mut(m)
                        .expect("declared")
                        .push(format!("F {tag} {json} {label} {ty}"));
                }
            } else if let Some(name) = l
                .strip_prefix("impl crate::Resource for ")
                .and_then(|s| s.strip_suffix(" {"))
            {
                let api_version = lines[i + 1].split('"').nth(1).expect("API_VERSION");
                let kind = lines[i + 4].split('"').nth(1).expect("KIND");
                kinds.push(format!(
                    "R {api_version} {kind} {}.{name}",
                    module.join(".")
                ));
            }
            i += 1;
        }
    }
    for (m, fields) in messages {
        println!("M {m}");
        for f in fields {
            println!("{f}");
        }
    }
    for k in kinds {
        println!("{k}");
    }
}
