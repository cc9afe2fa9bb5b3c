// The `$ref`s of a schema bundle's definitions: used by `build.rs` to cut one standalone schema
// per kind, and by `kube.rs`'s tests to check that each cut is closed. `Value` is serde_json's.

/// Pushes the definition names of every `#/$defs/...` reference within `schema`.
fn collect_refs(schema: &Value, into: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("$ref", Value::String(target)) => {
                        if let Some(name) = target.strip_prefix("#/$defs/") {
                            into.push(name.replace("~1", "/").replace("~0", "~"));
                        }
                    }
                    _ => collect_refs(value, into),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, into)),
        _ => {}
    }
}
