//! Server-side apply and friends against a live API server (kubesim, or the real cluster named
//! by `BERTH_TEST_KUBECONFIG`).

use berth_cluster::{ApplyOptions, Cluster, LoadedKubeconfig, ObjectRef};
use serde_json::{Value, json};

async fn connect(cluster: &kubesim::testing::TestCluster) -> Cluster {
    let kubeconfig = LoadedKubeconfig::load(&[cluster.kubeconfig().to_owned()]);
    Cluster::connect(&kubeconfig, cluster.context())
        .await
        .unwrap()
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", std::process::id())
}

fn config_map(ns: &str, name: &str, value: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": ns, "labels": {"app.kubernetes.io/managed-by": "berth", "test": name}},
        "data": {"key": value}
    })
}

#[tokio::test]
async fn apply_dry_run_conflicts_list_and_delete() {
    let sim = kubesim::testing::cluster().await.unwrap();
    let cluster = connect(&sim).await;
    let ns = unique("berth-objects");
    let namespace = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});

    // dry-run: validated, nothing created
    cluster
        .apply(
            &namespace,
            ApplyOptions {
                dry_run: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(!cluster.namespace_exists(&ns).await.unwrap());

    // a namespaced object in a namespace that does not exist: a clear 404
    let err = cluster
        .apply(&config_map(&ns, "cm", "1"), ApplyOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, berth_cluster::ClusterError::Api { code: 404, .. }),
        "{err}"
    );
    assert!(err.to_string().contains(&ns), "{err}");

    cluster
        .apply(&namespace, ApplyOptions::default())
        .await
        .unwrap();
    assert!(cluster.namespace_exists(&ns).await.unwrap());
    let applied = cluster
        .apply(&config_map(&ns, "cm", "1"), ApplyOptions::default())
        .await
        .unwrap();
    let managers: Vec<_> = applied["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["manager"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(managers, ["berth"]);

    // re-applying the same object is a no-op; a new value updates it
    cluster
        .apply(&config_map(&ns, "cm", "1"), ApplyOptions::default())
        .await
        .unwrap();
    let updated = cluster
        .apply(&config_map(&ns, "cm", "2"), ApplyOptions::default())
        .await
        .unwrap();
    assert_eq!(updated["data"]["key"], "2");

    // another manager owning the field makes berth's apply a conflict, unless forced
    let client = cluster.client();
    let api: kube::Api<k8s_openapi::api::core::v1::ConfigMap> = kube::Api::namespaced(client, &ns);
    let theirs = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": {"key": "theirs"}});
    api.patch(
        "cm",
        &kube::api::PatchParams::apply("helm").force(),
        &kube::api::Patch::Apply(&theirs),
    )
    .await
    .unwrap();
    let err = cluster
        .apply(&config_map(&ns, "cm", "3"), ApplyOptions::default())
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, berth_cluster::ClusterError::Api { code: 409, .. }),
        "{text}"
    );
    // the server's message names the other manager; the remedy is worded per surface
    assert!(text.contains("helm"), "{text}");
    let cli = err.cli_hint().unwrap_or_default();
    assert!(cli.contains("--force-conflicts"), "{cli}");
    let app = err.hint().unwrap_or_default();
    assert!(
        app.contains("taking them over") && !app.contains("--"),
        "{app}"
    );
    let forced = cluster
        .apply(
            &config_map(&ns, "cm", "3"),
            ApplyOptions {
                force_conflicts: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(forced["data"]["key"], "3");

    // list by label, get, delete
    cluster
        .apply(&config_map(&ns, "other", "x"), ApplyOptions::default())
        .await
        .unwrap();
    let listed = cluster
        .list("v1", "ConfigMap", Some(&ns), "test=cm")
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["metadata"]["name"], "cm");
    let target = ObjectRef::of(&config_map(&ns, "cm", "")).unwrap();
    assert!(cluster.get(&target).await.unwrap().is_some());
    assert!(cluster.delete(&target).await.unwrap());
    assert!(!cluster.delete(&target).await.unwrap());
    assert!(cluster.get(&target).await.unwrap().is_none());

    cluster
        .delete(&ObjectRef::of(&namespace).unwrap())
        .await
        .unwrap();
    sim.shutdown().await;
}

#[tokio::test]
async fn objects_without_identity_are_refused_before_any_request() {
    let err = ObjectRef::of(&json!({"kind": "ConfigMap", "metadata": {"name": "x"}})).unwrap_err();
    assert!(err.to_string().contains("apiVersion"));
    let err = ObjectRef::of(&json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}))
        .unwrap_err();
    assert!(err.to_string().contains("metadata.name"));
}
