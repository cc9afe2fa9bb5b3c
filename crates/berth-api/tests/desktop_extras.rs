//! What the desktop's install form, Settings screen and Contexts screen ask beyond the
//! lifecycle: StorageClasses and namespaces of a cluster (kubesim, or `BERTH_TEST_KUBECONFIG`),
//! preferences in the store, and creating a local cluster with a stand-in `kind` on the path.

use std::os::unix::fs::PermissionsExt;

use berth_api::{Api, AppSettings, CreateLocalClusterInput, ErrorCode, LocalClusterTool, Theme};

#[tokio::test]
async fn storage_classes_and_namespaces_come_from_the_cluster() {
    let cluster = kubesim::testing::cluster().await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let api = Api::open(Some(home.path()))
        .unwrap()
        .with_kubeconfig(vec![cluster.kubeconfig().to_owned()]);
    let classes = api.storage_classes(cluster.context()).await.unwrap();
    assert!(
        !classes.is_empty(),
        "a cluster offers at least one StorageClass"
    );
    assert!(
        classes[0].is_default,
        "the default class comes first: {classes:?}"
    );
    if !cluster.is_real() {
        assert_eq!(classes[0].name, "standard");
    }
    let namespaces = api.namespaces(cluster.context()).await.unwrap();
    assert!(namespaces.iter().any(|n| n == "default"), "{namespaces:?}");
    assert!(namespaces.windows(2).all(|w| w[0] <= w[1]), "sorted");

    let unknown = api
        .storage_classes(Some("no-such-context"))
        .await
        .unwrap_err();
    assert_eq!(unknown.code, ErrorCode::InvalidInput);
    cluster.shutdown().await;
}

#[test]
fn settings_persist_and_are_validated() {
    let home = tempfile::tempdir().unwrap();
    let api = Api::open(Some(home.path())).unwrap();
    assert_eq!(api.settings().unwrap(), AppSettings::default());

    let folder = tempfile::tempdir().unwrap();
    let wanted = AppSettings {
        theme: Theme::Dark,
        default_namespace: Some(" apps ".into()),
        catalog_folders: vec![folder.path().display().to_string(), String::new()],
        standby_sync_minutes: Some(30),
    };
    let saved = api.set_settings(&wanted).unwrap();
    assert_eq!(saved.theme, Theme::Dark);
    assert_eq!(saved.default_namespace.as_deref(), Some("apps"));
    assert_eq!(saved.standby_sync_minutes, Some(30));
    assert_eq!(
        saved.catalog_folders,
        vec![folder.path().display().to_string()]
    );
    // another process opening the same home sees them
    let again = Api::open(Some(home.path())).unwrap();
    assert_eq!(again.settings().unwrap(), saved);

    let bad_ns = api
        .set_settings(&AppSettings {
            default_namespace: Some("Not_A_Namespace".into()),
            ..AppSettings::default()
        })
        .unwrap_err();
    assert_eq!(bad_ns.code, ErrorCode::InvalidInput);
    let bad_folder = api
        .set_settings(&AppSettings {
            catalog_folders: vec!["/no/such/catalog".into()],
            ..AppSettings::default()
        })
        .unwrap_err();
    assert_eq!(bad_folder.code, ErrorCode::InvalidInput);
    assert!(bad_folder.message.contains("/no/such/catalog"));
    for minutes in [0, 7 * 24 * 60 + 1] {
        let bad = api
            .set_settings(&AppSettings {
                standby_sync_minutes: Some(minutes),
                ..AppSettings::default()
            })
            .unwrap_err();
        assert_eq!(bad.code, ErrorCode::InvalidInput, "{minutes}");
    }
    // a refused change leaves what was stored
    assert_eq!(api.settings().unwrap(), saved);
}

#[test]
fn a_settings_catalog_folder_adds_its_services() {
    let home = tempfile::tempdir().unwrap();
    let api = Api::open(Some(home.path())).unwrap();
    let folder = tempfile::tempdir().unwrap();
    // a copy of the built-in redis definition under another id
    let built_in = berth_catalog_dir().join("redis");
    let copy = folder.path().join("redis-copy");
    copy_dir(&built_in, &copy);
    let spec = std::fs::read_to_string(copy.join("service.yaml")).unwrap();
    std::fs::write(
        copy.join("service.yaml"),
        spec.replacen("id: redis", "id: redis-copy", 1),
    )
    .unwrap();
    assert!(
        !api.catalog_list()
            .unwrap()
            .services
            .iter()
            .any(|s| s.id == "redis-copy")
    );
    api.set_settings(&AppSettings {
        catalog_folders: vec![folder.path().display().to_string()],
        ..AppSettings::default()
    })
    .unwrap();
    let list = api.catalog_list().unwrap();
    let added = list.services.iter().find(|s| s.id == "redis-copy");
    assert!(added.is_some(), "problems: {:?}", list.problems);
    assert_eq!(added.unwrap().source, folder.path().display().to_string());
}

fn berth_catalog_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog")
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

/// A stand-in `kind`: prints progress on stdout and stderr, then writes a kubeconfig with the
/// context `kind-<name>` into `$KUBECONFIG`, as the real one does.
const KIND_STAND_IN: &str = r#"#!/bin/sh
set -e
[ "$1 $2 $3" = "create cluster --name" ] || { echo "unexpected arguments: $*" >&2; exit 2; }
name=$4
echo "Creating cluster \"$name\" ..."
echo " ✓ Ensuring node image" >&2
if [ "$name" = "broken" ]; then echo "ERROR: failed to create cluster: node image missing" >&2; exit 1; fi
cat > "$KUBECONFIG" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: kind-$name
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: kind-$name
  user: {token: stand-in}
contexts:
- name: kind-$name
  context: {cluster: kind-$name, user: kind-$name}
current-context: kind-$name
YAML
echo "Set kubectl context to \"kind-$name\""
"#;

#[tokio::test]
async fn a_local_cluster_is_created_with_the_tool_on_the_path() {
    let home = tempfile::tempdir().unwrap();
    let bin = tempfile::tempdir().unwrap();
    let kubeconfig = home.path().join("kube.yaml");
    let api = Api::open(Some(home.path()))
        .unwrap()
        .with_kubeconfig(vec![kubeconfig.clone()])
        .with_tool_path(bin.path());
    assert!(api.local_cluster_tools().is_empty());

    let kind = bin.path().join("kind");
    std::fs::write(&kind, KIND_STAND_IN).unwrap();
    std::fs::set_permissions(&kind, std::fs::Permissions::from_mode(0o755)).unwrap();
    let tools = api.local_cluster_tools();
    assert_eq!(tools.len(), 1);
    assert_eq!(tools[0].tool, LocalClusterTool::Kind);
    assert_eq!(tools[0].path, kind.display().to_string());

    let lines = std::sync::Mutex::new(Vec::new());
    let created = api
        .create_local_cluster(
            &CreateLocalClusterInput {
                tool: LocalClusterTool::Kind,
                name: "demo".into(),
            },
            &|line| lines.lock().unwrap().push(line),
        )
        .await
        .unwrap();
    assert_eq!(created.context, "kind-demo");
    let lines = lines.into_inner().unwrap();
    assert!(
        lines.contains(&"Creating cluster \"demo\" ...".to_owned()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&" ✓ Ensuring node image".to_owned()),
        "{lines:?}"
    );
    let contexts = api.list_contexts().await.unwrap();
    assert!(contexts.contexts.iter().any(|c| c.name == "kind-demo"));

    // the same name again is a conflict; a failing tool reports its last line
    let again = api
        .create_local_cluster(
            &CreateLocalClusterInput {
                tool: LocalClusterTool::Kind,
                name: "demo".into(),
            },
            &|_| {},
        )
        .await
        .unwrap_err();
    assert_eq!(again.code, ErrorCode::Conflict);
    let failed = api
        .create_local_cluster(
            &CreateLocalClusterInput {
                tool: LocalClusterTool::Kind,
                name: "broken".into(),
            },
            &|_| {},
        )
        .await
        .unwrap_err();
    assert!(
        failed.message.contains("node image missing"),
        "{}",
        failed.message
    );
    let invalid = api
        .create_local_cluster(
            &CreateLocalClusterInput {
                tool: LocalClusterTool::K3d,
                name: "Bad Name".into(),
            },
            &|_| {},
        )
        .await
        .unwrap_err();
    assert_eq!(invalid.code, ErrorCode::InvalidInput);
}
