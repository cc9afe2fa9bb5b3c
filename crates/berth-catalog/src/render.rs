//! Rendering: the template environment, the request and the result.
//!
//! Templates are minijinja with **strict undefined** (an unknown variable is an error, never an
//! empty string). Every `{{ expression }}` goes through one formatter that writes strings as
//! double-quoted, escaped JSON scalars (valid YAML), maps and lists as JSON flow collections and
//! numbers and booleans as they are. A parameter therefore always lands in the YAML as one scalar,
//! whatever it holds, and is never evaluated as template code. The only way to write a string
//! unquoted is the `plain` filter, which accepts nothing but `A-Z a-z 0-9 . _ - : / @ + = ,`
//! (for config file fragments inside a ConfigMap built with `{% set x %}...{% endset %}`).
//! The `safe` filter is removed.
//!
//! Filters added for templates: `b64encode` (Secret `data`), `bytes` (a Kubernetes quantity such
//! as `2Gi` to an integer byte count), `millicores` (`500m`/`2` to integer millicores), `id128` (a stable
//! 22-character base64url id from a seed, e.g. a Kafka cluster id) and `plain`. Jinja's `namespace()`
//! is available as `ns()`, because `namespace` names the target Kubernetes namespace.

use std::collections::BTreeMap;

use base64::Engine;
use minijinja::value::{Value as JValue, ValueKind};
use minijinja::{Environment, Error as JError, ErrorKind, UndefinedBehavior};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What to render: which instance, where, which version, with which parameters and secrets.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RenderRequest {
    /// Instance name (DNS-1123 label, at most [`MAX_INSTANCE_NAME`] characters).
    pub instance: String,
    /// Target namespace (DNS-1123 label).
    pub namespace: String,
    /// Version id; overrides `values.version`; the definition's default when both are absent.
    #[serde(default)]
    pub version: Option<String>,
    /// User parameters (defaults are filled in).
    #[serde(default)]
    pub values: Value,
    /// Generated secret values by credential key (see [`crate::Definition::required_credentials`]).
    #[serde(default)]
    pub credentials: BTreeMap<String, String>,
    /// Revision number written to the `berth.dev/revision` annotation, when known.
    #[serde(default)]
    pub revision: Option<u64>,
}

/// Longest instance name: pod names `<instance>-<ordinal>` and derived object names must stay
/// within the 63 character limit of a label value.
pub const MAX_INSTANCE_NAME: usize = 40;

/// The result of a render: objects in apply order and the effective parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rendered {
    /// Kubernetes objects, in apply order: service accounts, config maps and secrets, services,
    /// workloads, pod disruption budgets, autoscalers.
    pub objects: Vec<Value>,
    /// The parameters after defaults were applied (including the resolved `version`).
    pub values: Value,
}

impl Rendered {
    /// The objects as one multi-document YAML stream.
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        for object in &self.objects {
            out.push_str("---\n");
            out.push_str(&serde_yaml::to_string(object).unwrap_or_default());
        }
        out
    }
}

/// Label carrying the definition version.
pub const VERSION_LABEL: &str = "app.kubernetes.io/version";

/// Apply order of a kind (lower first).
pub fn apply_rank(kind: &str) -> u8 {
    match kind {
        "ServiceAccount" => 0,
        "ConfigMap" | "Secret" => 1,
        "Service" => 2,
        "StatefulSet" | "Deployment" => 3,
        "PodDisruptionBudget" => 4,
        "HorizontalPodAutoscaler" => 5,
        _ => 6,
    }
}

/// [`is_dns1123_label`] as a regular expression (the length limit aside), for clients that check
/// names before asking the core: the desktop app's install form gets it through berth-api's
/// generated TypeScript.
pub const DNS1123_LABEL_PATTERN: &str = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

/// True when `s` is a DNS-1123 label (lower-case alphanumerics and `-`, at most 63, alphanumeric at both ends).
pub fn is_dns1123_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn is_plain(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-:/@+=,".contains(c))
}

fn format_value(out: &mut minijinja::Output<'_>, value: &JValue) -> Result<(), JError> {
    let text = match value.kind() {
        ValueKind::String => {
            let s = value.as_str().unwrap_or_default();
            if value.is_safe() && is_plain(s) {
                s.to_string()
            } else {
                serde_json::to_string(s).map_err(json_error)?
            }
        }
        ValueKind::Number | ValueKind::Bool => value.to_string(),
        ValueKind::Seq | ValueKind::Map => serde_json::to_string(value).map_err(json_error)?,
        ValueKind::Undefined | ValueKind::None => {
            return Err(JError::new(
                ErrorKind::InvalidOperation,
                "an undefined or none value cannot be written",
            ));
        }
        _ => {
            return Err(JError::new(
                ErrorKind::InvalidOperation,
                "this value cannot be written into YAML",
            ));
        }
    };
    out.write_str(&text).map_err(JError::from)
}

fn json_error(e: serde_json::Error) -> JError {
    JError::new(
        ErrorKind::InvalidOperation,
        format!("cannot serialise value: {e}"),
    )
}

/// Parses a Kubernetes quantity (`2Gi`, `512Mi`, `1G`, `1500m`, `3`) into a number of units.
pub fn parse_quantity(q: &str) -> Option<f64> {
    let idx = q
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(q.len());
    let (num, suffix) = q.split_at(idx);
    let n: f64 = num.parse().ok()?;
    let mult = match suffix {
        "" => 1.0,
        "m" => 0.001,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    Some(n * mult)
}

/// A stable 128-bit id derived from `seed` (two FNV-1a hashes), as unpadded URL-safe base64
/// (22 characters) — the format of a Kafka cluster id.
pub fn id128(seed: &str) -> String {
    let fnv = |offset: u64| {
        seed.bytes().fold(offset, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&fnv(0xcbf2_9ce4_8422_2325).to_be_bytes());
    bytes[8..].copy_from_slice(&fnv(0x6c62_272e_07bb_0142).to_be_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Builds the template environment every definition uses.
pub(crate) fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .expect("default delimiters are valid"),
    );
    env.set_formatter(|out, _state, value| format_value(out, value));
    env.remove_filter("safe");
    env.add_filter("b64encode", |s: String| {
        base64::engine::general_purpose::STANDARD.encode(s)
    });
    env.add_filter("plain", |s: JValue| -> Result<JValue, JError> {
        let text = s.to_string();
        if is_plain(&text) {
            Ok(JValue::from_safe_string(text))
        } else {
            Err(JError::new(
                ErrorKind::InvalidOperation,
                format!("`plain` refuses {text:?}"),
            ))
        }
    });
    env.add_filter("bytes", |q: String| -> Result<i64, JError> {
        parse_quantity(&q).map(|n| n as i64).ok_or_else(|| {
            JError::new(
                ErrorKind::InvalidOperation,
                format!("`{q}` is not a quantity"),
            )
        })
    });
    // `namespace` is the Kubernetes namespace in templates; Jinja's namespace() is `ns()`.
    env.add_function("ns", minijinja::functions::namespace);
    env.add_filter("id128", |seed: String| id128(&seed));
    env.add_filter("millicores", |q: String| -> Result<i64, JError> {
        parse_quantity(&q)
            .map(|n| (n * 1000.0).round() as i64)
            .ok_or_else(|| {
                JError::new(
                    ErrorKind::InvalidOperation,
                    format!("`{q}` is not a quantity"),
                )
            })
    });
    env
}

/// Environment for connection URI templates: plain text output, strict undefined, and a
/// `urlencode` that escapes everything but RFC 3986 unreserved characters (so a password with
/// `/`, `@` or `:` stays inside the userinfo part).
pub(crate) fn uri_environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_filter("urlencode", |s: String| {
        let mut out = String::with_capacity(s.len());
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    });
    env
}

/// Adds Berth's labels, annotations and namespace to a rendered object and its pod templates.
pub(crate) fn decorate(
    object: &mut Value,
    labels: &BTreeMap<String, String>,
    revision: Option<u64>,
    namespace: &str,
) {
    fn merge(meta: &mut Value, labels: &BTreeMap<String, String>) {
        if !meta.is_object() {
            *meta = Value::Object(Default::default());
        }
        let entry = meta
            .as_object_mut()
            .expect("object")
            .entry("labels")
            .or_insert_with(|| Value::Object(Default::default()));
        if let Some(map) = entry.as_object_mut() {
            for (k, v) in labels {
                map.insert(k.clone(), Value::String(v.clone()));
            }
        }
    }
    let Some(obj) = object.as_object_mut() else {
        return;
    };
    let meta = obj
        .entry("metadata")
        .or_insert_with(|| Value::Object(Default::default()));
    merge(meta, labels);
    if let Some(m) = meta.as_object_mut() {
        m.insert("namespace".into(), Value::String(namespace.to_string()));
        if let Some(rev) = revision {
            let ann = m
                .entry("annotations")
                .or_insert_with(|| Value::Object(Default::default()));
            if let Some(a) = ann.as_object_mut() {
                a.insert("berth.dev/revision".into(), Value::String(rev.to_string()));
            }
        }
    }
    if let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) {
        if let Some(template) = spec.get_mut("template").and_then(Value::as_object_mut) {
            merge(
                template
                    .entry("metadata")
                    .or_insert_with(|| Value::Object(Default::default())),
                labels,
            );
        }
        if let Some(claims) = spec
            .get_mut("volumeClaimTemplates")
            .and_then(Value::as_array_mut)
        {
            // volumeClaimTemplates are immutable: leave out the version, which changes on upgrade
            let stable: BTreeMap<String, String> = labels
                .iter()
                .filter(|(k, _)| *k != VERSION_LABEL)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            for claim in claims {
                if let Some(c) = claim.as_object_mut() {
                    merge(
                        c.entry("metadata")
                            .or_insert_with(|| Value::Object(Default::default())),
                        &stable,
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cases the desktop app's generated rule is tested with (ui/src/install), so the form
    /// and the core accept the same names.
    #[test]
    fn instance_name_rule() {
        let ok = |s: &str| is_dns1123_label(s) && s.len() <= MAX_INSTANCE_NAME;
        let longest = "a".repeat(MAX_INSTANCE_NAME);
        for name in ["pg", "a", "0", "2fa", "orders-db", longest.as_str()] {
            assert!(ok(name), "{name}");
        }
        let too_long = "a".repeat(MAX_INSTANCE_NAME + 1);
        for name in ["", "-pg", "pg-", "Pg", "p_g", "p.g", "é", too_long.as_str()] {
            assert!(!ok(name), "{name}");
        }
        assert_eq!(DNS1123_LABEL_PATTERN, "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
    }
}
