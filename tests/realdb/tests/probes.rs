//! kubesim runs the exec probes of pods bound to a real server: such a pod is Ready while its
//! server answers, and turns NotReady when the server goes away.

use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::PostParams;
use kubesim::config::Config;
use realdb::Postgres;
use serde_json::json;

fn pod(name: &str, labels: serde_json::Value, probe: &str) -> Pod {
    serde_json::from_value(json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": labels},
        "spec": {"containers": [{
            "name": "postgres",
            "image": "docker.io/library/postgres:17",
            "readinessProbe": {"exec": {"command": ["sh", "-c", probe]}, "periodSeconds": 5},
        }]},
    }))
    .unwrap()
}

async fn ready(pods: &Api<Pod>, name: &str) -> bool {
    let pod = pods.get(name).await.unwrap();
    pod.status
        .and_then(|s| s.conditions)
        .unwrap_or_default()
        .iter()
        .any(|c| c.type_ == "Ready" && c.status == "True")
}

async fn until(pods: &Api<Pod>, name: &str, want: bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while ready(pods, name).await != want {
        assert!(
            Instant::now() < deadline,
            "{name} did not turn ready={want}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bound_pod_is_ready_while_its_real_server_answers() {
    let db = Postgres::start().unwrap();
    let mut config = Config {
        backends: vec![db.backend("default", "app=db")],
        ..Config::default()
    };
    config.kubelet.probe_period_ms = Some(200);
    let sim = kubesim::Sim::start(config).await.unwrap();
    let pods: Api<Pod> = Api::namespaced(sim.client().await.unwrap(), "default");
    let isready = "pg_isready -q -h 127.0.0.1 -U \"$POSTGRES_USER\"";
    for p in [
        pod("db", json!({"app": "db"}), isready),
        pod("broken", json!({"app": "db"}), "exit 1"),
        // not bound to a server: readiness stays the simulator's timer
        pod("free", json!({"app": "other"}), "exit 1"),
    ] {
        pods.create(&PostParams::default(), &p).await.unwrap();
    }
    until(&pods, "db", true).await;
    until(&pods, "free", true).await;
    assert!(
        !ready(&pods, "broken").await,
        "a bound pod whose probe fails became Ready"
    );

    // the real server goes away: its pod follows after failureThreshold (3) periods
    drop(db);
    until(&pods, "db", false).await;
    sim.shutdown().await;
}
