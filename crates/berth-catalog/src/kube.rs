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
        let mut root = bundle(version).clone();
        root["$ref"] = Value::String(format!("#/$defs/kind:{}", KINDS[kind].replace('/', "~1")));
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
