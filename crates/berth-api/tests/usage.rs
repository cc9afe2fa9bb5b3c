//! The Services screen's usage history and the users list's Reveal, through the API as the
//! desktop app calls them, against kubesim (or the cluster named by `BERTH_TEST_KUBECONFIG`).
//! Needs a keyring: run under `scripts/with-keyring.sh`.

mod support;

use std::time::Duration;

use berth_api::{
    Api, ErrorCode, InstallInput, InstanceRef, MetricsHistoryInput, RevealCredentialInput,
    USAGE_HISTORY_LEN, UsageInput, UsageTarget,
};
use k8s_openapi::api::core::v1::Secret;

fn api(home: &std::path::Path, kubeconfig: &std::path::Path, test: &str) -> Api {
    support::api_and_keyring(home, kubeconfig, "usage", test).0
}

async fn install(
    api: &Api,
    cluster: &kubesim::testing::TestCluster,
    input: InstallInput,
) -> String {
    let done = api
        .install(
            &InstallInput {
                context: cluster.context().map(str::to_owned),
                create_namespace: true,
                ..input
            },
            &|_| {},
        )
        .await
        .unwrap();
    done.context
}

fn memcached(name: &str, ns: &str) -> InstallInput {
    InstallInput {
        service: "memcached".into(),
        name: Some(name.into()),
        namespace: Some(ns.into()),
        set: vec!["replicas=2".into()],
        ..InstallInput::default()
    }
}

fn target(context: &str, ns: &str, name: &str) -> UsageTarget {
    UsageTarget {
        context: context.into(),
        namespace: ns.into(),
        name: name.into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_sums_the_pods_keeps_a_short_history_and_says_why_when_it_cannot() {
    let mut config = kubesim::Config::default();
    config.metrics.push(kubesim::config::LoadRule {
        selector: "app.kubernetes.io/instance=mc".into(),
        cpu_millis: 150,
        memory_mib: 64,
        ..Default::default()
    });
    let cluster = kubesim::testing::cluster_with(config).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let api = api(home.path(), cluster.kubeconfig(), "history").with_usage_interval(Duration::ZERO);
    let context = install(&api, &cluster, memcached("mc", "usage")).await;

    let input = UsageInput {
        instances: vec![
            target(&context, "usage", "mc"),
            target(&context, "usage", "gone"),
            target("no-such-context", "usage", "mc"),
        ],
    };
    let series = api.instance_usage(&input).await.unwrap();
    assert_eq!(series.len(), 3);
    let mc = &series[0];
    assert_eq!(mc.instance, input.instances[0]);
    assert_eq!((mc.points.len(), &mc.unavailable), (1, &None), "{mc:?}");
    if cluster.sim().is_some() {
        // two pods, each with the rule's load
        let p = mc.points[0];
        assert_eq!(
            (p.cpu_millicores, p.memory_bytes),
            (300, 128 << 20),
            "{p:?}"
        );
    }
    for other in &series[1..] {
        assert!(other.points.is_empty(), "{other:?}");
        assert!(other.unavailable.is_some(), "{other:?}");
    }
    assert!(
        series[2]
            .unavailable
            .as_deref()
            .unwrap()
            .contains("no-such-context"),
        "{:?}",
        series[2]
    );

    for _ in 0..USAGE_HISTORY_LEN + 2 {
        api.instance_usage(&input).await.unwrap();
    }
    let series = api.instance_usage(&input).await.unwrap();
    let points = &series[0].points;
    assert_eq!(points.len(), USAGE_HISTORY_LEN);
    assert!(
        points.windows(2).all(|w| w[0].at_ms <= w[1].at_ms),
        "{points:?}"
    );

    // each pod's samples went to the metrics history too (one per pod and second)
    let history = api
        .metrics_history(&MetricsHistoryInput {
            instance: InstanceRef {
                name: "mc".into(),
                context: Some(context.clone()),
                namespace: Some("usage".into()),
            },
            since_seconds: 600,
        })
        .await
        .unwrap();
    assert_eq!(history.pods.len(), 2, "{history:?}");
    assert!(
        history.pods.iter().all(|p| !p.points.is_empty()),
        "{history:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_is_sampled_at_most_once_per_interval() {
    let cluster = kubesim::testing::cluster().await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let api = api(home.path(), cluster.kubeconfig(), "interval");
    let context = install(&api, &cluster, memcached("mc", "usage-interval")).await;
    let input = UsageInput {
        instances: vec![target(&context, "usage-interval", "mc")],
    };
    let first = api.instance_usage(&input).await.unwrap();
    // a clone shares the history, as the app's commands do
    let again = api.clone().instance_usage(&input).await.unwrap();
    assert_eq!(first[0].points.len(), 1, "{first:?}");
    assert_eq!(
        again, first,
        "a second call within the interval must not sample again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_says_when_the_cluster_has_no_metrics_api() {
    if std::env::var_os("BERTH_TEST_KUBECONFIG").is_some() {
        return; // a real cluster's metrics-server cannot be switched off from here
    }
    let config = kubesim::Config {
        metrics_api: false,
        ..kubesim::Config::default()
    };
    let cluster = kubesim::testing::cluster_with(config).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let api = api(home.path(), cluster.kubeconfig(), "nometrics");
    let context = install(&api, &cluster, memcached("mc", "usage-nometrics")).await;
    let series = api
        .instance_usage(&UsageInput {
            instances: vec![target(&context, "usage-nometrics", "mc")],
        })
        .await
        .unwrap();
    assert!(series[0].points.is_empty());
    let why = series[0].unavailable.as_deref().unwrap();
    assert!(why.contains("metrics-server"), "{why}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reveal_credential_returns_the_users_generated_password_and_nothing_else() {
    let cluster = kubesim::testing::cluster().await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let api = api(home.path(), cluster.kubeconfig(), "reveal");
    install(
        &api,
        &cluster,
        InstallInput {
            service: "postgres".into(),
            name: Some("pg".into()),
            namespace: Some("reveal".into()),
            values: Some(serde_json::json!({"auth": {"users": [{"name": "app_user"}]}})),
            no_wait: true,
            ..InstallInput::default()
        },
    )
    .await;
    let instance = InstanceRef {
        name: "pg".into(),
        context: cluster.context().map(str::to_owned),
        namespace: Some("reveal".into()),
    };
    let reveal = |user: &str| RevealCredentialInput {
        instance: instance.clone(),
        user: user.into(),
    };
    let password = api.reveal_credential(&reveal("app_user")).await.unwrap();
    assert!(
        password.len() >= 16 && password.chars().all(|c| c.is_ascii_alphanumeric()),
        "a generated password, got {} characters",
        password.len()
    );
    // the very password the pods read from the instance's Secret
    let secrets: kube::Api<Secret> =
        kube::Api::namespaced(cluster.client().await.unwrap(), "reveal");
    let found = secrets
        .list(&Default::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|s| s.data?.remove("user-password-app_user"))
        .any(|v| v.0 == password.as_bytes());
    assert!(found, "the revealed password is not the one in the Secret");

    let err = api.reveal_credential(&reveal("nobody")).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound, "{err:?}");
    assert!(!err.message.contains(&password));
    let err = api
        .reveal_credential(&RevealCredentialInput {
            instance: InstanceRef {
                name: "missing".into(),
                ..instance.clone()
            },
            user: "app_user".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound, "{err:?}");
}
