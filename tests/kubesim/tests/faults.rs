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
