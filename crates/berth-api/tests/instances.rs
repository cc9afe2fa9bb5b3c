//! The instance operations through the API, as the desktop app calls them, against kubesim (or
//! the cluster named by `BERTH_TEST_KUBECONFIG`). Needs a keyring: run under
//! `scripts/with-keyring.sh`.

mod support;

use std::sync::Mutex;

use berth_api::{
    Api, ErrorCode, HealthState, InstallInput, InstanceRef, ProgressEvent, RevisionOperation,
    RevisionStatus,
};
use berth_secrets::Keyring;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{ConfigMap, PersistentVolumeClaim, Secret, Service};
use kube::api::{Api as KubeApi, ListParams};

fn api(home: &std::path::Path, kubeconfig: &std::path::Path, test: &str) -> (Api, Keyring) {
    support::api_and_keyring(home, kubeconfig, "api", test)
}

fn input(cluster: &kubesim::testing::TestCluster, name: &str, ns: &str) -> InstallInput {
    InstallInput {
        service: "postgres".into(),
        name: Some(name.into()),
        context: cluster.context().map(str::to_owned),
        namespace: Some(ns.into()),
        create_namespace: true,
        ..InstallInput::default()
    }
}

async fn count_objects(client: &kube::Client, ns: &str, instance: &str) -> usize {
    let lp = ListParams::default().labels(&format!("app.kubernetes.io/instance={instance}"));
    let sts = KubeApi::<StatefulSet>::namespaced(client.clone(), ns)
        .list(&lp)
        .await
        .unwrap();
    let cms = KubeApi::<ConfigMap>::namespaced(client.clone(), ns)
        .list(&lp)
        .await
        .unwrap();
    let secrets = KubeApi::<Secret>::namespaced(client.clone(), ns)
        .list(&lp)
        .await
        .unwrap();
    let services = KubeApi::<Service>::namespaced(client.clone(), ns)
        .list(&lp)
        .await
        .unwrap();
    let pvcs = KubeApi::<PersistentVolumeClaim>::namespaced(client.clone(), ns)
        .list(&lp)
        .await
        .unwrap();
    sts.items.len()
        + cms.items.len()
        + secrets.items.len()
        + services.items.len()
        + pvcs.items.len()
}

#[tokio::test]
async fn install_reports_progress_and_dry_run_changes_nothing() {
    let cluster = kubesim::testing::cluster().await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let (api, keyring) = api(home.path(), cluster.kubeconfig(), "progress");
    let client = cluster.client().await.unwrap();

    let dry = api
        .install(
            &InstallInput {
                dry_run: true,
                ..input(&cluster, "pgdry", "api-dry")
            },
            &|_| {},
        )
        .await
        .unwrap();
    assert!(dry.dry_run && dry.created_namespace);
    assert_eq!(count_objects(&client, "api-dry", "pgdry").await, 0);
    assert!(api.history(None, None, None, 10).unwrap().is_empty());

    let events = Mutex::new(Vec::new());
    let done = api
        .install(&input(&cluster, "pg", "api-progress"), &|e| {
            events.lock().unwrap().push(e)
        })
        .await
        .unwrap();
    assert!(done.ready);
    let events = events.into_inner().unwrap();
    let applied: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            ProgressEvent::Applied { done, total, .. } => Some((*done, *total)),
            _ => None,
        })
        .collect();
    let total = applied.last().unwrap().1;
    assert_eq!(
        applied.last().unwrap().0,
        total,
        "every object applied: {events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ProgressEvent::Pods { ready: 1, total: 1 })),
        "{events:?}"
    );
    // the install's output never carries the generated password
    let password = keyring
        .get(&format!("{}/api-progress/pg/admin-password", done.context))
        .unwrap();
    assert!(
        !serde_json::to_string(&done)
            .unwrap()
            .contains(password.expose().as_str())
    );
    let history = api.history(Some("pg"), None, None, 10).unwrap();
    assert_eq!(history[0].status, RevisionStatus::Succeeded);
    assert_eq!(history[0].operation, RevisionOperation::Install);
    assert!(!history[0].interrupted);
    assert!(history[0].finished_at.is_some());
    for key in ["admin-password", "replication-password"] {
        let _ = keyring.delete(&format!("{}/api-progress/pg/{key}", done.context));
    }
    cluster.shutdown().await;
}

#[tokio::test]
async fn a_failed_install_is_recorded_and_atomic_removes_what_it_created() {
    let mut config = kubesim::Config::default();
    config.kubelet.failing_images = vec!["docker.io/library/postgres:17.6-bookworm".into()];
    let cluster = kubesim::testing::cluster_with(config).await.unwrap();
    if cluster.is_real() {
        // a real cluster pulls the image; the failure cannot be injected there
        cluster.shutdown().await;
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let (api, keyring) = api(home.path(), cluster.kubeconfig(), "atomic");
    let client = cluster.client().await.unwrap();

    // without --atomic: failed revision, objects stay for inspection, status says why
    let err = api
        .install(
            &InstallInput {
                timeout_seconds: Some(30),
                ..input(&cluster, "broken", "api-fail")
            },
            &|_| {},
        )
        .await
        .unwrap_err();
    assert!(
        err.message.contains("ErrImagePull") || err.message.contains("ImagePullBackOff"),
        "{}",
        err.message
    );
    let history = api.history(Some("broken"), None, None, 10).unwrap();
    assert_eq!(history[0].status, RevisionStatus::Failed);
    assert!(
        !history[0].interrupted,
        "a failure the operation met is not an interruption"
    );
    assert!(history[0].error.as_deref().unwrap().contains("broken"));
    assert!(count_objects(&client, "api-fail", "broken").await > 0);
    let status = api
        .instance_status(&InstanceRef {
            name: "broken".into(),
            context: cluster.context().map(str::to_owned),
            namespace: Some("api-fail".into()),
        })
        .await
        .unwrap();
    assert_eq!(status.health, HealthState::Degraded);
    assert!(status.reason.unwrap().contains("Image"));

    // with --atomic: everything it created is gone, the credentials too
    let err = api
        .install(
            &InstallInput {
                timeout_seconds: Some(30),
                atomic: true,
                ..input(&cluster, "gone", "api-atomic")
            },
            &|_| {},
        )
        .await
        .unwrap_err();
    assert!(err.message.contains("--atomic"), "{}", err.message);
    assert_eq!(count_objects(&client, "api-atomic", "gone").await, 0);
    let context = cluster.context().unwrap_or_default();
    assert!(
        keyring
            .get(&format!("{context}/api-atomic/gone/admin-password"))
            .is_err()
    );
    let history = api.history(Some("gone"), None, None, 10).unwrap();
    assert_eq!(history[0].status, RevisionStatus::Failed);
    assert!(
        !history[0].interrupted,
        "a failure the operation met is not an interruption"
    );
    for key in ["admin-password", "replication-password"] {
        let _ = keyring.delete(&format!("{context}/api-fail/broken/{key}"));
    }
    cluster.shutdown().await;
}

#[tokio::test]
async fn all_contexts_are_listed_and_an_unreachable_one_is_reported() {
    let cluster = kubesim::testing::cluster().await.unwrap();
    if cluster.is_real() {
        cluster.shutdown().await;
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let (api, keyring) = api(home.path(), cluster.kubeconfig(), "contexts");
    let done = api
        .install(
            &InstallInput {
                no_wait: true,
                ..input(&cluster, "pgls", "api-ls")
            },
            &|_| {},
        )
        .await
        .unwrap();

    // a second kubeconfig file with a context whose API server is down
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = home.path().join("down.yaml");
    std::fs::write(
        &down,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: down\n  cluster: {{server: \"https://127.0.0.1:{port}\"}}\nusers:\n- name: u\n  user: {{token: t}}\ncontexts:\n- name: down\n  context: {{cluster: down, user: u}}\n"
        ),
    )
    .unwrap();
    // another machine: a fresh home sees the instance through its record ConfigMap
    let other_home = tempfile::tempdir().unwrap();
    let other = Api::open(Some(other_home.path()))
        .unwrap()
        .with_kubeconfig(vec![cluster.kubeconfig().to_owned(), down]);
    let list = other.list_instances(None, true, None).await.unwrap();
    let found: Vec<_> = list
        .instances
        .iter()
        .map(|i| (i.context.as_str(), i.name.as_str()))
        .collect();
    assert_eq!(found, [(done.context.as_str(), "pgls")]);
    assert_eq!(list.instances[0].service, "postgres");
    assert_eq!(
        list.instances[0].endpoint.as_deref(),
        Some("pgls.api-ls.svc:5432")
    );
    assert_eq!(list.unreachable.len(), 1, "{list:?}");
    assert_eq!(list.unreachable[0].context, "down");

    // one unreachable context asked for directly is an error
    let err = other
        .list_instances(Some("down"), false, None)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Cluster);
    for key in ["admin-password", "replication-password"] {
        let _ = keyring.delete(&format!("{}/api-ls/pgls/{key}", done.context));
    }
    cluster.shutdown().await;
}

#[tokio::test]
async fn one_operation_at_a_time_and_interrupted_ones_are_reported() {
    let cluster = kubesim::testing::cluster().await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let (api, keyring) = api(home.path(), cluster.kubeconfig(), "lock");
    let done = api
        .install(
            &InstallInput {
                no_wait: true,
                ..input(&cluster, "pglock", "api-lock")
            },
            &|_| {},
        )
        .await
        .unwrap();
    let which = InstanceRef {
        name: "pglock".into(),
        context: cluster.context().map(str::to_owned),
        namespace: Some("api-lock".into()),
    };

    // another process (the app, say) is changing the instance: the CLI is refused at once
    let path = berth_actions::lock_path(home.path(), &done.context, "api-lock", "pglock");
    let held = std::fs::File::create(&path).unwrap();
    held.lock().unwrap();
    let err = api.stop_instance(&which, &|_| {}).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict, "{}", err.message);
    assert!(
        err.message.contains("another Berth process"),
        "{}",
        err.message
    );

    // a pending revision whose operation still runs is not interrupted
    let store = berth_store::Store::open_in(home.path()).unwrap();
    let params = serde_json::json!({});
    let new = berth_store::NewRevision {
        context: &done.context,
        namespace: "api-lock",
        instance: "pglock",
        definition: "postgres",
        version: "17",
        operation: berth_store::Operation::Stop,
        parameters: &params,
        manifest_digest: None,
    };
    let running = store.begin_revision(&new).unwrap();
    assert!(api.interrupted_operations().unwrap().is_empty());

    // its process dies (the lock goes with it): reported once, as failed
    held.unlock().unwrap();
    drop(held);
    let found = api.interrupted_operations().unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].revision, running.revision);
    assert_eq!(found[0].status, RevisionStatus::Failed);
    assert!(found[0].interrupted);
    assert!(found[0].error.as_deref().unwrap().contains("interrupted"));
    assert!(api.interrupted_operations().unwrap().is_empty());

    // and the instance can be changed again
    let stopped = api.stop_instance(&which, &|_| {}).await.unwrap();
    assert!(stopped.changed);
    for key in ["admin-password", "replication-password"] {
        let _ = keyring.delete(&format!("{}/api-lock/pglock/{key}", done.context));
    }
    cluster.shutdown().await;
}
