//! Strict validation of rendered objects against the Kubernetes API.
//!
//! Two checks per object:
//! 1. the **strict** JSON schema (unknown fields rejected) of every Kubernetes version Berth
//!    supports ([`KUBE_VERSIONS`]: the oldest and the newest). The schemas come from the PyPI
//!    package `kubernetes-validate`; `scripts/k8s-schemas.py` extracts only the kinds the catalog
//!    renders into one standalone bundle per version (`k8s-schemas/v1.xx.json`, ~75 KB each),
//!    which this crate embeds and validates with the `jsonschema` crate. Embedding keeps Berth
//!    free of a Python runtime and makes validation fast (no process per object);
//!    `scripts/k8s-schemas.py --check` proves the bundles match the package.
//! 2. deserialisation into the `k8s-openapi` type of its kind, which is what the cluster crate sends.

use std::sync::OnceLock;

use serde_json::Value;

/// Kubernetes versions whose schemas every rendered object must satisfy.
pub const KUBE_VERSIONS: [&str; 2] = ["1.33", "1.37"];

const BUNDLES: [(&str, &str); 2] = [
    ("1.33", include_str!("../k8s-schemas/v1.33.json")),
    ("1.37", include_str!("../k8s-schemas/v1.37.json")),
];

/// `apiVersion/kind` pairs the catalog may render.
pub const KINDS: [&str; 8] = [
    "v1/ConfigMap",
    "v1/Secret",
    "v1/Service",
    "v1/ServiceAccount",
    "apps/v1/StatefulSet",
    "apps/v1/Deployment",
    "policy/v1/PodDisruptionBudget",
    "autoscaling/v2/HorizontalPodAutoscaler",
];

/// The parsed schema bundle of each of [`KUBE_VERSIONS`], parsed on first use.
fn bundle(index: usize) -> &'static Value {
    static PARSED: [OnceLock<Value>; BUNDLES.len()] = [const { OnceLock::new() }; BUNDLES.len()];
    PARSED[index].get_or_init(|| {
        serde_json::from_str(BUNDLES[index].1).expect("embedded schema bundle is JSON")
    })
}

/// The compiled strict schema of one kind (an index into [`KINDS`]) for one Kubernetes version
/// (an index into [`BUNDLES`]), compiled on first use: a render needs four or five of the
/// sixteen, and compiling each costs milliseconds a short-lived CLI process should not pay.
fn validator(version: usize, kind: usize) -> &'static jsonschema::Validator {
    static COMPILED: [[OnceLock<jsonschema::Validator>; KINDS.len()]; BUNDLES.len()] =
        [const { [const { OnceLock::new() }; KINDS.len()] }; BUNDLES.len()];
    COMPILED[version][kind].get_or_init(|| {
        let root = kind_schema(bundle(version), KINDS[kind]);
        jsonschema::draft202012::new(&root).expect("embedded schema compiles")
    })
}

/// The standalone schema of one kind: a `$ref` to it and only the definitions it reaches.
///
/// The bundle holds every kind's definitions (175); compiling it whole makes `jsonschema` index
/// and meta-validate all of them for every kind, while a ConfigMap reaches 6 and a StatefulSet
/// 129. Cutting each kind's schema down before compiling makes a postgres install compile about
/// a fifth of the schema text it did (measured in `docs/benchmarks.md`, Lifecycle).
fn kind_schema(bundle: &Value, kind: &str) -> Value {
    let defs = &bundle["$defs"];
    let start = format!("kind:{kind}");
    let mut reached = serde_json::Map::new();
    let mut todo = vec![start.clone()];
    while let Some(name) = todo.pop() {
        if reached.contains_key(&name) {
            continue;
        }
        let Some(def) = defs.get(&name) else {
            continue; // a dangling reference: the compiler reports it
        };
        collect_refs(def, &mut todo);
        reached.insert(name, def.clone());
    }
    let mut root = serde_json::Map::new();
    if let Some(dialect) = bundle.get("$schema") {
        root.insert("$schema".into(), dialect.clone());
    }
    root.insert(
        "$ref".into(),
        Value::String(format!(
            "#/$defs/{}",
            start.replace('~', "~0").replace('/', "~1")
        )),
    );
    root.insert("$defs".into(), Value::Object(reached));
    Value::Object(root)
}

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
    for (index, (version, _)) in BUNDLES.iter().enumerate() {
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

/// Compiles the schemas these objects will be checked against, each on its own thread (and each
/// at most once per process), so that a render of several kinds waits for the slowest compile
/// rather than for their sum. [`check_object`] compiles what is missing itself; this only makes
/// it faster.
pub fn prepare(objects: &[Value]) {
    let mut needed: Vec<(usize, usize)> = Vec::new();
    for object in objects {
        let key = type_key(object);
        if let Some(kind) = KINDS.iter().position(|k| *k == key) {
            for version in 0..BUNDLES.len() {
                if !needed.contains(&(version, kind)) {
                    needed.push((version, kind));
                }
            }
        }
    }
    if needed.len() < 2 {
        return;
    }
    std::thread::scope(|scope| {
        for (version, kind) in needed {
            scope.spawn(move || {
                validator(version, kind);
            });
        }
    });
}

/// Forces the compilation of every schema now (it otherwise happens on first use, per kind).
pub fn warm_up() {
    for version in 0..BUNDLES.len() {
        for kind in 0..KINDS.len() {
            let _ = validator(version, kind);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each kind's cut-down schema is closed (every reference resolves inside it), keeps the
    /// dialect, and is smaller than the bundle where the kind reaches less than all of it.
    #[test]
    fn kind_schemas_hold_exactly_the_definitions_they_reach() {
        for version in 0..BUNDLES.len() {
            let whole = bundle(version);
            let all = whole["$defs"].as_object().unwrap().len();
            for kind in KINDS {
                let cut = kind_schema(whole, kind);
                assert_eq!(cut["$schema"], whole["$schema"]);
                let defs = cut["$defs"].as_object().unwrap();
                assert!(defs.contains_key(&format!("kind:{kind}")), "{kind}");
                let mut refs = Vec::new();
                collect_refs(&cut, &mut refs);
                for name in refs {
                    assert!(defs.contains_key(&name), "{kind}: {name} dangles");
                }
                if kind == "v1/ConfigMap" {
                    assert!(defs.len() * 10 < all, "{kind}: {} of {all}", defs.len());
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
