//! Fidelity: kube-rs against a fresh kubesim (or the cluster named by
//! `BERTH_TEST_KUBECONFIG`): CRUD, errors, patches, server-side apply, pagination,
//! watches and the runtime watcher.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kube::api::{
    Api, DeleteParams, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams,
};
use kube::runtime::{conditions, wait::await_condition, watcher};
use serde_json::json;

fn cm(name: &str, data: &[(&str, &str)]) -> ConfigMap {
    ConfigMap {
        metadata: kube::api::ObjectMeta {
            name: Some(name.into()),
            labels: Some(BTreeMap::from([(
                "suite".to_string(),
                "kube-rs".to_string(),
            )])),
            ..Default::default()
        },
        data: Some(
            data.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ),
        ..Default::default()
    }
}

fn code(e: kube::Error) -> (u16, String) {
    match e {
        kube::Error::Api(s) => (s.code, s.reason.clone()),
        other => panic!("expected an API error, got {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crud_errors_and_patches() {
    let c = kubesim::testing::cluster().await.expect("cluster");
    let client = c.client().await.expect("client");
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");

    let created = cms
        .create(&PostParams::default(), &cm("crud", &[("a", "1")]))
        .await
        .unwrap();
    let meta = &created.metadata;
    assert!(meta.uid.is_some() && meta.creation_timestamp.is_some());
    assert!(meta.resource_version.is_some());
    assert_eq!(
        code(
            cms.create(&PostParams::default(), &cm("crud", &[]))
                .await
                .unwrap_err()
        ),
        (409, "AlreadyExists".into())
    );
    assert_eq!(
        code(cms.get("missing").await.unwrap_err()),
        (404, "NotFound".into())
    );

    // Update with the current resourceVersion works; a stale one conflicts.
    let mut fresh = cms.get("crud").await.unwrap();
    fresh.data.as_mut().unwrap().insert("b".into(), "2".into());
    let updated = cms
        .replace("crud", &PostParams::default(), &fresh)
        .await
        .unwrap();
    assert_ne!(
        updated.metadata.resource_version,
        created.metadata.resource_version
    );
    let mut stale = created.clone();
    stale.data = Some(BTreeMap::from([("c".to_string(), "3".to_string())]));
    assert_eq!(
        code(
            cms.replace("crud", &PostParams::default(), &stale)
                .await
                .unwrap_err()
        )
        .0,
        409
    );

    // Merge, JSON and strategic patches.
    let p = cms
        .patch(
            "crud",
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {"a": null, "m": "x"}})),
        )
        .await
        .unwrap();
    assert_eq!(
        p.data.as_ref().unwrap().get("m").map(String::as_str),
        Some("x")
    );
    assert!(!p.data.as_ref().unwrap().contains_key("a"));
    let jp: json_patch::Patch =
        serde_json::from_value(json!([{"op": "add", "path": "/data/j", "value": "y"}])).unwrap();
    let p = cms
        .patch("crud", &PatchParams::default(), &Patch::<()>::Json(jp))
        .await
        .unwrap();
    assert_eq!(
        p.data.as_ref().unwrap().get("j").map(String::as_str),
        Some("y")
    );

    // Invalid names are 422 with a field cause.
    match cms
        .create(&PostParams::default(), &cm("Not_Valid", &[]))
        .await
        .unwrap_err()
    {
        kube::Error::Api(s) => {
            assert_eq!(s.code, 422);
            assert_eq!(s.reason, "Invalid");
            assert!(s.message.contains("metadata.name"), "{}", s.message);
        }
        other => panic!("{other}"),
    }

    // dryRun=All does not persist.
    let pp = PostParams {
        dry_run: true,
        ..Default::default()
    };
    cms.create(&pp, &cm("dry", &[])).await.unwrap();
    assert_eq!(code(cms.get("dry").await.unwrap_err()).0, 404);

    // Namespace must exist.
    let elsewhere: Api<ConfigMap> = Api::namespaced(client.clone(), "no-such-namespace");
    assert_eq!(
        code(
            elsewhere
                .create(&PostParams::default(), &cm("x", &[]))
                .await
                .unwrap_err()
        )
        .0,
        404
    );

    cms.delete("crud", &DeleteParams::default()).await.unwrap();
    assert_eq!(code(cms.get("crud").await.unwrap_err()).0, 404);
    c.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_side_apply_and_scale() {
    let c = kubesim::testing::cluster().await.expect("cluster");
    let client = c.client().await.expect("client");
    let deploys: Api<Deployment> = Api::namespaced(client.clone(), "default");
    let d = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "ssa"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "ssa"}},
                 "template": {"metadata": {"labels": {"app": "ssa"}},
                              "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}},
    });
    let applied = deploys
        .patch("ssa", &PatchParams::apply("berth"), &Patch::Apply(&d))
        .await
        .unwrap();
    let mf = applied.metadata.managed_fields.unwrap();
    assert!(
        mf.iter()
            .any(|m| m.manager.as_deref() == Some("berth")
                && m.operation.as_deref() == Some("Apply"))
    );

    let mut other = d.clone();
    other["spec"]["replicas"] = json!(3);
    match deploys
        .patch("ssa", &PatchParams::apply("other"), &Patch::Apply(&other))
        .await
        .unwrap_err()
    {
        kube::Error::Api(s) => {
            assert_eq!(s.code, 409);
            assert!(
                s.message.contains("conflict with \"berth\""),
                "{}",
                s.message
            );
            assert!(s.message.contains(".spec.replicas"), "{}", s.message);
        }
        e => panic!("{e}"),
    }
    let forced = deploys
        .patch(
            "ssa",
            &PatchParams::apply("other").force(),
            &Patch::Apply(&other),
        )
        .await
        .unwrap();
    assert_eq!(forced.spec.replicas, Some(3));
    assert_eq!(forced.metadata.generation, Some(2));

    let scale = deploys.get_scale("ssa").await.unwrap();
    assert_eq!(scale.spec.unwrap().replicas, Some(3));
    deploys
        .patch_scale(
            "ssa",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 2}})),
        )
        .await
        .unwrap();
    let ready = tokio::time::timeout(
        Duration::from_secs(60),
        kube::runtime::wait::await_condition(deploys.clone(), "ssa", |d: Option<&Deployment>| {
            d.and_then(|d| d.status.as_ref())
                .and_then(|s| s.ready_replicas)
                == Some(2)
        }),
    )
    .await;
    assert!(ready.is_ok(), "deployment did not become ready");

    // Pods of the deployment become Ready and can be awaited.
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    let list = pods
        .list(&ListParams::default().labels("app=ssa"))
        .await
        .unwrap();
    assert_eq!(list.items.len(), 2);
    let name = list.items[0].metadata.name.clone().unwrap();
    tokio::time::timeout(
        Duration::from_secs(30),
        await_condition(pods.clone(), &name, conditions::is_pod_running()),
    )
    .await
    .unwrap()
    .unwrap();
    c.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pagination_watch_and_watcher() {
    let c = kubesim::testing::cluster().await.expect("cluster");
    let client = c.client().await.expect("client");
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    for i in 0..7 {
        cms.create(&PostParams::default(), &cm(&format!("page-{i}"), &[]))
            .await
            .unwrap();
    }
    let lp = ListParams::default().labels("suite=kube-rs").limit(3);
    let first = cms.list(&lp).await.unwrap();
    assert_eq!(first.items.len(), 3);
    let token = first.metadata.continue_.clone().expect("continue token");
    let second = cms.list(&lp.clone().continue_token(&token)).await.unwrap();
    assert_eq!(second.items.len(), 3);
    let third = cms
        .list(
            &lp.clone()
                .continue_token(second.metadata.continue_.as_deref().unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(third.items.len(), 1);
    assert!(
        third
            .metadata
            .continue_
            .as_deref()
            .unwrap_or_default()
            .is_empty()
    );

    // A watch from the list's resourceVersion sees later changes only.
    let rv = first.metadata.resource_version.clone().unwrap();
    let wp = WatchParams::default().labels("suite=kube-rs");
    let mut stream = cms.watch(&wp, &rv).await.unwrap().boxed();
    cms.create(&PostParams::default(), &cm("watched", &[]))
        .await
        .unwrap();
    let ev = tokio::time::timeout(Duration::from_secs(10), stream.try_next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    match ev {
        WatchEvent::Added(o) => assert_eq!(o.metadata.name.as_deref(), Some("watched")),
        other => panic!("unexpected {other:?}"),
    }

    // The runtime watcher (initial list then watch) sees creations.
    let w = watcher(
        cms.clone(),
        watcher::Config::default().labels("suite=kube-rs"),
    );
    let mut objects = kube::runtime::WatchStreamExt::applied_objects(w).boxed();
    let mut seen = std::collections::HashSet::new();
    let creator = {
        let cms = cms.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            cms.create(&PostParams::default(), &cm("late", &[]))
                .await
                .unwrap();
        })
    };
    while !seen.contains("late") {
        let o = tokio::time::timeout(Duration::from_secs(10), objects.try_next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        seen.insert(o.metadata.name.unwrap());
    }
    creator.await.unwrap();
    assert!(seen.contains("page-0"));

    if let Some(sim) = c.sim() {
        // After compaction, an old resourceVersion is Gone (an ERROR event with 410).
        sim.compact();
        let mut stream = cms.watch(&wp, &rv).await.unwrap().boxed();
        match tokio::time::timeout(Duration::from_secs(10), stream.try_next())
            .await
            .unwrap()
            .unwrap()
        {
            Some(WatchEvent::Error(e)) => assert_eq!(e.code, 410),
            other => panic!("expected 410, got {other:?}"),
        }
    }
    c.shutdown().await;
}
