//! Strict validation of rendered objects against the Kubernetes API.
//!
//! Two checks per object:
//! 1. the **strict** JSON schema (unknown fields rejected) of every Kubernetes version Berth
//!    supports ([`KUBE_VERSIONS`]: the oldest and the newest). The schemas come from the PyPI
//!    package `kubernetes-validate`; `scripts/k8s-schemas.py` extracts only the kinds the catalog
//!    renders into one standalone bundle per version (`k8s-schemas/v1.xx.json`, ~75 KB each),
//!    which this crate embeds, cut by `build.rs` into one standalone schema per kind and version,
//!    and validates with the `jsonschema` crate. Embedding keeps Berth
//!    free of a Python runtime and makes validation fast (no process per object);
//!    `scripts/k8s-schemas.py --check` proves the bundles match the package.
//! 2. deserialisation into the `k8s-openapi` type of its kind, which is what the cluster crate sends.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use crate::CatalogError;

include!("kinds.rs");
include!(concat!(env!("OUT_DIR"), "/kind_schemas.rs"));

/// The compiled strict schema of one kind (an index into [`KINDS`]) for one Kubernetes version
/// (an index into [`KUBE_VERSIONS`]), compiled on first use: a render needs four or five of the
/// sixteen, and compiling each costs milliseconds a short-lived CLI process should not pay.
///
/// Each is a standalone schema `build.rs` cut out of the version's bundle: a `$ref` to the kind
/// and only the definitions it reaches. Compiling the bundle whole would make `jsonschema` index
/// and meta-validate all 175 definitions for every kind, and cutting at run time would parse and
/// walk the bundle in every process (measured in `docs/benchmarks.md`, Lifecycle).
fn validator(version: usize, kind: usize) -> &'static jsonschema::Validator {
    static COMPILED: [[OnceLock<jsonschema::Validator>; KINDS.len()]; KUBE_VERSIONS.len()] =
        [const { [const { OnceLock::new() }; KINDS.len()] }; KUBE_VERSIONS.len()];
    COMPILED[version][kind].get_or_init(|| {
        let root: Value =
            serde_json::from_str(KIND_SCHEMAS[version][kind]).expect("embedded schema is JSON");
        jsonschema::draft202012::new(&root).expect("embedded schema compiles")
    })
}

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
    let mut problems = Vec::new();
    for (index, version) in KUBE_VERSIONS.iter().enumerate() {
        let validator = validator(index, kind);
        if validator.is_valid(object) {
            continue; // the fast path: collecting errors is much slower than a yes/no answer
        }
        for error in validator.iter_errors(object) {
            problems.push(format!(
                "Kubernetes {version} schema: {} at `{}`",
                error,
                error.instance_path()
            ));
        }
    }
    if let Err(e) = parse_typed(&key, object) {
        problems.push(format!("does not parse as k8s-openapi {key}: {e}"));
    }
    problems
}

/// Checks rendered objects with [`check_object`], compiling the schemas they need first
/// ([`prepare`]); the first object with problems is the error.
pub fn check_objects(objects: &[Value]) -> Result<(), CatalogError> {
    prepare(objects);
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

/// Compiles the schemas these objects will be checked against (each at most once per process) on
/// as many threads as the machine has cores, the largest schemas first, so that a render of
/// several kinds waits for about the slowest compile rather than for their sum. One thread per
/// schema (eight for postgres) was slower: loading and rendering postgres in a fresh process took
/// 26 ms (33 ms of CPU) against 21 ms (30 ms of CPU) this way, medians of 60 runs on 2 cores;
/// more threads than cores only add thread and allocator-arena set-up. [`check_object`]
/// compiles what is missing itself; this only makes it faster.
pub fn prepare(objects: &[Value]) {
    let mut needed: Vec<(usize, usize)> = Vec::new();
    for object in objects {
        let key = type_key(object);
        if let Some(kind) = KINDS.iter().position(|k| *k == key) {
            for version in 0..KUBE_VERSIONS.len() {
                if !needed.contains(&(version, kind)) {
                    needed.push((version, kind));
                }
            }
        }
    }
    if needed.len() < 2 {
        return;
    }
    needed.sort_by_key(|&(version, kind)| std::cmp::Reverse(KIND_SCHEMAS[version][kind].len()));
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads.min(needed.len()) {
            scope.spawn(|| {
                while let Some(&(version, kind)) = needed.get(next.fetch_add(1, Ordering::Relaxed))
                {
                    validator(version, kind);
                }
            });
        }
    });
}

/// Forces the compilation of every schema now (it otherwise happens on first use, per kind).
pub fn warm_up() {
    for version in 0..KUBE_VERSIONS.len() {
        for kind in 0..KINDS.len() {
            let _ = validator(version, kind);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    include!("schema_refs.rs");

    /// Each kind's embedded schema (cut by `build.rs`) is closed (every reference resolves inside
    /// it), keeps the bundle's dialect, holds the kind and every definition it reaches, and is
    /// much smaller than the bundle where the kind reaches little of it.
    #[test]
    fn kind_schemas_hold_exactly_the_definitions_they_reach() {
        let bundles = [
            include_str!("../k8s-schemas/v1.33.json"),
            include_str!("../k8s-schemas/v1.37.json"),
        ];
        for (version, text) in bundles.iter().enumerate() {
            let whole: Value = serde_json::from_str(text).unwrap();
            let all = whole["$defs"].as_object().unwrap();
            for (index, kind) in KINDS.iter().enumerate() {
                let cut: Value = serde_json::from_str(KIND_SCHEMAS[version][index]).unwrap();
                assert_eq!(cut["$schema"], whole["$schema"]);
                let defs = cut["$defs"].as_object().unwrap();
                assert!(defs.contains_key(&format!("kind:{kind}")), "{kind}");
                let mut refs = Vec::new();
                collect_refs(&cut, &mut refs);
                for name in refs {
                    assert!(defs.contains_key(&name), "{kind}: {name} dangles");
                }
                for (name, def) in defs {
                    assert_eq!(
                        Some(def),
                        all.get(name),
                        "{kind}: {name} differs from the bundle"
                    );
                }
                if *kind == "v1/ConfigMap" {
                    assert!(
                        defs.len() * 10 < all.len(),
                        "{kind}: {} of {}",
                        defs.len(),
                        all.len()
                    );
                }
            }
        }
    }

    /// The cut-down schemas still reject what the whole bundle rejects: an unknown field deep
    /// inside a StatefulSet's pod template, and a wrong type in a ConfigMap.
    #[test]
    fn cut_down_schemas_stay_strict() {
        let set = serde_json::json!({
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "x"},
            "spec": {"selector": {}, "serviceName": "x", "template": {"spec": {"containers": [
                {"name": "c", "image": "i", "resourcez": {}}
            ]}}}
        });
        let problems = check_object(&set);
        assert!(
            problems.iter().any(|p| p.contains("resourcez")),
            "{problems:?}"
        );
        let map = serde_json::json!({
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"k": 1}
        });
        assert!(!check_object(&map).is_empty());
    }
}
