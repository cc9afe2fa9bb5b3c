//! Decoding of `application/vnd.kubernetes.protobuf` request bodies into JSON, for the
//! kinds Go typed clients write with protobuf: kubectl's `create <kind>` generators and
//! helm's release storage (Secrets, ConfigMaps), Namespaces and DeleteOptions. Responses
//! are always JSON, which those clients accept.
//!
//! The field numbers come from the `generated.proto` files of k8s.io/api and
//! k8s.io/apimachinery.

use base64::Engine;
use serde_json::{Map, Value, json};

use crate::status::ApiError;

#[derive(Clone, Copy)]
enum Kind {
    Str,
    Int,
    Bool,
    Time,
    Msg(&'static str),
    MapStr,
    MapBytes,
    RepStr,
    RepMsg(&'static str),
}

type Field = (u64, &'static str, Kind);

fn schema(message: &str) -> &'static [Field] {
    use Kind::*;
    match message {
        "ObjectMeta" => &[
            (1, "name", Str),
            (2, "generateName", Str),
            (3, "namespace", Str),
            (5, "uid", Str),
            (6, "resourceVersion", Str),
            (7, "generation", Int),
            (8, "creationTimestamp", Time),
            (10, "deletionGracePeriodSeconds", Int),
            (11, "labels", MapStr),
            (12, "annotations", MapStr),
            (13, "ownerReferences", RepMsg("OwnerReference")),
            (14, "finalizers", RepStr),
        ],
        "OwnerReference" => &[
            (1, "kind", Str),
            (3, "name", Str),
            (4, "uid", Str),
            (5, "apiVersion", Str),
            (6, "controller", Bool),
            (7, "blockOwnerDeletion", Bool),
        ],
        "Secret" => &[
            (1, "metadata", Msg("ObjectMeta")),
            (2, "data", MapBytes),
            (3, "type", Str),
            (4, "stringData", MapStr),
            (5, "immutable", Bool),
        ],
        "ConfigMap" => &[
            (1, "metadata", Msg("ObjectMeta")),
            (2, "data", MapStr),
            (3, "binaryData", MapBytes),
            (4, "immutable", Bool),
        ],
        "Namespace" => &[
            (1, "metadata", Msg("ObjectMeta")),
            (2, "spec", Msg("NamespaceSpec")),
        ],
        "NamespaceSpec" => &[(1, "finalizers", RepStr)],
        "ServiceAccount" => &[(1, "metadata", Msg("ObjectMeta"))],
        "DeleteOptions" => &[
            (1, "gracePeriodSeconds", Int),
            (2, "preconditions", Msg("Preconditions")),
            (3, "orphanDependents", Bool),
            (4, "propagationPolicy", Str),
            (5, "dryRun", RepStr),
        ],
        "Preconditions" => &[(1, "uid", Str), (2, "resourceVersion", Str)],
        _ => &[],
    }
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
                    self.pos += 8;
                    Wire::Skip
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
    Skip,
}

fn text(b: &[u8]) -> Value {
    Value::String(String::from_utf8_lossy(b).into_owned())
}

fn decode_message(message: &str, buf: &[u8]) -> Result<Value, ApiError> {
    let fields = Reader { buf, pos: 0 }.fields()?;
    let mut out = Map::new();
    let sch = schema(message);
    for (num, wire) in fields {
        let Some((_, name, kind)) = sch.iter().find(|(n, _, _)| *n == num) else {
            continue;
        };
        let name = name.to_string();
        match (kind, wire) {
            // gogo-protobuf writes empty strings, zeros and false: they mean "unset".
            (Kind::Str, Wire::Len(b)) if !b.is_empty() => {
                out.insert(name, text(b));
            }
            (Kind::Int, Wire::Varint(v)) if v != 0 => {
                out.insert(name, json!(v as i64));
            }
            (Kind::Bool, Wire::Varint(v)) if v != 0 => {
                out.insert(name, json!(v != 0));
            }
            (Kind::Time, Wire::Len(b)) => {
                let secs = Reader { buf: b, pos: 0 }
                    .fields()?
                    .into_iter()
                    .find_map(|(n, w)| match (n, w) {
                        (1, Wire::Varint(v)) => Some(v as i64),
                        _ => None,
                    })
                    .unwrap_or(0);
                if secs == 0 {
                    continue;
                }
                if let Ok(t) = time::OffsetDateTime::from_unix_timestamp(secs)
                    && let Ok(s) = t.format(&time::format_description::well_known::Rfc3339)
                {
                    out.insert(name, json!(s));
                }
            }
            (Kind::Msg(m), Wire::Len(b)) => {
                out.insert(name, decode_message(m, b)?);
            }
            (Kind::RepStr, Wire::Len(b)) => {
                let e = out.entry(name).or_insert_with(|| json!([]));
                if let Some(a) = e.as_array_mut() {
                    a.push(text(b));
                }
            }
            (Kind::RepMsg(m), Wire::Len(b)) => {
                let v = decode_message(m, b)?;
                let e = out.entry(name).or_insert_with(|| json!([]));
                if let Some(a) = e.as_array_mut() {
                    a.push(v);
                }
            }
            (Kind::MapStr | Kind::MapBytes, Wire::Len(b)) => {
                let mut key = String::new();
                let mut val = Value::String(String::new());
                for (n, w) in (Reader { buf: b, pos: 0 }).fields()? {
                    match (n, w) {
                        (1, Wire::Len(k)) => key = String::from_utf8_lossy(k).into_owned(),
                        (2, Wire::Len(v)) => {
                            val = if matches!(kind, Kind::MapBytes) {
                                json!(base64::engine::general_purpose::STANDARD.encode(v))
                            } else {
                                text(v)
                            }
                        }
                        _ => {}
                    }
                }
                let e = out.entry(name).or_insert_with(|| json!({}));
                if let Some(m) = e.as_object_mut() {
                    m.insert(key, val);
                }
            }
            _ => {}
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
    if schema(&kind).is_empty() {
        return Err(ApiError::unsupported_media(&format!(
            "application/vnd.kubernetes.protobuf for kind {kind:?} (kubesim decodes protobuf only for Secret, ConfigMap, Namespace, ServiceAccount and DeleteOptions)"
        )));
    }
    let mut v = decode_message(&kind, raw)?;
    if !api_version.is_empty() {
        v["apiVersion"] = json!(api_version);
    }
    v["kind"] = json!(kind);
    Ok(v)
}

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
