//! Contexts against a live API server: kubesim, or the real cluster named by
//! `BERTH_TEST_KUBECONFIG`.

use berth_api::Api;

#[tokio::test]
async fn a_live_cluster_is_reachable_and_remembered() {
    let cluster = kubesim::testing::cluster().await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let api = Api::open(Some(home.path()))
        .unwrap()
        .with_kubeconfig(vec![cluster.kubeconfig().to_owned()]);
    let list = api.list_contexts().await.unwrap();
    let name = match cluster.context() {
        Some(c) => c.to_owned(),
        None => list
            .contexts
            .iter()
            .find(|c| c.current)
            .expect("a current context")
            .name
            .clone(),
    };
    let before = list.contexts.iter().find(|c| c.name == name).unwrap();
    assert_eq!(before.last_seen, None);

    let probe = api.probe_context(&name).await.unwrap();
    assert!(probe.reachable, "{:?}", probe.failure);
    let version = probe.server_version.clone().expect("a server version");
    assert!(version.starts_with('v'), "{version}");
    assert!(probe.last_seen.is_some());

    // what the probe saw is kept in the local store
    let after = api.list_contexts().await.unwrap();
    let after = after.contexts.iter().find(|c| c.name == name).unwrap();
    assert_eq!(after.server_version.as_deref(), Some(version.as_str()));
    assert_eq!(after.last_seen, probe.last_seen);
    if !cluster.is_real() {
        assert_eq!(
            after.location,
            berth_api::Location::Laptop,
            "kubesim listens on loopback"
        );
    }
    cluster.shutdown().await;
}
