//! The validations clients rely on: names (DNS-1123 subdomain/label, DNS-1035 for
//! Services), required fields, non-negative replicas, selectors matching templates and
//! immutable fields.

use serde_json::Value;

use crate::resources::ResourceType;
use crate::status::{ApiError, Cause};

const SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

fn is_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// RFC 1123 subdomain.
pub(crate) fn is_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_label)
}

fn is_dns1035(s: &str) -> bool {
    is_label(s) && s.as_bytes()[0].is_ascii_lowercase()
}

fn invalid(field: &str, value: &Value, msg: &str) -> Cause {
    Cause {
        reason: "FieldValueInvalid".into(),
        message: format!("Invalid value: {value}: {msg}"),
        field: field.into(),
    }
}

fn required(field: &str) -> Cause {
    Cause {
        reason: "FieldValueRequired".into(),
        message: "Required value".into(),
        field: field.into(),
    }
}

/// Validates an object about to be stored; `old` is the stored version on updates.
pub(crate) fn validate(
    rt: &ResourceType,
    obj: &Value,
    old: Option<&Value>,
) -> Result<(), ApiError> {
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    let mut causes = Vec::new();
    if name.is_empty() {
        causes.push(Cause {
            reason: "FieldValueRequired".into(),
            message: "Required value: name or generateName is required".into(),
            field: "metadata.name".into(),
        });
    } else {
        let (ok, msg) = match (rt.group.as_str(), rt.plural.as_str()) {
            ("", "namespaces") => (is_label(name), LABEL_MSG),
            ("", "services") => (is_dns1035(name), DNS1035_MSG),
            ("rbac.authorization.k8s.io", _) => (
                !name.contains('/') && !name.contains('%'),
                "may not contain '/' or '%'",
            ),
            _ => (is_subdomain(name), SUBDOMAIN_MSG),
        };
        if !ok {
            causes.push(invalid("metadata.name", &Value::String(name.into()), msg));
        }
    }
    if let Some(labels) = obj["metadata"]["labels"].as_object() {
        for (k, v) in labels {
            let val = v.as_str().unwrap_or_default();
            let ok = val.len() <= 63
                && val
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
                && (val.is_empty()
                    || (val.as_bytes()[0].is_ascii_alphanumeric()
                        && val.as_bytes()[val.len() - 1].is_ascii_alphanumeric()));
            if !ok {
                causes.push(invalid(
                    "metadata.labels",
                    v,
                    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
                ));
            }
            let _ = k;
        }
    }
    let spec = &obj["spec"];
    let workload = matches!(
        (rt.group.as_str(), rt.plural.as_str()),
        (
            "apps",
            "deployments" | "statefulsets" | "replicasets" | "daemonsets"
        )
    );
    if workload || (rt.group == "batch" && rt.plural == "jobs") {
        if let Some(r) = spec["replicas"].as_i64()
            && r < 0
        {
            causes.push(invalid(
                "spec.replicas",
                &spec["replicas"],
                "must be greater than or equal to 0",
            ));
        }
        if workload {
            if !spec["selector"].is_object() {
                causes.push(required("spec.selector"));
            } else if let Some(ml) = spec["selector"]["matchLabels"].as_object() {
                let labels = &spec["template"]["metadata"]["labels"];
                if !ml.iter().all(|(k, v)| labels.get(k) == Some(v)) {
                    causes.push(invalid(
                        "spec.template.metadata.labels",
                        labels,
                        "`selector` does not match template `labels`",
                    ));
                }
            }
        }
        validate_pod_spec(&spec["template"]["spec"], "spec.template.spec", &mut causes);
    }
    if rt.group == "batch"
        && rt.plural == "cronjobs"
        && spec["schedule"].as_str().unwrap_or_default().is_empty()
    {
        causes.push(required("spec.schedule"));
    }
    if rt.group.is_empty() && rt.plural == "pods" {
        validate_pod_spec(spec, "spec", &mut causes);
    }
    if rt.group.is_empty() && rt.plural == "services" {
        for (i, p) in spec["ports"].as_array().into_iter().flatten().enumerate() {
            let port = p["port"].as_i64().unwrap_or(0);
            if !(1..=65535).contains(&port) {
                causes.push(invalid(
                    &format!("spec.ports[{i}].port"),
                    &p["port"],
                    "must be between 1 and 65535, inclusive",
                ));
            }
        }
    }
    if rt.group.is_empty() && rt.plural == "persistentvolumeclaims" {
        if spec["accessModes"].as_array().is_none_or(|a| a.is_empty()) {
            causes.push(required("spec.accessModes"));
        }
        if spec["resources"]["requests"]["storage"].is_null() && spec["volumeName"].is_null() {
            causes.push(required("spec.resources[storage]"));
        }
    }
    if let Some(old) = old {
        immutable(rt, obj, old, &mut causes);
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(rt, name, causes))
    }
}

fn validate_pod_spec(spec: &Value, at: &str, causes: &mut Vec<Cause>) {
    match spec["containers"].as_array() {
        Some(cs) if !cs.is_empty() => {
            for (i, c) in cs.iter().enumerate() {
                let name = c["name"].as_str().unwrap_or_default();
                if name.is_empty() {
                    causes.push(required(&format!("{at}.containers[{i}].name")));
                } else if !is_label(name) {
                    causes.push(invalid(
                        &format!("{at}.containers[{i}].name"),
                        &c["name"],
                        LABEL_MSG,
                    ));
                }
                if c["image"].as_str().unwrap_or_default().is_empty() {
                    causes.push(required(&format!("{at}.containers[{i}].image")));
                }
            }
        }
        _ => causes.push(required(&format!("{at}.containers"))),
    }
}

fn immutable(rt: &ResourceType, obj: &Value, old: &Value, causes: &mut Vec<Cause>) {
    let field_immutable = |path: &str, causes: &mut Vec<Cause>| {
        let get = |v: &Value| {
            let mut cur = v.clone();
            for seg in path.split('.') {
                cur = cur[seg].clone();
            }
            cur
        };
        let new = get(obj);
        if new != get(old) {
            causes.push(Cause {
                reason: "FieldValueInvalid".into(),
                message: format!("Invalid value: {new}: field is immutable"),
                field: path.into(),
            });
        }
    };
    match (rt.group.as_str(), rt.plural.as_str()) {
        ("apps", "deployments" | "replicasets" | "daemonsets") => {
            field_immutable("spec.selector", causes)
        }
        ("apps", "statefulsets") => {
            let strip = |v: &Value| {
                let mut s = v["spec"].clone();
                if let Some(m) = s.as_object_mut() {
                    for k in [
                        "replicas",
                        "ordinals",
                        "template",
                        "updateStrategy",
                        "persistentVolumeClaimRetentionPolicy",
                        "minReadySeconds",
                    ] {
                        m.remove(k);
                    }
                }
                s
            };
            if strip(obj) != strip(old) {
                causes.push(Cause {
                    reason: "FieldValueForbidden".into(),
                    message: "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden".into(),
                    field: "spec".into(),
                });
            }
        }
        ("batch", "jobs") => field_immutable("spec.template", causes),
        ("", "services")
            if !old["spec"]["clusterIP"].is_null() && !obj["spec"]["clusterIP"].is_null() =>
        {
            field_immutable("spec.clusterIP", causes)
        }
        ("", "configmaps" | "secrets") if old["immutable"] == Value::Bool(true) => {
            field_immutable("data", causes);
            if rt.plural == "configmaps" {
                field_immutable("binaryData", causes);
            }
        }
        ("", "persistentvolumeclaims") => {
            let strip = |v: &Value| {
                let mut s = v["spec"].clone();
                s["resources"]["requests"] = Value::Null;
                if let Some(m) = s.as_object_mut() {
                    m.remove("volumeName");
                    m.remove("storageClassName");
                }
                s
            };
            if strip(obj) != strip(old) {
                causes.push(Cause {
                    reason: "FieldValueForbidden".into(),
                    message: "Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims".into(),
                    field: "spec".into(),
                });
            }
            // a claim grows, never shrinks
            let storage = |v: &Value| {
                crate::controllers::hpa::milli(&v["spec"]["resources"]["requests"]["storage"])
            };
            if let (Some(new), Some(was)) = (storage(obj), storage(old))
                && new < was
            {
                causes.push(Cause {
                    reason: "FieldValueForbidden".into(),
                    message: "Forbidden: field can not be less than status.capacity".into(),
                    field: "spec.resources.requests.storage".into(),
                });
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_subdomain("a.b-c"));
        assert!(!is_subdomain("Bad_Name"));
        assert!(!is_label("a.b"));
        assert!(!is_dns1035("1abc"));
    }
}
