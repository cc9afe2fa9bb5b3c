//! The `application/vnd.kubernetes.protobuf` codec of every built-in kind: request bodies
//! are decoded into JSON here (Go typed clients write them with protobuf: kubectl's
//! `create <kind>` generators and `kubectl run`, helm's release storage, client-go
//! programs), and [`encode`] writes JSON objects as protobuf for the clients that ask for
//! protobuf responses.
//!
//! The codec runs on `schema.txt`, a field table (tag, JSON name, label, type of every
//! message, and the message of each `apiVersion`/`kind`) generated from the `k8s-pb`
//! crate's prost types and `k8s-openapi`'s JSON names by `examples/protobuf_schema.rs`:
//! `k8s-pb` has no serde or reflection support, so a table read at run time is the one
//! generic route between JSON and its messages.

mod encode;

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use base64::Engine;
use serde_json::{Map, Value, json};

use crate::status::ApiError;

/// One field of a message: its JSON name, whether it repeats (`r`), is a map (`m`) or is
/// optional (`o`), and its type (a scalar name or a message id).
struct Field {
    json: String,
    label: u8,
    ty: String,
}

/// The field tables generated from the `k8s-pb` crate (see `examples/protobuf_schema.rs`).
struct Schema {
    /// Fields by tag, in tag order (the order the API server writes them in).
    messages: HashMap<String, BTreeMap<u64, Field>>,
    kinds: HashMap<(String, String), String>,
}

/// Whether field `json` of `message` is a message Go embeds `json:",inline"`: its fields
/// are the JSON object's own. The table names such fields like others (the embedded type's
/// name), so they are listed here.
fn inline(message: &str, json: &str) -> bool {
    let short = message.rsplit('.').next().unwrap_or_default();
    matches!(
        json,
        "localObjectReference"
            | "volumeSource"
            | "persistentVolumeSource"
            | "ephemeralContainerCommon"
            | "ruleWithOperations"
            | "deviceConfiguration"
            | "ingressRuleValue"
    ) || (short == "Probe" && json == "handler")
        || (short == "RuleWithOperations" && json == "rule")
}

/// The value type of a map field: the table names maps with message values by their Rust
/// type (`…BTreeMap<…String,super.super.…resource.Quantity`), read here as the message.
fn map_value_type(ty: &str) -> String {
    if !ty.contains("BTreeMap<") {
        return ty.to_string();
    }
    let value = ty.rsplit(',').next().unwrap_or(ty).trim_end_matches('>');
    let mut value = value;
    while let Some(rest) = value.strip_prefix("super.") {
        value = rest;
    }
    value.to_string()
}

fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let mut messages: HashMap<String, BTreeMap<u64, Field>> = HashMap::new();
        let mut kinds = HashMap::new();
        let mut current = String::new();
        for line in include_str!("schema.txt").lines() {
            let parts: Vec<&str> = line.split(' ').collect();
            match parts.as_slice() {
                ["M", id] => {
                    current = (*id).to_string();
                    messages.entry(current.clone()).or_default();
                }
                ["F", tag, json, label, ty] => {
                    let inline = inline(&current, json);
                    // Names the table spells as Rust fields: JSON Schema's own and openAPIV3Schema.
                    let json = match *json {
                        "ref" if current.ends_with(".JsonSchemaProps") => "$ref",
                        "schema" if current.ends_with(".JsonSchemaProps") => "$schema",
                        "openApiv3Schema" => "openAPIV3Schema",
                        other => other,
                    };
                    let f = Field {
                        json: (*json).to_string(),
                        label: if inline { b'i' } else { label.as_bytes()[0] },
                        ty: map_value_type(ty),
                    };
                    if let (Some(m), Ok(tag)) = (messages.get_mut(&current), tag.parse()) {
                        m.insert(tag, f);
                    }
                }
                ["R", api_version, kind, id] => {
                    kinds.insert(
                        ((*api_version).to_string(), (*kind).to_string()),
                        (*id).to_string(),
                    );
                }
                _ => {}
            }
        }
        // Kinds outside the resource list that clients still send as bodies.
        for (kind, id) in [
            (
                "DeleteOptions",
                "apimachinery.pkg.apis.meta.v1.DeleteOptions",
            ),
            ("Status", "apimachinery.pkg.apis.meta.v1.Status"),
        ] {
            kinds.insert(("v1".into(), kind.into()), id.into());
            kinds.insert(("meta.k8s.io/v1".into(), kind.into()), id.into());
        }
        // The scale subresource's kind.
        kinds.insert(
            ("autoscaling/v1".into(), "Scale".into()),
            "api.autoscaling.v1.Scale".into(),
        );
        Schema { messages, kinds }
    })
}

/// The protobuf message of an `apiVersion`/`kind`: a built-in kind, its `<Kind>List`, or
/// `Status`. `None` for kinds without one (custom resources, `Table`).
pub(crate) fn message_of(api_version: &str, kind: &str) -> Option<&'static str> {
    let sch = schema();
    if let Some(m) = sch.kinds.get(&(api_version.to_string(), kind.to_string())) {
        return Some(m.as_str());
    }
    let item = kind.strip_suffix("List")?;
    let m = sch
        .kinds
        .get(&(api_version.to_string(), item.to_string()))?;
    let (id, _) = sch.messages.get_key_value(&format!("{m}List"))?;
    Some(id.as_str())
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

fn bad(msg: &str) -> ApiError {
    ApiError::bad_request(format!("invalid protobuf body: {msg}"))
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Result<u64, ApiError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self
                .buf
                .get(self.pos)
                .ok_or_else(|| bad("truncated varint"))?;
            self.pos += 1;
            v |= ((b & 0x7f) as u64) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(bad("varint too long"))
    }

    fn bytes(&mut self) -> Result<&'a [u8], ApiError> {
        let len = self.varint()? as usize;
        let end = self.pos.checked_add(len).filter(|e| *e <= self.buf.len());
        let end = end.ok_or_else(|| bad("truncated field"))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    /// Reads all fields as (number, wire value).
    fn fields(mut self) -> Result<Vec<(u64, Wire<'a>)>, ApiError> {
        let mut out = Vec::new();
        while self.pos < self.buf.len() {
            let key = self.varint()?;
            let (num, wt) = (key >> 3, key & 7);
            let v = match wt {
                0 => Wire::Varint(self.varint()?),
                2 => Wire::Len(self.bytes()?),
                1 => {
                    let end = self.pos + 8;
                    let b = self
                        .buf
                        .get(self.pos..end)
                        .ok_or_else(|| bad("truncated field"))?;
                    self.pos = end;
                    Wire::Fixed64(u64::from_le_bytes(b.try_into().unwrap_or_default()))
                }
                5 => {
                    self.pos += 4;
                    Wire::Skip
                }
                _ => return Err(bad("unsupported wire type")),
            };
            out.push((num, v));
        }
        Ok(out)
    }
}

enum Wire<'a> {
    Varint(u64),
    Len(&'a [u8]),
    Fixed64(u64),
    Skip,
}

fn text(b: &[u8]) -> Value {
    Value::String(String::from_utf8_lossy(b).into_owned())
}

fn rfc3339(secs: i64, nanos: i64) -> Value {
    let t = time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| {
            t.replace_nanosecond((nanos.max(0) as u32) / 1000 * 1000)
                .ok()
        });
    t.and_then(|t| {
        t.format(&time::format_description::well_known::Rfc3339)
            .ok()
    })
    .map_or(Value::Null, Value::String)
}

/// The messages whose JSON is not an object of their fields, by the name of their JSON form:
/// `Time`, `MicroTime`, `Quantity`, `IntOrString`, `Duration`, `Raw` (embedded JSON), or a
/// CRD schema's `OrBool` (a bool or a schema), `OrArray` (a schema or a list of them) and
/// `OrStringArray` (a schema or a list of strings).
fn special_form(ty: &str) -> Option<&'static str> {
    if let Some(rest) = ty.strip_prefix("apiextensions_apiserver.pkg.apis.apiextensions.") {
        return match rest.rsplit('.').next().unwrap_or_default() {
            "Json" => Some("Raw"),
            "JsonSchemaPropsOrBool" => Some("OrBool"),
            "JsonSchemaPropsOrArray" => Some("OrArray"),
            "JsonSchemaPropsOrStringArray" => Some("OrStringArray"),
            _ => None,
        };
    }
    Some(match ty {
        "apimachinery.pkg.apis.meta.v1.Time" => "Time",
        "apimachinery.pkg.apis.meta.v1.MicroTime" => "MicroTime",
        "apimachinery.pkg.api.resource.Quantity" => "Quantity",
        "apimachinery.pkg.util.intstr.IntOrString" => "IntOrString",
        "apimachinery.pkg.runtime.RawExtension" | "apimachinery.pkg.apis.meta.v1.FieldsV1" => "Raw",
        "apimachinery.pkg.apis.meta.v1.Duration" => "Duration",
        _ => return None,
    })
}

/// The `JSONSchemaProps` message next to a CRD schema's `JSONSchemaPropsOr…` message.
fn schema_props(ty: &str) -> String {
    let module = ty.rsplit_once('.').map_or(ty, |(m, _)| m);
    format!("{module}.JsonSchemaProps")
}

/// The JSON form of the messages whose JSON is not an object of their fields.
fn special(ty: &str, buf: &[u8]) -> Result<Option<Value>, ApiError> {
    let Some(generic) = special_form(ty) else {
        return Ok(None);
    };
    let fields = Reader { buf, pos: 0 }.fields()?;
    let num = |n: u64| {
        fields.iter().find_map(|(k, w)| match w {
            Wire::Varint(v) if *k == n => Some(*v as i64),
            _ => None,
        })
    };
    let bytes = |n: u64| {
        fields.iter().find_map(|(k, w)| match w {
            Wire::Len(b) if *k == n => Some(*b),
            _ => None,
        })
    };
    Ok(Some(match generic {
        "Time" | "MicroTime" => {
            let secs = num(1).unwrap_or(0);
            if secs == 0 {
                Value::Null
            } else {
                rfc3339(
                    secs,
                    if generic == "MicroTime" {
                        num(2).unwrap_or(0)
                    } else {
                        0
                    },
                )
            }
        }
        "Quantity" => text(bytes(1).unwrap_or_default()),
        "IntOrString" => {
            if num(1).unwrap_or(0) == 1 {
                text(bytes(3).unwrap_or_default())
            } else {
                json!(num(2).unwrap_or(0))
            }
        }
        "Duration" => json!(format!("{}s", num(1).unwrap_or(0) as f64 / 1e9)),
        "OrBool" => match bytes(2) {
            Some(b) => decode_message(&schema_props(ty), b)?,
            None => json!(num(1).unwrap_or(0) != 0),
        },
        "OrArray" | "OrStringArray" => {
            let mut items = Vec::new();
            for (n, w) in &fields {
                match (n, w) {
                    (2, Wire::Len(b)) if generic == "OrStringArray" => items.push(text(b)),
                    (2, Wire::Len(b)) => items.push(decode_message(&schema_props(ty), b)?),
                    _ => {}
                }
            }
            match bytes(1) {
                Some(b) if items.is_empty() => decode_message(&schema_props(ty), b)?,
                _ => Value::Array(items),
            }
        }
        _ => {
            let raw = bytes(1).unwrap_or_default();
            if raw.is_empty() {
                Value::Null
            } else {
                serde_json::from_slice(raw).map_err(|_| bad("embedded object is not JSON"))?
            }
        }
    }))
}

fn scalar(ty: &str, wire: &Wire<'_>) -> Option<Value> {
    match (ty, wire) {
        // gogo-protobuf writes empty strings of non-pointer fields: they mean "unset".
        ("string", Wire::Len(b)) if !b.is_empty() => Some(text(b)),
        ("bytes", Wire::Len(b)) => Some(json!(base64::engine::general_purpose::STANDARD.encode(b))),
        ("bool", Wire::Varint(v)) => Some(json!(*v != 0)),
        ("int32", Wire::Varint(v)) => Some(json!(*v as i64 as i32)),
        ("int64", Wire::Varint(v)) => Some(json!(*v as i64)),
        ("double", Wire::Fixed64(v)) => Some(json!(f64::from_bits(*v))),
        _ => None,
    }
}

fn value_of(ty: &str, wire: &Wire<'_>) -> Result<Option<Value>, ApiError> {
    match wire {
        Wire::Len(b) if schema().messages.contains_key(ty) => {
            if let Some(v) = special(ty, b)? {
                return Ok(Some(v).filter(|v| !v.is_null()));
            }
            decode_message(ty, b).map(Some)
        }
        w => Ok(scalar(ty, w)),
    }
}

fn decode_message(message: &str, buf: &[u8]) -> Result<Value, ApiError> {
    let fields = Reader { buf, pos: 0 }.fields()?;
    let mut out = Map::new();
    let Some(sch) = schema().messages.get(message) else {
        return Ok(Value::Object(out));
    };
    for (num, wire) in fields {
        let Some(f) = sch.get(&num) else {
            continue;
        };
        match f.label {
            b'm' => {
                let Wire::Len(b) = wire else { continue };
                let mut key = String::new();
                let mut val = None;
                for (n, w) in (Reader { buf: b, pos: 0 }).fields()? {
                    match n {
                        1 => {
                            if let Wire::Len(k) = w {
                                key = String::from_utf8_lossy(k).into_owned();
                            }
                        }
                        2 => val = value_of(&f.ty, &w)?,
                        _ => {}
                    }
                }
                let val = val.unwrap_or_else(|| match f.ty.as_str() {
                    "string" | "bytes" => json!(""),
                    _ => json!({}),
                });
                let e = out.entry(f.json.clone()).or_insert_with(|| json!({}));
                if let Some(m) = e.as_object_mut() {
                    m.insert(key, val);
                }
            }
            b'i' => {
                if let Some(Value::Object(inner)) = value_of(&f.ty, &wire)? {
                    out.extend(inner);
                }
            }
            b'r' => {
                let items: Vec<Value> = match (f.ty.as_str(), &wire) {
                    // Packed repeated integers.
                    ("int32" | "int64", Wire::Len(b)) => {
                        let mut r = Reader { buf: b, pos: 0 };
                        let mut v = Vec::new();
                        while r.pos < b.len() {
                            v.push(json!(r.varint()? as i64));
                        }
                        v
                    }
                    ("string", Wire::Len(b)) => vec![text(b)],
                    _ => value_of(&f.ty, &wire)?.into_iter().collect(),
                };
                let e = out.entry(f.json.clone()).or_insert_with(|| json!([]));
                if let Some(a) = e.as_array_mut() {
                    a.extend(items);
                }
            }
            _ => {
                if let Some(v) = value_of(&f.ty, &wire)? {
                    out.insert(f.json.clone(), v);
                }
            }
        }
    }
    Ok(Value::Object(out))
}

/// Decodes a protobuf-encoded Kubernetes object (the `k8s\0` envelope) to JSON.
pub(crate) fn decode(body: &[u8]) -> Result<Value, ApiError> {
    let inner = body
        .strip_prefix(b"k8s\0")
        .ok_or_else(|| bad("missing k8s envelope"))?;
    let mut api_version = String::new();
    let mut kind = String::new();
    let mut raw: &[u8] = &[];
    for (n, w) in (Reader { buf: inner, pos: 0 }).fields()? {
        match (n, w) {
            (1, Wire::Len(tm)) => {
                for (n, w) in (Reader { buf: tm, pos: 0 }).fields()? {
                    match (n, w) {
                        (1, Wire::Len(v)) => api_version = String::from_utf8_lossy(v).into_owned(),
                        (2, Wire::Len(v)) => kind = String::from_utf8_lossy(v).into_owned(),
                        _ => {}
                    }
                }
            }
            (2, Wire::Len(r)) => raw = r,
            _ => {}
        }
    }
    let Some(message) = message_of(&api_version, &kind) else {
        return Err(ApiError::unsupported_media(&format!(
            "application/vnd.kubernetes.protobuf for {api_version} {kind} (not a built-in kind)"
        )));
    };
    let mut v = decode_message(message, raw)?;
    if !api_version.is_empty() {
        v["apiVersion"] = json!(api_version);
    }
    v["kind"] = json!(kind);
    Ok(v)
}

pub(crate) use encode::{encode, watch_event};

#[cfg(test)]
mod tests {
    use super::*;

    fn field(num: u64, payload: &[u8]) -> Vec<u8> {
        let mut v = vec![((num << 3) | 2) as u8, payload.len() as u8];
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn decodes_a_secret() {
        let meta = [
            field(1, b"sh.helm.release.v1.demo.v1"),
            field(11, &[field(1, b"owner"), field(2, b"helm")].concat()),
        ]
        .concat();
        let secret = [
            field(1, &meta),
            field(2, &[field(1, b"release"), field(2, b"\x01\x02")].concat()),
            field(3, b"helm.sh/release.v1"),
        ]
        .concat();
        let typemeta = [field(1, b"v1"), field(2, b"Secret")].concat();
        let body = [b"k8s\0".to_vec(), field(1, &typemeta), field(2, &secret)].concat();
        let v = decode(&body).unwrap();
        assert_eq!(v["kind"], "Secret");
        assert_eq!(v["metadata"]["name"], "sh.helm.release.v1.demo.v1");
        assert_eq!(v["metadata"]["labels"]["owner"], "helm");
        assert_eq!(v["data"]["release"], "AQI=");
        assert_eq!(v["type"], "helm.sh/release.v1");
    }
}
