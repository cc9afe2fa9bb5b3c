//! Background operations (`Operations`) against kubesim (or the cluster named by
//! `BERTH_TEST_KUBECONFIG`): an install, a stop and a start run in the background, report their
//! progress and outcome, and are listed. Needs a keyring: run under `scripts/with-keyring.sh`.

mod support;

use std::time::Duration;

use berth_api::{
    Api, ErrorCode, InstallInput, InstanceRef, OperationKind, OperationRequest, OperationResult,
    OperationState, OperationUpdate, Operations, ProgressEvent, RevisionOperation,
};
use berth_secrets::Keyring;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use kube::api::{Api as KubeApi, ListParams};
use tokio::sync::mpsc;

fn api(home: &std::path::Path, kubeconfig: &std::path::Path, test: &str) -> (Api, Keyring) {
    support::api_and_keyring(home, kubeconfig, "ops", test)
}

/// Starts `request` and collects its updates until it finishes.
async fn run_to_end(
    ops: &Operations,
    api: &Api,
    request: OperationRequest,
) -> (String, Vec<OperationUpdate>) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let id = ops.start(api, request, move |u| {
        let _ = tx.send(u.clone());
    });
    let mut updates = Vec::new();
    loop {
        let update = tokio::time::timeout(Duration::from_secs(120), rx.recv())
            .await
            .expect("the operation finishes within 2 minutes")
            .expect("the sink lives until the end");
        let done = update.state != OperationState::Running;
        updates.push(update);
        if done {
            return (id, updates);
        }
    }
}

#[tokio::test]
async fn install_stop_start_run_in_the_background_with_progress() {
    let cluster = kubesim::testing::cluster().await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let (api, keyring) = api(home.path(), cluster.kubeconfig(), "lifecycle");
    let client = cluster.client().await.unwrap();
    let ops = Operations::new();
    let context = cluster.context().map(str::to_owned);

    let install = OperationRequest::Install(InstallInput {
        service: "postgres".into(),
        name: Some("pgops".into()),
        context: context.clone(),
        namespace: Some("api-ops".into()),
        create_namespace: true,
        ..InstallInput::default()
    });
    let (id, updates) = run_to_end(&ops, &api, install).await;
    let first = &updates[0];
    assert_eq!(first.id, id);
    assert_eq!(first.state, OperationState::Running);
    assert_eq!(first.kind, OperationKind::Install);
    assert!(first.progress.is_empty());
    assert_eq!(first.target.name, "pgops");
    assert_eq!(first.target.namespace, "api-ops");
    assert!(
        first.title.starts_with("Install postgres in ") && first.title.ends_with("/api-ops"),
        "{}",
        first.title
    );
    // progress arrives while it runs: objects applied, then pods ready
    assert!(updates.len() > 3, "{updates:?}");
    let last = updates.last().unwrap();
    assert_eq!(last.state, OperationState::Succeeded, "{last:?}");
    assert!(last.finished_at.is_some());
    assert!(last.error.is_none());
    assert!(last.progress.len() <= berth_api::operations::PROGRESS_KEPT);
    assert!(
        updates.iter().any(|u| u
            .progress
            .iter()
            .any(|p| matches!(p, ProgressEvent::Applied { .. }))),
        "{updates:?}"
    );
    assert!(
        last.progress
            .iter()
            .any(|p| matches!(p, ProgressEvent::Pods { ready: 1, total: 1 })),
        "{last:?}"
    );
    let Some(OperationResult::Install(result)) = last.result.as_ref() else {
        panic!("an install's result: {last:?}");
    };
    assert!(result.ready);
    assert_eq!(result.name, "pgops");
    assert_eq!(last.target.context, result.context);
    // the UI reads the result by its kind, the API method's own fields beside it
    let json = serde_json::to_value(last).unwrap();
    assert_eq!(json["result"]["kind"], "install");
    assert_eq!(json["result"]["name"], "pgops");

    let which = InstanceRef {
        name: "pgops".into(),
        context: context.clone(),
        namespace: Some("api-ops".into()),
    };
    let (_, updates) = run_to_end(&ops, &api, OperationRequest::Stop(which.clone())).await;
    let last = updates.last().unwrap();
    assert_eq!(last.state, OperationState::Succeeded, "{last:?}");
    assert_eq!(last.kind, OperationKind::Stop);
    let Some(OperationResult::Stop(stopped)) = last.result.as_ref() else {
        panic!("a stop's result: {last:?}");
    };
    assert!(stopped.changed);
    let sts = KubeApi::<StatefulSet>::namespaced(client.clone(), "api-ops")
        .get("pgops")
        .await
        .unwrap();
    assert_eq!(sts.spec.replicas, Some(0));
    let pvcs = KubeApi::<PersistentVolumeClaim>::namespaced(client.clone(), "api-ops")
        .list(&ListParams::default())
        .await
        .unwrap();
    assert!(!pvcs.items.is_empty(), "the stop kept the volumes");

    let (_, updates) = run_to_end(&ops, &api, OperationRequest::Start(which.clone())).await;
    assert_eq!(updates.last().unwrap().state, OperationState::Succeeded);
    let sts = KubeApi::<StatefulSet>::namespaced(client.clone(), "api-ops")
        .get("pgops")
        .await
        .unwrap();
    assert_eq!(sts.spec.replicas, Some(1));

    // the Instance page's details: its pod, its volume, events only about its objects
    let details = api.instance_details(&which).await.unwrap();
    assert_eq!(details.instance.name, "pgops");
    assert_eq!(details.pods.len(), 1, "{details:?}");
    assert_eq!(details.pods[0].name, "pgops-0");
    assert_eq!(details.pods[0].phase, "Running");
    assert!(details.pods[0].ready);
    assert_eq!(details.volumes.len(), 1, "{details:?}");
    assert!(details.volumes[0].name.contains("pgops-0"), "{details:?}");
    assert!(
        details.events.iter().all(|e| e.object.contains("/pgops")),
        "{details:?}"
    );
    let err = api
        .instance_details(&InstanceRef {
            name: "nothing-here".into(),
            ..which.clone()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);

    // the upgrade picker's versions come from the catalog
    let versions = api.service_versions("postgres").unwrap();
    assert!(versions.iter().any(|v| v.default), "{versions:?}");
    assert_eq!(
        api.service_versions("no-such-service").unwrap_err().code,
        ErrorCode::NotFound
    );

    // the list holds all three, newest first, finished
    let list = ops.list();
    let kinds: Vec<_> = list.iter().map(|u| u.kind).collect();
    assert_eq!(
        kinds,
        [
            OperationKind::Start,
            OperationKind::Stop,
            OperationKind::Install
        ]
    );
    assert!(list.iter().all(|u| u.state == OperationState::Succeeded));
    assert_eq!(ops.get(&id).unwrap().kind, OperationKind::Install);

    let history = api.history(Some("pgops"), None, None, 10).unwrap();
    let operations: Vec<_> = history.iter().map(|r| r.operation).collect();
    assert_eq!(
        operations,
        [
            RevisionOperation::Start,
            RevisionOperation::Stop,
            RevisionOperation::Install
        ]
    );

    let ctx = result.context.as_str();
    for key in ["admin-password", "replication-password"] {
        let _ = keyring.delete(&format!("{ctx}/api-ops/pgops/{key}"));
    }
    cluster.shutdown().await;
}

#[tokio::test]
async fn a_failing_operation_reports_the_api_error() {
    let cluster = kubesim::testing::cluster().await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let (api, _keyring) = api(home.path(), cluster.kubeconfig(), "failing");
    let ops = Operations::new();
    let which = InstanceRef {
        name: "nothing-here".into(),
        context: cluster.context().map(str::to_owned),
        namespace: Some("api-ops-missing".into()),
    };
    let (_, updates) = run_to_end(&ops, &api, OperationRequest::Restart(which)).await;
    let last = updates.last().unwrap();
    assert_eq!(last.state, OperationState::Failed);
    assert_eq!(
        last.error.as_ref().unwrap().code,
        ErrorCode::NotFound,
        "{last:?}"
    );
    assert!(last.result.is_none());
    assert!(last.title.starts_with("Restart nothing-here in "));

    // an unknown context fails as invalid input, without touching any cluster
    let which = InstanceRef {
        name: "x".into(),
        context: Some("no-such-context".into()),
        namespace: None,
    };
    let (_, updates) = run_to_end(&ops, &api, OperationRequest::Stop(which)).await;
    let last = updates.last().unwrap();
    assert_eq!(last.state, OperationState::Failed);
    assert_eq!(last.error.as_ref().unwrap().code, ErrorCode::InvalidInput);
    assert_eq!(last.target.context, "no-such-context");
    assert_eq!(ops.list().len(), 2);
    cluster.shutdown().await;
}

#[tokio::test]
async fn a_cancelled_install_stops_and_leaves_it_to_recover() {
    // pods that take ten minutes to turn ready: the install is still waiting when cancelled
    let mut config = kubesim::config::Config::default();
    config.kubelet.ready_delay_ms = 600_000;
    let cluster = kubesim::testing::cluster_with(config).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let (api, _keyring) = api(home.path(), cluster.kubeconfig(), "cancel");
    let ops = Operations::new();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let install = OperationRequest::Install(InstallInput {
        service: "redis".into(),
        name: Some("slow".into()),
        context: cluster.context().map(str::to_owned),
        namespace: Some("api-ops-cancel".into()),
        create_namespace: true,
        ..InstallInput::default()
    });
    let id = ops.start(&api, install, move |u| {
        let _ = tx.send(u.clone());
    });
    let waiting = |u: &OperationUpdate| {
        u.progress
            .iter()
            .any(|p| matches!(p, ProgressEvent::Step { name } if name == "wait"))
    };
    let last = loop {
        let u = tokio::time::timeout(Duration::from_secs(60), rx.recv())
            .await
            .expect("updates keep coming")
            .expect("the sink lives");
        if u.state != OperationState::Running {
            break u;
        }
        if waiting(&u) {
            ops.cancel(&id).unwrap();
        }
    };
    assert_eq!(last.state, OperationState::Cancelled, "{last:?}");
    let error = last.error.as_ref().unwrap();
    assert_eq!(error.code, ErrorCode::Interrupted);
    assert!(error.message.contains("wait"), "{}", error.message);
    assert!(
        error.message.contains("berth recover slow"),
        "{}",
        error.message
    );
    // finished: a second cancel is a conflict, an unknown id not found
    assert_eq!(ops.cancel(&id).unwrap_err().code, ErrorCode::Conflict);
    assert_eq!(ops.cancel("op-999").unwrap_err().code, ErrorCode::NotFound);
    // the revision is failed and marked interrupted, so Recover offers to finish it
    let history = api.history(Some("slow"), None, None, 10).unwrap();
    assert_eq!(history[0].operation, RevisionOperation::Install);
    assert!(history[0].interrupted, "{:?}", history[0]);
    assert!(
        api.recoverable_operations()
            .unwrap()
            .iter()
            .any(|r| r.name == "slow"),
        "not offered for recovery"
    );
    cluster.shutdown().await;
}

#[test]
fn requests_deserialise_from_the_ui_shape() {
    let request: OperationRequest = serde_json::from_value(serde_json::json!({
        "kind": "uninstall",
        "instance": {"name": "pg", "context": "kind-dev", "namespace": "default"},
        "deleteData": true
    }))
    .unwrap();
    assert_eq!(request.kind(), OperationKind::Uninstall);
    let request: OperationRequest = serde_json::from_value(serde_json::json!({
        "kind": "stop", "name": "pg", "context": null, "namespace": null
    }))
    .unwrap();
    assert_eq!(request.kind(), OperationKind::Stop);
    let request: OperationRequest = serde_json::from_value(serde_json::json!({
        "kind": "reconfigure", "instance": {"name": "pg"}, "rollback": true, "rollbackTo": 2
    }))
    .unwrap();
    assert_eq!(request.kind(), OperationKind::Reconfigure);
}
