//! `list_context_instances`: one context at a time, as the desktop's Services screen asks, against
//! kubesim (or the cluster named by `BERTH_TEST_KUBECONFIG`) plus two local dead servers. Needs a
//! keyring: run under `scripts/with-keyring.sh`.

mod support;

use std::time::{Duration, Instant};

use berth_api::{ErrorCode, InstallInput};

/// A kubeconfig file with two contexts: `refused` (nothing listens on its port) and `silent` (a
/// socket that accepts connections and never answers).
fn dead_contexts(dir: &std::path::Path, silent: &std::net::TcpListener) -> std::path::PathBuf {
    let refused = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let silent = silent.local_addr().unwrap().port();
    let path = dir.join("dead.yaml");
    std::fs::write(
        &path,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n\
             - {{name: refused, cluster: {{server: \"https://127.0.0.1:{refused}\"}}}}\n\
             - {{name: silent, cluster: {{server: \"https://127.0.0.1:{silent}\"}}}}\n\
             users:\n- {{name: u, user: {{token: t}}}}\n\
             contexts:\n\
             - {{name: refused, context: {{cluster: refused, user: u}}}}\n\
             - {{name: silent, context: {{cluster: silent, user: u}}}}\n"
        ),
    )
    .unwrap();
    path
}

#[tokio::test]
async fn each_context_answers_on_its_own() {
    let cluster = kubesim::testing::cluster().await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = dead_contexts(home.path(), &silent);
    let (api, keyring) =
        support::api_and_keyring(home.path(), cluster.kubeconfig(), "ctxls", "each");
    let api = api.with_kubeconfig(vec![cluster.kubeconfig().to_owned(), dead]);
    let done = api
        .install(
            &InstallInput {
                service: "postgres".into(),
                name: Some("pgctx".into()),
                context: cluster.context().map(str::to_owned),
                namespace: Some("api-ctxls".into()),
                create_namespace: true,
                no_wait: true,
                ..InstallInput::default()
            },
            &|_| {},
        )
        .await
        .unwrap();

    // the reachable context: its instances, judged with the definition the record names
    let listed = api
        .list_context_instances(&done.context, Some("api-ctxls"))
        .await
        .unwrap();
    assert_eq!(listed.context, done.context);
    let found: Vec<_> = listed
        .instances
        .iter()
        .map(|i| (i.name.as_str(), i.service.as_str(), i.in_local_history))
        .collect();
    assert_eq!(found, [("pgctx", "postgres", true)]);
    assert_eq!(
        listed.instances[0].endpoint.as_deref(),
        Some("pgctx.api-ctxls.svc:5432")
    );

    // a refused connection is reported soon (retried only for the list's short budget)
    let started = Instant::now();
    let err = api
        .list_context_instances("refused", None)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Cluster, "{err:?}");
    assert!(
        started.elapsed() < berth_api::CONTEXT_LIST_TIMEOUT,
        "a refused connection took {:?}",
        started.elapsed()
    );

    // a server that never answers is cut off at the timeout, with a message that says so
    let err = api
        .list_context_instances_within("silent", None, Duration::from_millis(400))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Timeout);
    assert!(
        err.message.starts_with("silent: ")
            && err
                .message
                .contains("did not answer in time (waited 0.4 s)"),
        "{err:?}"
    );
    assert_eq!(err.failure, Some(berth_api::ProbeFailureKind::Timeout));
    assert!(err.hint.is_some(), "{err:?}");

    // a context the kubeconfig does not have is the caller's mistake
    let err = api
        .list_context_instances("nowhere", None)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput, "{err:?}");

    for key in ["admin-password", "replication-password"] {
        let _ = keyring.delete(&format!("{}/api-ctxls/pgctx/{key}", done.context));
    }
    drop(silent);
    cluster.shutdown().await;
}
