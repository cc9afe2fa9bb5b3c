//! Strict validation of rendered objects against the Kubernetes API.
//!
//! Two checks per object:
//! 1. the **strict** JSON schema (unknown fields rejected) of every Kubernetes version Berth
//!    supports ([`KUBE_VERSIONS`]: the oldest and the newest). The schemas come from the PyPI
//!    package `kubernetes-validate`; `scripts/k8s-schemas.py` extracts only the kinds the catalog
//!    renders into one standalone bundle per version (`k8s-schemas/v1.xx.json`, ~75 KB each),
//!    and `scripts/k8s-schemas.py --check` proves the bundles match the package. `build.rs`
//!    compiles the bundles into a static table of schema nodes (`kube_schema`), so a process
//!    checks objects without parsing or compiling any schema first, and without a Python runtime.
//! 2. deserialisation into the `k8s-openapi` type of its kind, which is what the cluster crate sends.

use serde_json::Value;

use crate::CatalogError;
use crate::kube_schema::{Violation, same_schema, violations};

include!("kinds.rs");

/// `apiVersion/kind` of an object (`apps/v1/StatefulSet`).
pub fn type_key(object: &Value) -> String {
    format!(
        "{}/{}",
        object
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or(""),
        object.get("kind").and_then(Value::as_str).unwrap_or("")
    )
}

/// `Kind/name` for messages.
pub fn describe(object: &Value) -> String {
    format!(
        "{}/{}",
        object.get("kind").and_then(Value::as_str).unwrap_or("?"),
        object
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("?")
    )
}

/// Validates one object against the strict schemas of every supported Kubernetes version and
/// its k8s-openapi type. Returns every problem found, each prefixed with where it applies.
pub fn check_object(object: &Value) -> Vec<String> {
    let key = type_key(object);
    let Some(kind) = KINDS.iter().position(|k| *k == key) else {
        return vec![format!(
            "kind `{key}` is not one the catalog may render ({})",
            KINDS.join(", ")
        )];
    };
    // a version whose schema of this kind is the very same as an earlier one's is not checked again
    let mut results: Vec<Vec<Violation>> = Vec::new();
    for index in 0..KUBE_VERSIONS.len() {
        let result = match (0..index).find(|&earlier| same_schema(earlier, index, kind)) {
            Some(earlier) => results[earlier].clone(),
            None => violations(index, kind, object),
        };
        results.push(result);
    }
    // each distinct violation once, with the versions whose schema it breaks
    let mut found: Vec<(Violation, Vec<&str>)> = Vec::new();
    for (version, result) in KUBE_VERSIONS.iter().zip(results) {
        for violation in result {
            match found.iter_mut().find(|(v, _)| *v == violation) {
                Some((_, versions)) => versions.push(version),
                None => found.push((violation, vec![version])),
            }
        }
    }
    let mut problems: Vec<String> = found
        .into_iter()
        .map(|(violation, versions)| {
            format!(
                "Kubernetes {} schema: {} at `{}`",
                versions.join(" and "),
                violation.message,
                if violation.path.is_empty() {
                    "/"
                } else {
                    &violation.path
                }
            )
        })
        .collect();
    if let Err(e) = parse_typed(&key, object) {
        problems.push(format!("does not parse as k8s-openapi {key}: {e}"));
    }
    problems
}

/// Checks rendered objects with [`check_object`]; the first object with problems is the error.
pub fn check_objects(objects: &[Value]) -> Result<(), CatalogError> {
    for object in objects {
        let problems = check_object(object);
        if !problems.is_empty() {
            return Err(CatalogError::InvalidObject {
                object: describe(object),
                message: problems.join("; "),
            });
        }
    }
    Ok(())
}

fn parse_typed(key: &str, object: &Value) -> Result<(), serde_json::Error> {
    use k8s_openapi::api::{
        apps::v1 as apps, autoscaling::v2 as autoscaling, core::v1 as core, policy::v1 as policy,
    };
    fn parse<T: serde::de::DeserializeOwned>(v: &Value) -> Result<(), serde_json::Error> {
        T::deserialize(v).map(|_| ())
    }
    match key {
        "v1/ConfigMap" => parse::<core::ConfigMap>(object),
        "v1/Secret" => parse::<core::Secret>(object),
        "v1/Service" => parse::<core::Service>(object),
        "v1/ServiceAccount" => parse::<core::ServiceAccount>(object),
        "apps/v1/StatefulSet" => parse::<apps::StatefulSet>(object),
        "apps/v1/Deployment" => parse::<apps::Deployment>(object),
        "policy/v1/PodDisruptionBudget" => parse::<policy::PodDisruptionBudget>(object),
        "autoscaling/v2/HorizontalPodAutoscaler" => {
            parse::<autoscaling::HorizontalPodAutoscaler>(object)
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strict: an unknown field deep inside a StatefulSet's pod template and a wrong type in a
    /// ConfigMap are problems, each named with the versions whose schema it breaks.
    #[test]
    fn schemas_stay_strict() {
        let set = serde_json::json!({
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "x"},
            "spec": {"selector": {}, "serviceName": "x", "template": {"spec": {"containers": [
                {"name": "c", "image": "i", "resourcez": {}}
            ]}}}
        });
        let problems = check_object(&set);
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("Kubernetes 1.33 and 1.37 schema: ")
                    && p.contains("resourcez")
                    && p.ends_with("at `/spec/template/spec/containers/0`")),
            "{problems:?}"
        );
        let map = serde_json::json!({
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"k": 1}
        });
        assert_eq!(
            check_object(&map)[0],
            "Kubernetes 1.33 and 1.37 schema: expected string or null, found 1 at `/data/k`"
        );
    }
}
