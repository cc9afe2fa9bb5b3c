//! Reading and merging kubeconfig files, including broken ones.

mod support;

use berth_cluster::{LoadedKubeconfig, Location, location};
use std::path::PathBuf;
use support::{Ctx, kubeconfig};

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn merges_files_first_wins_and_remembers_origins() {
    let dir = tempfile::tempdir().unwrap();
    let mut dev = Ctx::new("dev", "https://127.0.0.1:6443");
    dev.namespace = Some("team-a");
    let a = write(
        &dir,
        "a",
        &kubeconfig(
            &[dev, Ctx::new("shared", "https://first.example:6443")],
            Some("dev"),
        ),
    );
    let b = write(
        &dir,
        "b",
        &kubeconfig(
            &[
                Ctx::new("shared", "https://second.example:6443"),
                Ctx::new("prod", "https://prod.example:6443"),
            ],
            Some("prod"),
        ),
    );
    let missing = dir.path().join("does-not-exist");
    let loaded = LoadedKubeconfig::load(&[a.clone(), missing.clone(), b.clone()]);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    assert_eq!(loaded.files, vec![a.clone(), missing, b.clone()]);

    let contexts = loaded.contexts();
    let names: Vec<_> = contexts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["dev", "shared", "prod"]);
    let dev = &contexts[0];
    assert!(dev.current, "the first file's current-context wins");
    assert_eq!(dev.namespace.as_deref(), Some("team-a"));
    assert_eq!(dev.user.as_deref(), Some("dev-u"));
    assert_eq!(dev.source_file, a);
    let shared = &contexts[1];
    assert_eq!(
        shared.server.as_deref(),
        Some("https://first.example:6443"),
        "first file wins"
    );
    assert_eq!(shared.source_file, a);
    assert_eq!(contexts[2].source_file, b);
    assert!(!contexts[2].current);
}

#[test]
fn a_malformed_file_is_named_and_the_others_still_load() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(
        &dir,
        "good",
        &kubeconfig(&[Ctx::new("ok", "https://127.0.0.1:1")], None),
    );
    let bad_yaml = write(
        &dir,
        "bad-yaml",
        "apiVersion: v1\nclusters: [\n  - name: x\n   oops: : :\n",
    );
    let wrong_shape = write(
        &dir,
        "wrong-shape",
        "apiVersion: v1\nkind: Config\ncontexts: 42\n",
    );
    let binary = dir.path().join("binary");
    std::fs::write(&binary, [0xff_u8, 0x00, 0xfe, 0x01]).unwrap();
    let loaded =
        LoadedKubeconfig::load(&[bad_yaml.clone(), good, wrong_shape.clone(), binary.clone()]);

    assert_eq!(loaded.contexts().len(), 1);
    assert_eq!(loaded.contexts()[0].name, "ok");
    let files: Vec<_> = loaded.problems.iter().map(|p| p.file.clone()).collect();
    assert_eq!(files, vec![bad_yaml, wrong_shape, binary]);
    assert!(
        loaded.problems[0].message.contains("YAML"),
        "{}",
        loaded.problems[0].message
    );
    assert!(
        loaded.problems[0].message.contains("line"),
        "{}",
        loaded.problems[0].message
    );
    assert!(
        loaded.problems[1].message.contains("kubeconfig"),
        "{}",
        loaded.problems[1].message
    );
}

#[test]
fn an_empty_file_is_no_problem() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(&dir, "empty", "  \n");
    let loaded = LoadedKubeconfig::load(&[empty]);
    assert!(loaded.problems.is_empty());
    assert!(loaded.contexts().is_empty());
}

#[test]
fn a_context_pointing_at_a_missing_cluster_still_lists() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "k",
        "apiVersion: v1\nkind: Config\ncontexts:\n- name: orphan\n  context:\n    cluster: nowhere\n    user: nobody\n",
    );
    let loaded = LoadedKubeconfig::load(&[path]);
    let ctx = loaded.context("orphan").unwrap();
    assert_eq!(ctx.server, None);
    assert!(
        loaded
            .context("absent")
            .unwrap_err()
            .to_string()
            .contains("no context named")
    );
}

#[test]
fn locations_are_inferred_from_the_loaded_contexts() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "k",
        &kubeconfig(
            &[
                Ctx::new("kind-dev", "https://127.0.0.1:40000"),
                Ctx::new("gke_acme_europe-west1_prod", "https://prod.invalid"),
                Ctx::new("onprem", "https://k8s.corp.example:6443"),
            ],
            None,
        ),
    );
    let loaded = LoadedKubeconfig::load(&[path]);
    let got: Vec<_> = loaded
        .contexts()
        .iter()
        .map(|c| location::infer(&c.name, &c.cluster, c.server.as_deref()))
        .collect();
    assert_eq!(got, [Location::Laptop, Location::Cloud, Location::Private]);
}
