//! `berth catalog` as a user runs it, over the built-in catalog in this checkout.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn berth(home: &tempfile::TempDir) -> Command {
    let mut cmd = Command::cargo_bin("berth").unwrap();
    cmd.env_remove("BERTH_CATALOG_PATH")
        .env_remove("BERTH_CATALOG_DIR")
        .env("BERTH_HOME", home.path());
    cmd
}

fn json(cmd: &mut Command) -> Value {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn lists_every_built_in_service() {
    let home = tempfile::tempdir().unwrap();
    let v = json(berth(&home).args(["catalog", "list", "-o", "json"]));
    let ids: Vec<_> = v["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    for id in [
        "postgres",
        "mysql",
        "mariadb",
        "redis",
        "valkey",
        "mongodb",
        "cassandra",
        "rabbitmq",
        "kafka",
        "nats",
        "minio",
        "memcached",
        "opensearch",
        "etcd",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    assert!(
        v["services"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["source"] == "built-in")
    );
    berth(&home)
        .args(["catalog", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("PostgreSQL"));
}

#[test]
fn shows_a_service_with_its_parameters() {
    let home = tempfile::tempdir().unwrap();
    let v = json(berth(&home).args(["catalog", "show", "postgres", "-o", "json"]));
    assert_eq!(v["service"]["id"], "postgres");
    assert!(v["parametersSchema"]["properties"]["replicas"].is_object());
    assert!(v["readme"].as_str().unwrap().contains("Postgre"));
    berth(&home)
        .args(["catalog", "show", "postgres"])
        .assert()
        .success()
        .stdout(predicate::str::contains("resources.memory"));
    berth(&home)
        .args(["catalog", "show", "nope"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nope"));
}

#[test]
fn renders_with_parameters_and_never_real_credentials() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let values = dir.path().join("values.yaml");
    std::fs::write(&values, "replicas: 2\nstorage:\n  size: 2Gi\n").unwrap();
    let v = json(berth(&home).args([
        "catalog",
        "render",
        "postgres",
        "--name",
        "orders",
        "-n",
        "shop",
        "-f",
        values.to_str().unwrap(),
        "--set",
        "resources.memory=2Gi",
        "-o",
        "json",
    ]));
    let objects = v.as_array().unwrap();
    let sts = objects
        .iter()
        .find(|o| o["kind"] == "StatefulSet")
        .expect("a StatefulSet");
    assert_eq!(sts["metadata"]["namespace"], "shop");
    assert_eq!(
        sts["metadata"]["labels"]["app.kubernetes.io/managed-by"],
        "berth"
    );
    assert_eq!(
        sts["metadata"]["labels"]["app.kubernetes.io/instance"],
        "orders"
    );
    let text = v.to_string();
    assert!(text.contains("2Gi"));
    // Secret data is base64: "generated-at-install" stands in for every credential in a preview
    assert!(
        text.contains("Z2VuZXJhdGVkLWF0LWluc3RhbGw="),
        "credentials are placeholders in a preview"
    );
    assert!(
        objects.iter().any(|o| o["kind"] == "PodDisruptionBudget"),
        "2 replicas get a PDB"
    );
    // the YAML form is a multi-document stream
    berth(&home)
        .args(["catalog", "render", "redis"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("---\n"))
        .stdout(predicate::str::contains("kind: StatefulSet"));
}

#[test]
fn bad_parameters_are_usage_errors_that_render_nothing() {
    let home = tempfile::tempdir().unwrap();
    for args in [
        vec!["--set", "replicas=-1"],
        vec!["--set", "replicas=many"],
        vec!["--set", "nope=1"],
        vec!["--set", "auth.username={{ 7*7 }}"],
        vec!["--set", "auth.username=a\nb"],
        vec!["--name", "Not_DNS"],
        vec!["--version", "9"],
    ] {
        let mut cmd = berth(&home);
        cmd.args(["catalog", "render", "postgres"]).args(&args);
        let out = cmd.output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "{args:?} rendered something");
        assert!(
            String::from_utf8_lossy(&out.stderr).starts_with("error: "),
            "{args:?}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.yaml");
    std::fs::write(&list, "- 1\n- 2\n").unwrap();
    berth(&home)
        .args([
            "catalog",
            "render",
            "postgres",
            "-f",
            list.to_str().unwrap(),
        ])
        .assert()
        .code(2);
}

#[test]
fn lint_passes_on_the_built_in_catalog_and_fails_on_a_broken_definition() {
    let home = tempfile::tempdir().unwrap();
    berth(&home)
        .args(["catalog", "lint"])
        .assert()
        .success()
        .stdout(predicate::str::contains("0 errors"));
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken");
    std::fs::create_dir_all(broken.join("templates")).unwrap();
    std::fs::write(
        broken.join("service.yaml"),
        "id: broken\ntitle: [unclosed\n",
    )
    .unwrap();
    std::fs::write(broken.join("values.schema.json"), "{}").unwrap();
    berth(&home)
        .args(["catalog", "lint", broken.to_str().unwrap()])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("service.yaml"));
}

#[test]
fn a_user_folder_overrides_a_built_in_definition() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog/memcached");
    let copy = dir.path().join("memcached");
    copy_dir(&root, &copy);
    let mut cmd = berth(&home);
    cmd.env("BERTH_CATALOG_PATH", dir.path())
        .args(["catalog", "list", "-o", "json"]);
    let v = json(&mut cmd);
    let memcached = v["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "memcached")
        .unwrap()
        .clone();
    assert_eq!(memcached["source"], dir.path().to_str().unwrap());
    assert_eq!(
        v["services"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["id"] == "memcached")
            .count(),
        1
    );
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
