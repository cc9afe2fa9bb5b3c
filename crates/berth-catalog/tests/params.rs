//! Parameter validation: bad parameters are rejected with the parameter path and the rule, and
//! nothing renders; free text arrives verbatim; `--set` parsing; connection URIs; catalog origins.

use std::path::PathBuf;

use berth_catalog::lint::test_credentials;
use berth_catalog::{
    Catalog, CatalogError, CatalogSource, Definition, Origin, ParamError, RenderRequest,
};
use serde_json::{Value, json};

fn catalog_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../catalog")
}

fn postgres() -> Definition {
    Definition::load(&catalog_dir().join("postgres"), Origin::BuiltIn).expect("postgres loads")
}

fn request(def: &Definition, values: Value) -> RenderRequest {
    RenderRequest {
        instance: "db".into(),
        namespace: "default".into(),
        version: None,
        credentials: test_credentials(def, &values),
        values,
        revision: None,
    }
}

fn rejected(def: &Definition, values: Value) -> Vec<ParamError> {
    match def.render(&request(def, values)) {
        Err(CatalogError::InvalidParameters(errors)) => errors,
        other => panic!("expected invalid parameters, got {other:?}"),
    }
}

fn has(errors: &[ParamError], path: &str, rule: &str) -> bool {
    errors.iter().any(|e| e.path == path && e.rule == rule)
}

#[test]
fn wrong_type_names_the_parameter_and_rule() {
    let errors = rejected(&postgres(), json!({"replicas": "three"}));
    assert!(has(&errors, "replicas", "type"), "{errors:?}");
}

#[test]
fn out_of_bounds_is_rejected() {
    let def = postgres();
    assert!(has(
        &rejected(&def, json!({"replicas": 99})),
        "replicas",
        "maximum"
    ));
    assert!(has(
        &rejected(&def, json!({"replicas": 0})),
        "replicas",
        "minimum"
    ));
    assert!(has(
        &rejected(&def, json!({"maxConnections": 1_000_000})),
        "maxConnections",
        "maximum"
    ));
}

#[test]
fn unknown_keys_are_rejected() {
    let errors = rejected(
        &postgres(),
        json!({"replicaz": 2, "resources": {"gpu": "1"}}),
    );
    assert!(
        errors
            .iter()
            .any(|e| e.rule == "additionalProperties" && e.message.contains("replicaz")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.path == "resources" && e.message.contains("gpu")),
        "{errors:?}"
    );
}

#[test]
fn names_must_be_dns_1123() {
    let def = postgres();
    let mut req = request(&def, json!({}));
    req.instance = "Bad_Name".into();
    match def.render(&req) {
        Err(CatalogError::InvalidParameters(e)) => {
            assert!(has(&e, "instance", "dns-1123"), "{e:?}")
        }
        other => panic!("{other:?}"),
    }
    let mut req = request(&def, json!({}));
    req.namespace = "-ns".into();
    assert!(
        matches!(def.render(&req), Err(CatalogError::InvalidParameters(e)) if has(&e, "namespace", "dns-1123"))
    );
    assert!(has(
        &rejected(&def, json!({"storage": {"className": "Fast_SSD"}})),
        "storage.className",
        "pattern"
    ));
    assert!(has(
        &rejected(&def, json!({"auth": {"users": [{"name": "Bad-User"}]}})),
        "auth.users.0.name",
        "pattern"
    ));
}

#[test]
fn template_syntax_newlines_and_yaml_are_rejected_in_plain_fields() {
    let def = postgres();
    let cases = [
        ("{{ 7*7 }}", "no-template"),
        ("{% raw %}", "no-template"),
        ("app\nevil: true", "single-line"),
        ("app: [x]", "plain-text"),
        ("\"quoted\"", "plain-text"),
    ];
    for (value, rule) in cases {
        let errors = rejected(&def, json!({"auth": {"database": value}}));
        assert!(has(&errors, "auth.database", rule), "{value:?}: {errors:?}");
    }
    let big = "a".repeat(100 * 1024);
    assert!(has(
        &rejected(&def, json!({"auth": {"username": big}})),
        "auth.username",
        "max-size"
    ));
}

#[test]
fn huge_free_text_is_rejected() {
    let big = "x".repeat(100 * 1024);
    let errors = rejected(&postgres(), json!({"initSQL": big}));
    assert!(
        has(&errors, "initSQL", "max-size") || has(&errors, "initSQL", "maxLength"),
        "{errors:?}"
    );
}

#[test]
fn free_text_arrives_verbatim_as_data() {
    let def = postgres();
    let text = "-- {{ x }} {% if %}\nkey: [value]\n\"quote\" 'single' \\ back\n---\n";
    let rendered = def
        .render(&request(&def, json!({"initSQL": text})))
        .expect("renders");
    let cm = rendered
        .objects
        .iter()
        .find(|o| o["kind"] == "ConfigMap")
        .expect("config map");
    assert_eq!(cm["data"]["20-user-init.sql"], Value::String(text.into()));
    // the YAML stream parses back to the same objects
    let yaml = rendered.to_yaml();
    let back: Vec<Value> = serde_yaml::Deserializer::from_str(&yaml)
        .map(|d| serde::Deserialize::deserialize(d).expect("yaml"))
        .collect();
    assert_eq!(back, rendered.objects);
}

#[test]
fn valid_values_get_defaults_and_the_version() {
    let def = postgres();
    let rendered = def
        .render(&request(&def, json!({"replicas": 2})))
        .expect("renders");
    assert_eq!(rendered.values["version"], "17");
    assert_eq!(rendered.values["resources"]["memory"], "1Gi");
    assert_eq!(rendered.values["auth"]["users"], json!([]));
    let kinds: Vec<&str> = rendered
        .objects
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "ConfigMap",
            "Secret",
            "Service",
            "Service",
            "Service",
            "StatefulSet",
            "PodDisruptionBudget"
        ]
    );
    for o in &rendered.objects {
        assert_eq!(
            o["metadata"]["labels"]["app.kubernetes.io/managed-by"],
            "berth"
        );
        assert_eq!(o["metadata"]["namespace"], "default");
    }
}

#[test]
fn single_replica_has_no_pdb_and_no_anti_affinity() {
    let def = postgres();
    let rendered = def.render(&request(&def, json!({}))).expect("renders");
    assert!(
        !rendered
            .objects
            .iter()
            .any(|o| o["kind"] == "PodDisruptionBudget")
    );
    let sts = rendered
        .objects
        .iter()
        .find(|o| o["kind"] == "StatefulSet")
        .unwrap();
    assert!(sts.pointer("/spec/template/spec/affinity").is_none());
}

#[test]
fn request_version_overrides_values_and_unknown_versions_fail() {
    let def = postgres();
    let mut req = request(&def, json!({"version": "16"}));
    req.version = Some("18".into());
    let rendered = def.render(&req).expect("renders");
    assert_eq!(rendered.values["version"], "18");
    let sts = rendered
        .objects
        .iter()
        .find(|o| o["kind"] == "StatefulSet")
        .unwrap();
    assert!(
        sts.pointer("/spec/template/spec/containers/0/image")
            .unwrap()
            .as_str()
            .unwrap()
            .ends_with(":18.0-bookworm")
    );
    req.version = Some("9".into());
    assert!(
        matches!(def.render(&req), Err(CatalogError::InvalidParameters(e)) if has(&e, "version", "enum"))
    );
}

#[test]
fn missing_credentials_render_nothing() {
    let def = postgres();
    let mut req = request(&def, json!({"auth": {"users": [{"name": "app"}]}}));
    req.credentials.remove("user-password-app");
    assert!(
        matches!(def.render(&req), Err(CatalogError::MissingCredential(k)) if k == "user-password-app")
    );
}

#[test]
fn credentials_are_quoted_even_when_hostile() {
    let def = postgres();
    let mut req = request(&def, json!({}));
    req.credentials
        .insert("admin-password".into(), "p\"w: {{x}}\n- y".into());
    let rendered = def.render(&req).expect("renders");
    let secret = rendered
        .objects
        .iter()
        .find(|o| o["kind"] == "Secret")
        .unwrap();
    use base64::Engine;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(secret["data"]["admin-password"].as_str().unwrap())
        .unwrap();
    assert_eq!(decoded, b"p\"w: {{x}}\n- y");
}

#[test]
fn apply_set_coerces_by_schema() {
    let def = postgres();
    let mut values = json!({});
    def.apply_set(&mut values, "replicas=3").unwrap();
    def.apply_set(&mut values, "resources.memory=2Gi").unwrap();
    def.apply_set(&mut values, "resources.cpu=2").unwrap();
    def.apply_set(&mut values, "auth.users=[{\"name\":\"app\"}]")
        .unwrap();
    def.apply_set(&mut values, "auth.users.0.database=appdb")
        .unwrap();
    assert_eq!(
        values,
        json!({"replicas": 3, "resources": {"memory": "2Gi", "cpu": "2"}, "auth": {"users": [{"name": "app", "database": "appdb"}]}})
    );
    def.apply_set(&mut values, "replicas=null").unwrap();
    assert!(values.get("replicas").is_none());
    assert!(matches!(
        def.apply_set(&mut values, "replicas=three"),
        Err(CatalogError::InvalidSet { .. })
    ));
    assert!(
        matches!(def.apply_set(&mut values, "nope.deeper=1"), Err(CatalogError::InvalidSet { message, .. }) if message.contains("unknown"))
    );
    assert!(matches!(
        def.apply_set(&mut values, "no-equals-sign"),
        Err(CatalogError::InvalidSet { .. })
    ));
    let redis = Definition::load(&catalog_dir().join("redis"), Origin::BuiltIn).unwrap();
    let mut values = json!({});
    redis.apply_set(&mut values, "persistence=none").unwrap();
    assert_eq!(values, json!({"persistence": "none"}));
}

#[test]
fn connection_uri_has_a_password_only_when_asked() {
    let def = postgres();
    let values = def.validate_values(&json!({})).unwrap();
    let host = def.service_host("db", "prod");
    assert_eq!(host, "db.prod.svc.cluster.local");
    assert_eq!(
        def.connection_uri(&host, &values, None).unwrap(),
        "postgresql://postgres@db.prod.svc.cluster.local:5432/app"
    );
    assert_eq!(
        def.connection_uri(&host, &values, Some("p@ss/word"))
            .unwrap(),
        "postgresql://postgres:p%40ss%2Fword@db.prod.svc.cluster.local:5432/app"
    );
}

#[test]
fn user_folders_override_built_ins_by_id() {
    let user = tempfile::tempdir().unwrap();
    let target = user.path().join("redis");
    copy_dir(&catalog_dir().join("redis"), &target);
    let text = std::fs::read_to_string(target.join("service.yaml"))
        .unwrap()
        .replace("title: Redis", "title: My Redis");
    std::fs::write(target.join("service.yaml"), text).unwrap();
    let catalog = Catalog::load(&[
        CatalogSource::built_in(catalog_dir()),
        CatalogSource::folder(user.path()),
    ])
    .unwrap();
    let redis = catalog.get("redis").unwrap();
    assert_eq!(redis.spec.title, "My Redis");
    assert_eq!(redis.origin, Origin::Folder(user.path().to_path_buf()));
    assert_eq!(catalog.get("postgres").unwrap().origin, Origin::BuiltIn);
    let ids: Vec<&str> = catalog.list().iter().map(|d| d.id()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    assert_eq!(ids.iter().filter(|i| **i == "redis").count(), 1);
    assert!(matches!(
        catalog.require("nope"),
        Err(CatalogError::NotFound(_))
    ));
}

pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).unwrap();
        }
    }
}

#[test]
fn a_broken_user_definition_does_not_hide_the_catalog() {
    let user = tempfile::tempdir().unwrap();
    let target = user.path().join("redis");
    copy_dir(&catalog_dir().join("redis"), &target);
    std::fs::write(target.join("service.yaml"), "id: [broken\n").unwrap();
    let sources = [
        CatalogSource::built_in(catalog_dir()),
        CatalogSource::folder(user.path()),
        CatalogSource::folder(user.path().join("missing")),
    ];
    assert!(matches!(
        Catalog::load(&sources),
        Err(CatalogError::Definition { .. })
    ));
    let (catalog, errors) = Catalog::load_lenient(&sources);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        matches!(&errors[0], CatalogError::Definition { file, line: Some(1), .. } if file.ends_with("redis/service.yaml"))
    );
    assert!(matches!(&errors[1], CatalogError::Io { .. }));
    // the built-in redis stays, everything else loads
    assert_eq!(catalog.get("redis").unwrap().origin, Origin::BuiltIn);
    assert_eq!(catalog.list().len(), 14);
}

#[test]
fn loading_only_some_ids_reads_just_those_and_keeps_the_override_rules() {
    let user = tempfile::tempdir().unwrap();
    let target = user.path().join("redis");
    copy_dir(&catalog_dir().join("redis"), &target);
    let text = std::fs::read_to_string(target.join("service.yaml"))
        .unwrap()
        .replace("title: Redis", "title: My Redis");
    std::fs::write(target.join("service.yaml"), text).unwrap();
    // a broken definition that is not asked for is not even read
    let broken = user.path().join("postgres");
    copy_dir(&catalog_dir().join("postgres"), &broken);
    std::fs::write(broken.join("service.yaml"), "id: [broken\n").unwrap();
    let sources = [
        CatalogSource::built_in(catalog_dir()),
        CatalogSource::folder(user.path()),
        CatalogSource::folder(user.path().join("missing")),
    ];
    let (catalog, errors) = Catalog::load_lenient_only(&sources, &["redis", "memcached", "nope"]);
    let ids: Vec<&str> = catalog.list().iter().map(|d| d.id()).collect();
    assert_eq!(ids, ["memcached", "redis"]);
    assert_eq!(catalog.get("redis").unwrap().spec.title, "My Redis");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(matches!(&errors[0], CatalogError::Io { .. }));
    // asking for the broken one reports it, and the built-in stays
    let (catalog, errors) = Catalog::load_lenient_only(&sources[..2], &["postgres"]);
    assert_eq!(catalog.get("postgres").unwrap().origin, Origin::BuiltIn);
    assert!(
        matches!(&errors[..], [CatalogError::Definition { .. }]),
        "{errors:?}"
    );
}
