//! Fault injection: dropped watch connections (the kube-rs watcher recovers), injected
//! error rates with the right codes, and an outage window. These are kubesim features, so
//! they run against an in-process kubesim only.

use std::collections::HashSet;
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, ObjectMeta, PostParams};
use kube::runtime::{WatchStreamExt, watcher};

mod common;

fn cm(name: &str) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels: Some([("fault".to_string(), "1".to_string())].into()),
            ..Default::default()
        },
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watcher_survives_dropped_watches() {
    let config: kubesim::Config =
        serde_yaml::from_str("faults:\n  dropWatchesAfterMs: 300\n").unwrap();
    let sim = kubesim::Sim::start(config).await.unwrap();
    let cms: Api<ConfigMap> = Api::namespaced(sim.client().await.unwrap(), "default");
    let w = watcher(cms.clone(), watcher::Config::default().labels("fault=1"));
    let mut objects = w.default_backoff().applied_objects().boxed();
    let writer = {
        let cms = cms.clone();
        tokio::spawn(async move {
            for i in 0..12 {
                cms.create(&PostParams::default(), &cm(&format!("drop-{i}")))
                    .await
                    .unwrap();
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let mut seen = HashSet::new();
    while seen.len() < 12 {
        match tokio::time::timeout(Duration::from_secs(20), objects.next()).await {
            Ok(Some(Ok(o))) => {
                seen.insert(o.metadata.name.unwrap());
            }
            Ok(Some(Err(_))) => {} // the drop surfaces as an error; the watcher retries
            other => panic!("watcher ended: {other:?}"),
        }
    }
    writer.await.unwrap();
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_rates_and_outage() {
    let config: kubesim::Config = serde_yaml::from_str(
        "faults:\n  errors:\n  - {verb: list, resource: secrets, code: 503, rate: 1.0}\n  - {verb: create, resource: configmaps, code: 500, rate: 1.0}\n  outage: {startMs: 5000, durationMs: 1500}\n",
    )
    .unwrap();
    let sim = kubesim::Sim::start(config).await.unwrap();
    let t0 = tokio::time::Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    sim.write_kubeconfig(&kc, "faults").unwrap();
    let kubectl = |args: &[&str]| {
        std::process::Command::new(common::tool("kubectl", "KUBECTL"))
            .arg("--kubeconfig")
            .arg(&kc)
            .args(args)
            .output()
            .unwrap()
    };
    let out = kubectl(&["get", "secrets"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("ServiceUnavailable") || err.contains("injected fault"),
        "{err}"
    );
    let out = kubectl(&["create", "configmap", "x"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("InternalError") || err.contains("injected fault"),
        "{err}"
    );
    assert!(
        kubectl(&["get", "configmaps"]).status.success(),
        "other verbs are unaffected"
    );
    tokio::time::sleep_until(t0 + Duration::from_millis(5100)).await;
    let out = kubectl(&["get", "configmaps", "--request-timeout=1s"]);
    assert!(!out.status.success(), "the outage window fails requests");
    tokio::time::sleep_until(t0 + Duration::from_millis(6700)).await;
    assert!(
        kubectl(&["get", "configmaps"]).status.success(),
        "the outage is over"
    );
    sim.shutdown().await;
}

/// Polls `f` every 100 ms until it returns true (or panics after `secs` seconds).
async fn eventually<F, Fut>(secs: u64, what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !f().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn condition(conditions: Option<&Vec<k8s_openapi::api::core::v1::PodCondition>>) -> String {
    conditions
        .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"))
        .map(|c| c.status.clone())
        .unwrap_or_default()
}

fn pod_on(name: &str, node: &str) -> k8s_openapi::api::core::v1::Pod {
    serde_json::from_value(serde_json::json!({
        "metadata": {"name": name},
        "spec": {"nodeName": node, "containers": [{"name": "c", "image": "busybox"}]},
    }))
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_node_through_the_admin_endpoint_turns_its_pods_not_ready() {
    use k8s_openapi::api::core::v1::{Node, Pod};
    let config: kubesim::Config = serde_yaml::from_str(
        "nodes: [node-a, node-b]\nkubelet: {startDelayMs: 20, readyDelayMs: 20}\n",
    )
    .unwrap();
    let sim = kubesim::Sim::start(config).await.unwrap();
    let client = sim.client().await.unwrap();
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    let nodes: Api<Node> = Api::all(client);
    pods.create(&PostParams::default(), &pod_on("on-a", "node-a"))
        .await
        .unwrap();
    pods.create(&PostParams::default(), &pod_on("on-b", "node-b"))
        .await
        .unwrap();
    let ready = |name: &'static str| {
        let pods = pods.clone();
        async move {
            let p = pods.get(name).await.unwrap();
            condition(p.status.as_ref().and_then(|s| s.conditions.as_ref()))
        }
    };
    eventually(10, "both pods Ready", || async {
        ready("on-a").await == "True" && ready("on-b").await == "True"
    })
    .await;

    // Lose node-b through the admin endpoint, with kubectl (authenticated like the API).
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    sim.write_kubeconfig(&kc, "faults").unwrap();
    let faults = dir.path().join("faults.yaml");
    std::fs::write(&faults, "lostNodes: [node-b]\n").unwrap();
    let kubectl = |args: &[&str]| {
        let out = std::process::Command::new(common::tool("kubectl", "KUBECTL"))
            .arg("--kubeconfig")
            .arg(&kc)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "kubectl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let replaced = kubectl(&[
        "replace",
        "--raw",
        "/kubesim/v1/faults",
        "-f",
        faults.to_str().unwrap(),
    ]);
    assert!(replaced.contains("node-b"), "{replaced}");
    assert!(
        kubectl(&["get", "--raw", "/kubesim/v1/faults"]).contains("\"lostNodes\":[\"node-b\"]")
    );

    eventually(10, "the pod on the lost node turns NotReady", || async {
        ready("on-b").await == "False"
    })
    .await;
    let node_ready = |name: &'static str| {
        let nodes = nodes.clone();
        async move {
            let n = nodes.get(name).await.unwrap();
            n.status
                .and_then(|s| s.conditions)
                .and_then(|cs| cs.into_iter().find(|c| c.type_ == "Ready"))
                .map(|c| c.status)
                .unwrap_or_default()
        }
    };
    assert_ne!(
        node_ready("node-b").await,
        "True",
        "the lost node is not Ready"
    );
    assert_eq!(node_ready("node-a").await, "True");
    assert_eq!(ready("on-a").await, "True", "pods elsewhere stay Ready");
    let table = kubectl(&["get", "nodes"]);
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("node-b") && l.contains("NotReady")),
        "{table}"
    );

    // The node comes back.
    sim.set_faults(kubesim::config::Faults::default());
    eventually(10, "the pod is Ready again", || async {
        ready("on-b").await == "True"
    })
    .await;
    assert_eq!(node_ready("node-b").await, "True");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn followed_log_streams_are_dropped() {
    use k8s_openapi::api::core::v1::Pod;
    use kube::api::LogParams;
    let config: kubesim::Config = serde_yaml::from_str(
        "kubelet: {startDelayMs: 20, readyDelayMs: 20}\nfaults: {dropLogStreamsAfterMs: 500}\n",
    )
    .unwrap();
    let sim = kubesim::Sim::start(config).await.unwrap();
    let pods: Api<Pod> = Api::namespaced(sim.client().await.unwrap(), "default");
    pods.create(&PostParams::default(), &pod_on("logger", "kubesim-node"))
        .await
        .unwrap();
    eventually(10, "pod Ready", || async {
        let p = pods.get("logger").await.unwrap();
        condition(p.status.as_ref().and_then(|s| s.conditions.as_ref())) == "True"
    })
    .await;
    // Not followed: served in full.
    let all = pods.logs("logger", &LogParams::default()).await.unwrap();
    assert!(all.contains("started from image busybox"), "{all}");

    let started = tokio::time::Instant::now();
    let stream = pods
        .log_stream(
            "logger",
            &LogParams {
                follow: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    use futures::AsyncBufReadExt;
    let mut lines = stream.lines();
    let first = tokio::time::timeout(Duration::from_secs(5), lines.next())
        .await
        .expect("first line")
        .expect("a line")
        .expect("no error yet");
    assert!(first.contains("started from image busybox"), "{first}");
    let end = tokio::time::timeout(Duration::from_secs(10), lines.next())
        .await
        .expect("the followed stream ends although the pod lives on");
    assert!(
        matches!(end, Some(Err(_))),
        "the stream is aborted, not ended cleanly: {end:?}"
    );
    assert!(started.elapsed() >= Duration::from_millis(450));
    assert!(pods.get("logger").await.is_ok(), "the pod is still there");
    sim.shutdown().await;
}
