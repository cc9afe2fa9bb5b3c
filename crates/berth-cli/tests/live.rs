//! `berth contexts` against a live API server (kubesim, or `BERTH_TEST_KUBECONFIG`'s cluster).

use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn a_live_context_shows_as_reachable_with_its_version() {
    let cluster = kubesim::testing::cluster().await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let out = tokio::process::Command::new(assert_cmd::cargo::cargo_bin("berth"))
        .args(["contexts", "-o", "json"])
        .env("KUBECONFIG", cluster.kubeconfig())
        .env("BERTH_HOME", home.path())
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = v["contexts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            cluster
                .context()
                .map_or(c["current"] == true, |name| c["name"] == name)
        })
        .expect("the cluster's context")
        .clone();
    assert_eq!(row["probe"]["reachable"], true, "{row}");
    assert!(
        row["probe"]["serverVersion"]
            .as_str()
            .unwrap()
            .starts_with('v')
    );
    assert!(row["probe"]["failure"].is_null());
    cluster.shutdown().await;
}
