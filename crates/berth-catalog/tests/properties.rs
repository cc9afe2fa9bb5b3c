//! Property test: random valid parameter sets render schema-valid objects for every definition.

use std::path::PathBuf;

use berth_catalog::lint::{object_problems, test_credentials};
use berth_catalog::{Catalog, CatalogSource, RenderRequest};
use proptest::prelude::*;
use serde_json::{Value, json};

fn catalog() -> &'static Catalog {
    static CELL: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    CELL.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../catalog");
        Catalog::load(&[CatalogSource::built_in(dir)]).expect("catalog loads")
    })
}

#[derive(Debug, Clone)]
struct Knobs {
    replicas: i64,
    cpu: String,
    memory: String,
    size: String,
    class: String,
    expose: &'static str,
    autoscaling: (bool, i64, i64, i64),
    version_pick: usize,
    users: Vec<String>,
    instance: String,
}

fn knobs() -> impl Strategy<Value = Knobs> {
    (
        1i64..=9,
        prop_oneof![
            (1u32..8000).prop_map(|m| format!("{m}m")),
            (1u32..16).prop_map(|c| c.to_string())
        ],
        prop_oneof![
            (64u32..65536).prop_map(|m| format!("{m}Mi")),
            (1u32..64).prop_map(|g| format!("{g}Gi"))
        ],
        prop_oneof![
            (1u32..1000).prop_map(|g| format!("{g}Gi")),
            (1u32..4).prop_map(|t| format!("{t}Ti"))
        ],
        prop_oneof![Just(String::new()), "[a-z][a-z0-9-]{0,20}[a-z0-9]"],
        prop_oneof![Just("cluster"), Just("nodePort"), Just("loadBalancer")],
        (any::<bool>(), 1i64..5, 5i64..20, 10i64..100),
        0usize..8,
        proptest::collection::vec("[a-z][a-z0-9]{0,10}", 0..4),
        "[a-z][a-z0-9-]{0,30}[a-z0-9]",
    )
        .prop_map(
            |(
                replicas,
                cpu,
                memory,
                size,
                class,
                expose,
                autoscaling,
                version_pick,
                mut users,
                instance,
            )| {
                users.sort();
                users.dedup();
                Knobs {
                    replicas,
                    cpu,
                    memory,
                    size,
                    class,
                    expose,
                    autoscaling,
                    version_pick,
                    users,
                    instance,
                }
            },
        )
}

/// Sets the common knobs the definition's schema has, clamped to its bounds.
fn values_for(schema: &Value, k: &Knobs) -> Value {
    let props = &schema["properties"];
    let mut v = json!({});
    if let Some(r) = props.get("replicas") {
        let min = r["minimum"].as_i64().unwrap_or(1);
        let max = r["maximum"].as_i64().unwrap_or(1);
        let mut n = k.replicas.clamp(min, max);
        if let Some(mult) = r.get("multipleOf").and_then(Value::as_i64) {
            n = (n / mult).max(1) * mult;
        }
        if let Some(allowed) = r.get("enum").and_then(Value::as_array) {
            n = allowed[k.replicas as usize % allowed.len()]
                .as_i64()
                .unwrap();
        }
        v["replicas"] = json!(n);
    }
    if props.get("resources").is_some() {
        v["resources"] = json!({"cpu": k.cpu, "memory": k.memory});
    }
    if props.get("storage").is_some() {
        v["storage"] = json!({"size": k.size, "className": k.class});
    }
    if props.get("expose").is_some() {
        v["expose"] = json!(k.expose);
    }
    if props.get("autoscaling").is_some() {
        let (enabled, min, max, target) = k.autoscaling;
        v["autoscaling"] = json!({"enabled": enabled, "min": min, "max": max, "targetCPU": target});
    }
    if let Some(versions) = props.pointer("/version/enum").and_then(Value::as_array) {
        v["version"] = versions[k.version_pick % versions.len()].clone();
    }
    if let Some(user_schema) = props.pointer("/auth/properties/users/items/properties") {
        let users: Vec<Value> = k
            .users
            .iter()
            .map(|u| {
                if user_schema.get("database").is_some() {
                    json!({"name": u, "database": u})
                } else {
                    json!({"name": u})
                }
            })
            .collect();
        v["auth"] = json!({"users": users});
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    #[test]
    fn random_valid_parameters_render_valid_objects(k in knobs()) {
        for def in catalog().list() {
            let values = values_for(&def.schema, &k);
            let req = RenderRequest {
                instance: k.instance.clone(),
                namespace: "prop".into(),
                version: None,
                credentials: test_credentials(def, &values),
                values: values.clone(),
                revision: Some(3),
            };
            let rendered = def.render(&req);
            prop_assert!(rendered.is_ok(), "{} with {values}: {:?}", def.id(), rendered.err());
            let rendered = rendered.unwrap();
            let problems = object_problems(&rendered);
            prop_assert!(problems.is_empty(), "{}: {problems:?}", def.id());
            prop_assert!(rendered.objects.iter().any(|o| o["kind"] == "StatefulSet" || o["kind"] == "Deployment"));
        }
    }
}
