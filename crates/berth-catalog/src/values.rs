//! Parameter handling: defaults, JSON Schema validation, Berth's text rules and `--set` parsing.
//!
//! Validation order: size limit, defaults, JSON Schema (2020-12), then text rules. A string is
//! *plain* unless its schema says `"x-berth-free-text": true`. Plain strings must be one line,
//! hold no template syntax and only the characters `A-Z a-z 0-9 . _ - : / @ + = ,` — so they can
//! never carry YAML syntax either. Free-text strings may hold anything up to [`MAX_FREE_TEXT`]
//! bytes and reach the rendered objects verbatim as data.

use serde_json::{Map, Value};

use crate::error::{CatalogError, ParamError};

/// Longest plain (non free-text) string, in bytes.
pub const MAX_PLAIN_TEXT: usize = 1024;
/// Longest free-text string, in bytes.
pub const MAX_FREE_TEXT: usize = 64 * 1024;
/// Largest parameter document, serialised as JSON, in bytes.
pub const MAX_DOCUMENT: usize = 256 * 1024;
/// Schema extension marking a string parameter as free text.
pub const FREE_TEXT: &str = "x-berth-free-text";

/// Validates parameters against a compiled schema: fills defaults in `values`, then returns every
/// broken rule (empty when valid).
pub fn validate(
    values: &mut Value,
    schema: &Value,
    validator: &jsonschema::Validator,
) -> Vec<ParamError> {
    let size = serde_json::to_string(values).map(|s| s.len()).unwrap_or(0);
    if size > MAX_DOCUMENT {
        return vec![ParamError {
            path: String::new(),
            rule: "max-size".into(),
            message: format!("parameters are {size} bytes, the limit is {MAX_DOCUMENT}"),
        }];
    }
    if values.is_null() {
        *values = Value::Object(Map::new());
    }
    apply_defaults(values, schema);
    let mut errors: Vec<ParamError> = if validator.is_valid(values) {
        Vec::new()
    } else {
        validator
            .iter_errors(values)
            .map(|e| ParamError {
                path: dotted(&e.instance_path().to_string()),
                rule: e.kind().keyword().to_string(),
                message: e.to_string(),
            })
            .collect()
    };
    check_text(values, Some(schema), schema, String::new(), &mut errors);
    errors.sort_by(|a, b| (&a.path, &a.rule).cmp(&(&b.path, &b.rule)));
    errors.dedup();
    errors
}

fn dotted(pointer: &str) -> String {
    pointer.trim_start_matches('/').replace('/', ".")
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Resolves a local `$ref` (`#/$defs/x`) against the root schema.
fn resolve<'a>(schema: &'a Value, root: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix('#')
            .and_then(|p| root.pointer(p))
            .map(|s| resolve(s, root))
            .unwrap_or(schema),
        None => schema,
    }
}

/// Inserts schema defaults for absent properties, recursing into objects (an absent object with
/// properties is created so its own defaults apply) and array items.
pub fn apply_defaults(values: &mut Value, root: &Value) {
    fill(values, root, root);
}

fn fill(value: &mut Value, schema: &Value, root: &Value) {
    let schema = resolve(schema, root);
    match value {
        Value::Object(map) => {
            let Some(props) = schema.get("properties").and_then(Value::as_object) else {
                return;
            };
            for (key, prop) in props {
                let prop = resolve(prop, root);
                if !map.contains_key(key) {
                    if let Some(default) = prop.get("default") {
                        map.insert(key.clone(), default.clone());
                    } else if prop.get("properties").is_some() {
                        map.insert(key.clone(), Value::Object(Map::new()));
                    }
                }
                if let Some(child) = map.get_mut(key) {
                    fill(child, prop, root);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    fill(item, item_schema, root);
                }
            }
        }
        _ => {}
    }
}

fn is_free_text(schema: Option<&Value>) -> bool {
    schema
        .and_then(|s| s.get(FREE_TEXT))
        .and_then(Value::as_bool)
        == Some(true)
}

fn plain_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "._-:/@+=,".contains(c)
}

fn check_text(
    value: &Value,
    schema: Option<&Value>,
    root: &Value,
    path: String,
    errors: &mut Vec<ParamError>,
) {
    let schema = schema.map(|s| resolve(s, root));
    match value {
        Value::String(s) => {
            let mut fail = |rule: &str, message: String| {
                errors.push(ParamError {
                    path: path.clone(),
                    rule: rule.into(),
                    message,
                })
            };
            if is_free_text(schema) {
                if s.len() > MAX_FREE_TEXT {
                    fail(
                        "max-size",
                        format!("{} bytes of text, the limit is {MAX_FREE_TEXT}", s.len()),
                    );
                }
                return;
            }
            if s.len() > MAX_PLAIN_TEXT {
                fail(
                    "max-size",
                    format!("{} bytes, the limit is {MAX_PLAIN_TEXT}", s.len()),
                );
            } else if s.contains("{{") || s.contains("{%") || s.contains("{#") {
                fail(
                    "no-template",
                    "template syntax (`{{`, `{%`, `{#`) is not allowed".into(),
                );
            } else if s.contains(['\n', '\r']) {
                fail("single-line", "line breaks are not allowed".into());
            } else if !s.chars().all(plain_char) {
                fail(
                    "plain-text",
                    "only letters, digits and . _ - : / @ + = , are allowed".into(),
                );
            }
        }
        Value::Object(map) => {
            let props = schema.and_then(|s| s.get("properties"));
            let extra = schema
                .and_then(|s| s.get("additionalProperties"))
                .filter(|v| v.is_object());
            for (key, child) in map {
                let child_schema = props.and_then(|p| p.get(key)).or(extra);
                check_text(child, child_schema, root, join(&path, key), errors);
            }
        }
        Value::Array(items) => {
            let item_schema = schema.and_then(|s| s.get("items"));
            for (i, child) in items.iter().enumerate() {
                check_text(
                    child,
                    item_schema,
                    root,
                    join(&path, &i.to_string()),
                    errors,
                );
            }
        }
        _ => {}
    }
}

/// Applies one `key.path=value` expression (as `--set` gives it) to `values`, converting the text
/// to the type the schema declares at that path: integers, numbers, booleans, arrays
/// (comma separated, or JSON), objects (JSON) and strings; `null` removes the key.
/// Unknown paths are rejected.
///
/// ```
/// # use serde_json::json;
/// let schema = json!({"type": "object", "properties": {
///     "replicas": {"type": "integer"},
///     "resources": {"type": "object", "properties": {"memory": {"type": "string"}}}}});
/// let mut values = json!({});
/// berth_catalog::values::apply_set(&mut values, "replicas=3", &schema).unwrap();
/// berth_catalog::values::apply_set(&mut values, "resources.memory=2Gi", &schema).unwrap();
/// assert_eq!(values, json!({"replicas": 3, "resources": {"memory": "2Gi"}}));
/// ```
pub fn apply_set(values: &mut Value, expr: &str, schema: &Value) -> Result<(), CatalogError> {
    let bad = |message: String| CatalogError::InvalidSet {
        expr: expr.to_string(),
        message,
    };
    let (key, text) = expr
        .split_once('=')
        .ok_or_else(|| bad("expected key=value".into()))?;
    let parts: Vec<&str> = key.trim().split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(bad("empty key segment".into()));
    }
    // find the leaf schema
    let mut node = resolve(schema, schema);
    for part in &parts {
        let next = if let Some(p) = node.get("properties").and_then(|p| p.get(*part)) {
            Some(p)
        } else if let (Some(items), Ok(_)) = (node.get("items"), part.parse::<usize>()) {
            Some(items)
        } else {
            node.get("additionalProperties").filter(|v| v.is_object())
        };
        node = resolve(
            next.ok_or_else(|| bad(format!("unknown parameter `{key}`")))?,
            schema,
        );
    }
    let typed = if text == "null" {
        Value::Null
    } else {
        coerce(text, node).map_err(bad)?
    };
    // write
    if !values.is_object() {
        *values = Value::Object(Map::new());
    }
    let mut cur = values;
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        match cur {
            Value::Object(map) => {
                if last {
                    if typed.is_null() {
                        map.remove(*part);
                    } else {
                        map.insert((*part).to_string(), typed);
                    }
                    return Ok(());
                }
                cur = map
                    .entry((*part).to_string())
                    .or_insert_with(|| Value::Object(Map::new()));
            }
            Value::Array(items) => {
                let idx: usize = part
                    .parse()
                    .map_err(|_| bad(format!("`{part}` is not an index")))?;
                let slot = items
                    .get_mut(idx)
                    .ok_or_else(|| bad(format!("index {idx} is out of range")))?;
                if last {
                    *slot = typed;
                    return Ok(());
                }
                cur = slot;
            }
            _ => {
                return Err(bad(format!(
                    "`{part}` is inside a value that is not an object"
                )));
            }
        }
    }
    Ok(())
}

fn types(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

fn coerce(text: &str, schema: &Value) -> Result<Value, String> {
    let types = types(schema);
    for t in &types {
        let parsed = match *t {
            "integer" => text.parse::<i64>().ok().map(Value::from),
            "number" => text
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number),
            "boolean" => match text {
                "true" => Some(Value::Bool(true)),
                "false" => Some(Value::Bool(false)),
                _ => None,
            },
            "array" => Some(match serde_json::from_str::<Value>(text) {
                Ok(v @ Value::Array(_)) => v,
                _ if text.is_empty() => Value::Array(vec![]),
                _ => {
                    let item = schema.get("items").cloned().unwrap_or(Value::Null);
                    Value::Array(
                        text.split(',')
                            .map(|s| {
                                coerce(s.trim(), &item)
                                    .unwrap_or_else(|_| Value::String(s.trim().into()))
                            })
                            .collect(),
                    )
                }
            }),
            "object" => serde_json::from_str::<Value>(text)
                .ok()
                .filter(Value::is_object),
            "string" => Some(Value::String(text.to_string())),
            _ => None,
        };
        if let Some(v) = parsed {
            return Ok(v);
        }
    }
    if types.is_empty() {
        return Ok(serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string())));
    }
    Err(format!("`{text}` is not a valid {}", types.join(" or ")))
}
