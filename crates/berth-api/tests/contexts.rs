//! Contexts through the API: kubeconfig files joined with tags kept in a real SQLite home.

use berth_api::{Api, ErrorCode, Location, ProbeFailureKind, parse_location};

const KUBECONFIG: &str = r#"apiVersion: v1
kind: Config
current-context: kind-dev
clusters:
- name: kind-dev
  cluster: {server: "https://127.0.0.1:1"}
- name: gke_acme_europe-west1_prod
  cluster: {server: "https://prod.invalid"}
- name: lab
  cluster: {server: "https://k8s.lab.invalid:6443"}
users:
- name: u
  user: {token: very-secret-token}
contexts:
- name: kind-dev
  context: {cluster: kind-dev, user: u, namespace: dev}
- name: gke_acme_europe-west1_prod
  context: {cluster: gke_acme_europe-west1_prod, user: u}
- name: lab
  context: {cluster: lab, user: u}
"#;

fn setup() -> (tempfile::TempDir, Api) {
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    std::fs::write(&kc, KUBECONFIG).unwrap();
    let broken = dir.path().join("broken");
    std::fs::write(&broken, "clusters: [oops").unwrap();
    let api = Api::open(Some(&dir.path().join("home")))
        .unwrap()
        .with_kubeconfig(vec![kc, broken]);
    (dir, api)
}

#[tokio::test]
async fn lists_contexts_with_inferred_locations_and_problems() {
    let (_dir, api) = setup();
    let list = api.list_contexts().await.unwrap();
    let names: Vec<_> = list.contexts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["kind-dev", "gke_acme_europe-west1_prod", "lab"]);
    let locations: Vec<_> = list.contexts.iter().map(|c| c.location).collect();
    assert_eq!(
        locations,
        [Location::Laptop, Location::Cloud, Location::Private]
    );
    assert!(
        list.contexts
            .iter()
            .all(|c| c.location_inferred && !c.favourite)
    );
    assert!(list.contexts[0].current);
    assert_eq!(list.contexts[0].namespace.as_deref(), Some("dev"));
    assert_eq!(list.problems.len(), 1);
    assert!(list.problems[0].file.ends_with("broken"));
    let json = serde_json::to_string(&list).unwrap();
    assert!(
        !json.contains("very-secret-token"),
        "a credential reached the DTO"
    );
    assert!(json.contains("\"locationInferred\""), "camelCase");
}

#[tokio::test]
async fn tags_persist_in_the_home() {
    let (dir, api) = setup();
    let info = api
        .set_context_location("lab", Some(Location::Cloud))
        .unwrap();
    assert_eq!(
        (info.location, info.location_inferred),
        (Location::Cloud, false)
    );
    api.set_context_favourite("lab", true).unwrap();

    let again = Api::open(Some(&dir.path().join("home")))
        .unwrap()
        .with_kubeconfig(vec![dir.path().join("kubeconfig")]);
    let lab = again
        .list_contexts()
        .await
        .unwrap()
        .contexts
        .into_iter()
        .find(|c| c.name == "lab")
        .unwrap();
    assert_eq!(
        (lab.location, lab.location_inferred, lab.favourite),
        (Location::Cloud, false, true)
    );

    let back = again.set_context_location("lab", None).unwrap();
    assert_eq!(
        (back.location, back.location_inferred),
        (Location::Private, true)
    );
}

#[tokio::test]
async fn unknown_contexts_are_not_found_and_change_nothing() {
    let (_dir, api) = setup();
    let err = api.set_context_favourite("nope", true).unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    assert!(err.message.contains("nope"));
    assert_eq!(
        api.probe_context("nope").await.unwrap_err().code,
        ErrorCode::NotFound
    );
    let err = parse_location("moon").unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert_eq!(parse_location("AUTO").unwrap(), None);
    assert_eq!(parse_location("laptop").unwrap(), Some(Location::Laptop));
}

#[tokio::test]
async fn probes_report_reasons_without_leaving_loopback() {
    let (_dir, api) = setup();
    let probes = api.probe_contexts().await.unwrap();
    let kinds: Vec<_> = probes
        .iter()
        .map(|p| p.failure.as_ref().map(|f| f.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            Some(ProbeFailureKind::Refused),
            Some(ProbeFailureKind::Dns),
            Some(ProbeFailureKind::Dns)
        ]
    );
    assert!(probes.iter().all(|p| !p.reachable && p.last_seen.is_none()));
}

#[test]
fn app_info_names_the_home() {
    let (dir, api) = setup();
    let info = api.app_info();
    assert_eq!(info.version, berth_api::VERSION);
    assert!(info.home.starts_with(&dir.path().display().to_string()));
}
