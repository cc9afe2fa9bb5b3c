//! Encoding of JSON objects as protobuf messages on the same field table the decoder reads,
//! wrapped as the API server's protobuf serializer writes them: the `k8s\0` magic, then a
//! `runtime.Unknown` holding the `apiVersion`/`kind`, the message bytes and an empty
//! content encoding and type. Watch events are `meta.v1.WatchEvent` messages without that
//! envelope, their object the enveloped bytes, as the watch stream frames them.

use base64::Engine;
use serde_json::{Map, Value};

use super::{Field, message_of, schema, schema_props, special_form};

/// Protobuf wire types.
const VARINT: u64 = 0;
const FIXED64: u64 = 1;
const LEN: u64 = 2;

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn key(out: &mut Vec<u8>, tag: u64, wire: u64) {
    varint(out, (tag << 3) | wire);
}

fn len_field(out: &mut Vec<u8>, tag: u64, payload: &[u8]) {
    key(out, tag, LEN);
    varint(out, payload.len() as u64);
    out.extend_from_slice(payload);
}

fn varint_field(out: &mut Vec<u8>, tag: u64, v: u64) {
    key(out, tag, VARINT);
    varint(out, v);
}

/// An integer of a JSON number (also written as a float, e.g. `2.0`) or numeric string.
fn int_of(v: &Value) -> Option<i64> {
    v.as_i64()
        .or_else(|| v.as_u64().map(|u| u as i64))
        .or_else(|| v.as_f64().map(|f| f as i64))
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

/// Go's duration text (`1h2m3.5s`, `300ms`, `-1s`) in nanoseconds.
fn duration_nanos(s: &str) -> Option<i64> {
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest == "0" {
        return Some(0);
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let n: f64 = rest[..num_end].parse().ok()?;
        rest = &rest[num_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_end] {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += n * scale;
        rest = &rest[unit_end..];
    }
    let total = total.round() as i64;
    Some(if neg { -total } else { total })
}

/// The message bytes of a value whose JSON form is not an object of its fields.
fn encode_special(ty: &str, form: &str, v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    match form {
        "Time" | "MicroTime" => {
            let t = v.as_str().and_then(|s| {
                time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
            });
            if let Some(t) = t {
                varint_field(&mut out, 1, t.unix_timestamp() as u64);
                let nanos = if form == "MicroTime" {
                    t.nanosecond() / 1000 * 1000
                } else {
                    0
                };
                if nanos > 0 {
                    varint_field(&mut out, 2, u64::from(nanos));
                }
            }
        }
        "Quantity" => {
            let s = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            len_field(&mut out, 1, s.as_bytes());
        }
        "IntOrString" => match v {
            Value::String(s) => {
                varint_field(&mut out, 1, 1);
                varint_field(&mut out, 2, 0);
                len_field(&mut out, 3, s.as_bytes());
            }
            other => {
                varint_field(&mut out, 1, 0);
                varint_field(&mut out, 2, int_of(other).unwrap_or(0) as u64);
                len_field(&mut out, 3, b"");
            }
        },
        "Duration" => {
            let nanos = v.as_str().and_then(duration_nanos).unwrap_or(0);
            varint_field(&mut out, 1, nanos as u64);
        }
        "OrBool" | "OrArray" | "OrStringArray" => {
            let props = schema_props(ty);
            match v {
                Value::Bool(b) => varint_field(&mut out, 1, u64::from(*b)),
                Value::Object(obj) => {
                    let tag = if form == "OrBool" {
                        varint_field(&mut out, 1, 1);
                        2
                    } else {
                        1
                    };
                    len_field(&mut out, tag, &encode_message(&props, obj));
                }
                Value::Array(items) => {
                    for item in items {
                        match item {
                            Value::String(s) => len_field(&mut out, 2, s.as_bytes()),
                            Value::Object(obj) => {
                                len_field(&mut out, 2, &encode_message(&props, obj));
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        _ => len_field(&mut out, 1, &serde_json::to_vec(v).unwrap_or_default()),
    }
    out
}

/// Writes one value of type `ty` as field `tag`; nothing for a value of the wrong JSON type.
fn encode_value(out: &mut Vec<u8>, tag: u64, ty: &str, v: &Value) {
    match ty {
        "string" => {
            if let Some(s) = v.as_str() {
                len_field(out, tag, s.as_bytes());
            }
        }
        "bytes" => {
            let b = v
                .as_str()
                .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok());
            if let Some(b) = b {
                len_field(out, tag, &b);
            }
        }
        "bool" => {
            if let Some(b) = v.as_bool() {
                varint_field(out, tag, u64::from(b));
            }
        }
        // Negative int32 values are sign-extended to ten bytes, as protobuf has them.
        "int32" | "int64" => {
            if let Some(n) = int_of(v) {
                varint_field(out, tag, n as u64);
            }
        }
        "double" => {
            if let Some(f) = v.as_f64() {
                key(out, tag, FIXED64);
                out.extend_from_slice(&f.to_bits().to_le_bytes());
            }
        }
        message => {
            let bytes = match special_form(message) {
                Some(form) => encode_special(message, form, v),
                None => match v.as_object() {
                    Some(obj) => encode_message(message, obj),
                    None => return,
                },
            };
            len_field(out, tag, &bytes);
        }
    }
}

fn encode_field(out: &mut Vec<u8>, tag: u64, f: &Field, v: &Value) {
    match f.label {
        b'm' => {
            let Some(entries) = v.as_object() else { return };
            // Go writes map entries in key order.
            let mut keys: Vec<&String> = entries.keys().collect();
            keys.sort();
            for k in keys {
                let mut entry = Vec::new();
                len_field(&mut entry, 1, k.as_bytes());
                encode_value(&mut entry, 2, &f.ty, &entries[k]);
                len_field(out, tag, &entry);
            }
        }
        b'r' => {
            for item in v.as_array().into_iter().flatten() {
                encode_value(out, tag, &f.ty, item);
            }
        }
        _ => encode_value(out, tag, &f.ty, v),
    }
}

/// The bytes of message `message` from a JSON object of its fields; JSON fields the
/// message does not have are left out.
fn encode_message(message: &str, obj: &Map<String, Value>) -> Vec<u8> {
    let mut out = Vec::new();
    let Some(fields) = schema().messages.get(message) else {
        return out;
    };
    for (tag, f) in fields {
        // An embedded message whose fields are inline in this JSON object.
        if f.label == b'i' {
            len_field(&mut out, *tag, &encode_message(&f.ty, obj));
            continue;
        }
        match obj.get(&f.json) {
            None | Some(Value::Null) => {}
            Some(v) => encode_field(&mut out, *tag, f, v),
        }
    }
    out
}

/// The protobuf form of a JSON object whose `apiVersion`/`kind` has a message (a built-in
/// kind, its list, `Status`): the `k8s\0` magic and the `runtime.Unknown` envelope around
/// the message. `None` for other kinds (custom resources, `Table`).
pub(crate) fn encode(obj: &Value) -> Option<Vec<u8>> {
    let api_version = obj["apiVersion"].as_str().unwrap_or_default();
    let kind = obj["kind"].as_str()?;
    let message = message_of(api_version, kind)?;
    let raw = encode_message(message, obj.as_object()?);
    let mut type_meta = Vec::new();
    len_field(&mut type_meta, 1, api_version.as_bytes());
    len_field(&mut type_meta, 2, kind.as_bytes());
    let mut out = b"k8s\0".to_vec();
    len_field(&mut out, 1, &type_meta);
    len_field(&mut out, 2, &raw);
    len_field(&mut out, 3, b"");
    len_field(&mut out, 4, b"");
    Some(out)
}

/// A `meta.v1.WatchEvent` message (not enveloped): the event type and the enveloped object.
pub(crate) fn watch_event(event_type: &str, object: &[u8]) -> Vec<u8> {
    let mut raw_extension = Vec::new();
    len_field(&mut raw_extension, 1, object);
    let mut out = Vec::new();
    len_field(&mut out, 1, event_type.as_bytes());
    len_field(&mut out, 2, &raw_extension);
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::protobuf::decode;

    /// Encodes and decodes `obj`, which must come back unchanged.
    fn round_trip(obj: Value) {
        let bytes = encode(&obj).expect("a kind with a message");
        assert!(bytes.starts_with(b"k8s\0"));
        assert_eq!(decode(&bytes).expect("decodes"), obj);
    }

    fn meta(name: &str) -> Value {
        json!({
            "name": name,
            "namespace": "default",
            "uid": "0f6b7a4e-1111-4a5b-9c3d-222233334444",
            "resourceVersion": "42",
            "generation": 3,
            "creationTimestamp": "2026-01-02T03:04:05Z",
            "labels": {"app": "web", "tier": "front"},
            "annotations": {"note": "x"},
            "ownerReferences": [{
                "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1",
                "uid": "0f6b7a4e-5555-4a5b-9c3d-222233334444", "controller": true
            }],
            "managedFields": [{
                "manager": "kubectl", "operation": "Apply", "apiVersion": "v1",
                "time": "2026-01-02T03:04:05Z", "fieldsType": "FieldsV1",
                "fieldsV1": {"f:metadata": {"f:labels": {"f:app": {}}}}
            }]
        })
    }

    #[test]
    fn pod_with_containers_ports_resources_and_probes() {
        round_trip(json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": meta("web"),
            "spec": {
                "containers": [{
                    "name": "app",
                    "image": "nginx:1.27",
                    "args": ["-g", "daemon off;"],
                    "env": [{"name": "MODE", "value": "prod"}],
                    "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                    "resources": {
                        "limits": {"cpu": "500m", "memory": "128Mi"},
                        "requests": {"cpu": "250m", "memory": "64Mi"}
                    },
                    "livenessProbe": {
                        "httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP"},
                        "initialDelaySeconds": 5,
                        "periodSeconds": 10
                    },
                    "readinessProbe": {
                        "tcpSocket": {"port": 8080},
                        "failureThreshold": 3
                    },
                    "securityContext": {"runAsUser": 1000, "runAsNonRoot": true}
                }],
                "volumes": [{"name": "settings", "configMap": {"name": "settings"}}],
                "restartPolicy": "Always",
                "terminationGracePeriodSeconds": 30,
                "nodeName": "node-1",
                "hostNetwork": false
            },
            "status": {
                "phase": "Running",
                "podIP": "10.244.0.5",
                "startTime": "2026-01-02T03:04:06Z",
                "conditions": [{
                    "type": "Ready", "status": "True",
                    "lastTransitionTime": "2026-01-02T03:04:07Z"
                }],
                "containerStatuses": [{
                    "name": "app", "ready": true, "restartCount": 0, "image": "nginx:1.27",
                    "started": true,
                    "state": {"running": {"startedAt": "2026-01-02T03:04:06Z"}}
                }]
            }
        }));
    }

    #[test]
    fn deployment() {
        round_trip(json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": meta("web"),
            "spec": {
                "replicas": 3,
                "selector": {"matchLabels": {"app": "web"}},
                "strategy": {
                    "type": "RollingUpdate",
                    "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}
                },
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "app", "image": "nginx"}]}
                },
                "revisionHistoryLimit": 10,
                "progressDeadlineSeconds": 600
            },
            "status": {"observedGeneration": 3, "replicas": 3, "readyReplicas": 2}
        }));
    }

    #[test]
    fn service_with_int_or_string_target_ports() {
        round_trip(json!({
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": meta("web"),
            "spec": {
                "type": "ClusterIP",
                "clusterIP": "10.96.0.10",
                "selector": {"app": "web"},
                "ports": [
                    {"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"},
                    {"name": "metrics", "port": 9090, "targetPort": 9091, "protocol": "TCP"}
                ]
            }
        }));
    }

    #[test]
    fn secret_with_bytes_and_config_map() {
        round_trip(json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": meta("creds"),
            "type": "Opaque",
            "data": {"password": "AAECA/8=", "user": "YWRtaW4="}
        }));
        round_trip(json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": meta("settings"),
            "data": {"a.conf": "x = 1\n", "empty": ""},
            "binaryData": {"blob": "3q2+7w=="}
        }));
    }

    #[test]
    fn list_and_status() {
        round_trip(json!({
            "apiVersion": "v1",
            "kind": "ConfigMapList",
            "metadata": {"resourceVersion": "77", "continue": "abc", "remainingItemCount": 2},
            "items": [
                {"metadata": {"name": "a", "namespace": "default"}, "data": {"k": "v"}},
                {"metadata": {"name": "b", "namespace": "default"}}
            ]
        }));
        round_trip(json!({
            "apiVersion": "v1",
            "kind": "Status",
            "metadata": {},
            "status": "Failure",
            "message": "pods \"x\" not found",
            "reason": "NotFound",
            "details": {"name": "x", "kind": "pods"},
            "code": 404
        }));
    }

    #[test]
    fn custom_resource_definition_schemas() {
        round_trip(json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "gadgets.example.com"},
            "spec": {
                "group": "example.com",
                "names": {"plural": "gadgets", "kind": "Gadget"},
                "scope": "Namespaced",
                "versions": [{
                    "name": "v1", "served": true, "storage": true,
                    "schema": {"openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {
                                "type": "object",
                                "required": ["size"],
                                "properties": {
                                    "size": {"type": "integer", "default": 3, "minimum": 1.0},
                                    "mode": {"type": "string", "enum": ["a", "b"]},
                                    "labels": {
                                        "type": "object",
                                        "additionalProperties": {"type": "string"}
                                    },
                                    "extra": {"type": "object", "additionalProperties": true},
                                    "ref": {"$ref": "#/definitions/x"}
                                },
                                "x-kubernetes-preserve-unknown-fields": true
                            },
                            "list": {"type": "array", "items": {"type": "string"}},
                            "tuple": {"items": [{"type": "string"}, {"type": "integer"}]}
                        },
                        "dependencies": {"a": ["b", "c"]}
                    }}
                }]
            }
        }));
    }

    #[test]
    fn kinds_without_a_message_are_not_encoded() {
        assert!(encode(&json!({"apiVersion": "example.com/v1", "kind": "Widget"})).is_none());
        assert!(encode(&json!({"apiVersion": "meta.k8s.io/v1", "kind": "Table"})).is_none());
    }

    #[test]
    fn go_durations() {
        assert_eq!(duration_nanos("1h2m3.5s"), Some(3_723_500_000_000));
        assert_eq!(duration_nanos("300ms"), Some(300_000_000));
        assert_eq!(duration_nanos("-1s"), Some(-1_000_000_000));
        assert_eq!(duration_nanos("soon"), None);
    }
}
