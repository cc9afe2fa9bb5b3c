//! Fidelity: helm 4 installs, upgrades, rolls back and uninstalls `helm create`'s chart
//! against a fresh kubesim (or the cluster named by `BERTH_TEST_KUBECONFIG`).

mod common;

use common::{helm_ok, kubectl_ok};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn helm_lifecycle_of_the_default_chart() {
    let c = kubesim::testing::cluster().await.expect("cluster");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    helm_ok(&c, d, &["create", "demo"]);
    let out = helm_ok(
        &c,
        d,
        &["install", "demo", "./demo", "--wait", "--timeout", "90s"],
    );
    assert!(out.contains("STATUS: deployed"), "{out}");
    let list = helm_ok(&c, d, &["list"]);
    assert!(list.contains("demo") && list.contains("deployed"), "{list}");
    let ready = kubectl_ok(
        &c,
        &[
            "get",
            "deploy",
            "demo",
            "-o",
            "jsonpath={.status.readyReplicas}",
        ],
    );
    assert_eq!(ready, "1");

    let out = helm_ok(
        &c,
        d,
        &[
            "upgrade",
            "demo",
            "./demo",
            "--set",
            "replicaCount=2",
            "--wait",
            "--timeout",
            "90s",
        ],
    );
    assert!(out.contains("has been upgraded"), "{out}");
    let ready = kubectl_ok(
        &c,
        &[
            "get",
            "deploy",
            "demo",
            "-o",
            "jsonpath={.status.readyReplicas}",
        ],
    );
    assert_eq!(ready, "2");

    let out = helm_ok(
        &c,
        d,
        &["rollback", "demo", "1", "--wait", "--timeout", "90s"],
    );
    assert!(out.contains("Rollback was a success"), "{out}");
    let history = helm_ok(&c, d, &["history", "demo"]);
    assert_eq!(history.lines().count(), 4, "{history}");
    assert!(history.contains("Rollback to 1"), "{history}");
    let replicas = kubectl_ok(
        &c,
        &["get", "deploy", "demo", "-o", "jsonpath={.spec.replicas}"],
    );
    assert_eq!(replicas, "1");

    helm_ok(&c, d, &["uninstall", "demo", "--wait", "--timeout", "90s"]);
    let list = helm_ok(&c, d, &["list", "-q"]);
    assert!(list.trim().is_empty(), "{list}");
    let left = kubectl_ok(
        &c,
        &[
            "get",
            "deploy,svc,sa",
            "-l",
            "app.kubernetes.io/instance=demo",
            "-o",
            "name",
        ],
    );
    assert!(left.trim().is_empty(), "{left}");
    c.shutdown().await;
}
