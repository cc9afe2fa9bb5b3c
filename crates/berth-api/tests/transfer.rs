//! Moves and copies between two kubesim clusters whose postgres pods are bound to two real
//! PostgreSQL servers (Debian's package, started by tests/realdb): the data on the target is
//! checked with the server's own client, the source's records and history on both sides.

mod support;

use berth_api::{InstallInput, TransferInput, TransferOptions};
use kubesim::config::Config;

const SELECTOR: &str = "app.kubernetes.io/instance=pg";

async fn sim_with(db: &realdb::Postgres) -> kubesim::Sim {
    let config = Config {
        backends: vec![db.backend("default", SELECTOR)],
        ..Config::default()
    };
    kubesim::Sim::start(config).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moves_postgres_with_its_data_then_copies_it_back() {
    let a = realdb::Postgres::start().unwrap();
    let b = realdb::Postgres::start().unwrap();
    a.seed(100_000).unwrap();
    let seeded = a.digest().unwrap();
    let (sim_a, sim_b) = (sim_with(&a).await, sim_with(&b).await);
    let dir = tempfile::tempdir().unwrap();
    let (ka, kb) = (dir.path().join("a.yaml"), dir.path().join("b.yaml"));
    sim_a.write_kubeconfig(&ka, "laptop").unwrap();
    sim_b.write_kubeconfig(&kb, "cloud").unwrap();
    let home = dir.path().join("home");
    let (api, _keyring) = support::api_and_keyring(&home, &ka, "transfer", "move");
    let api = api.with_kubeconfig(vec![ka.clone(), kb.clone()]);
    api.install(
        &InstallInput {
            service: "postgres".into(),
            name: Some("pg".into()),
            context: Some("laptop".into()),
            ..InstallInput::default()
        },
        &|_| {},
    )
    .await
    .unwrap();

    // bad input: same context and namespace, an unknown class in the map; nothing touched
    let same = TransferInput {
        kind: "move".into(),
        context: Some("laptop".into()),
        to: "laptop".into(),
        options: TransferOptions {
            instance: "pg".into(),
            ..TransferOptions::default()
        },
    };
    let err = api.run_transfer(&same, &|_| {}).await.unwrap_err();
    assert_eq!(
        err.code,
        berth_api::ErrorCode::InvalidInput,
        "{}",
        err.message
    );
    let mut bad_map = same.clone();
    bad_map.to = "cloud".into();
    bad_map.options.storage_class_map = vec![("standard".into(), "no-such-class".into())];
    let err = api.run_transfer(&bad_map, &|_| {}).await.unwrap_err();
    assert_eq!(
        err.code,
        berth_api::ErrorCode::InvalidInput,
        "{}",
        err.message
    );
    assert!(err.message.contains("no-such-class"), "{}", err.message);
    assert!(
        api.transfers(10).unwrap().is_empty(),
        "refused before the journal"
    );

    // the move
    let mv = TransferInput {
        to: "cloud".into(),
        ..same.clone()
    };
    let plan = api.plan_transfer(&mv).await.unwrap();
    assert!(plan.feasible(), "{:?}", plan.checks);
    assert!(plan.carries_data);
    let events = std::sync::Mutex::new(Vec::new());
    let done = api
        .run_transfer(&mv, &|e| events.lock().unwrap().push(format!("{e:?}")))
        .await
        .unwrap();
    assert_eq!(done.status, "succeeded", "{done:?}");
    assert!(done.bytes > 1_000_000, "{done:?}");
    assert_eq!(done.source_sha256, done.target_sha256);
    assert_eq!(done.source_digest, done.target_digest);
    assert!(events.lock().unwrap().iter().any(|e| e.contains("stream")));
    // every row is on the target's real server; the source's server still holds its data
    assert_eq!(b.digest().unwrap(), seeded);
    assert_eq!(a.digest().unwrap(), seeded);
    // applications keep their passwords: the target's credentials are the source's
    let revealed = |context: &str| {
        let which = berth_api::InstanceRef {
            name: "pg".into(),
            context: Some(context.into()),
            namespace: None,
        };
        let api = &api;
        async move {
            let mut all: Vec<(String, Option<String>)> = api
                .credentials(&which, true)
                .await
                .unwrap()
                .into_iter()
                .map(|c| (c.key, c.value))
                .collect();
            all.sort();
            all
        }
    };
    let (on_a, on_b) = (revealed("laptop").await, revealed("cloud").await);
    assert!(
        !on_b.is_empty() && on_b.iter().all(|(_, v)| v.is_some()),
        "{on_b:?}"
    );
    assert_eq!(
        on_a, on_b,
        "the target's credentials differ from the source's"
    );
    // listed once, at its new place; history on both sides
    let on_a = api
        .list_instances(Some("laptop"), false, None)
        .await
        .unwrap();
    assert!(
        on_a.instances.iter().all(|i| i.name != "pg"),
        "moved-out instance hidden"
    );
    let on_b = api
        .list_instances(Some("cloud"), false, None)
        .await
        .unwrap();
    assert!(on_b.instances.iter().any(|i| i.name == "pg"));
    let ops = |ctx: &str| -> Vec<String> {
        api.history(Some("pg"), Some(ctx), None, 20)
            .unwrap()
            .iter()
            .map(|r| format!("{} {}", r.operation, r.status))
            .collect()
    };
    assert!(
        ops("cloud").contains(&"move-in succeeded".to_owned()),
        "{:?}",
        ops("cloud")
    );
    assert!(
        ops("laptop").iter().any(|o| o.starts_with("move-out")),
        "{:?}",
        ops("laptop")
    );

    // the journal: succeeded, no decision pending
    let journal = api.transfers(10).unwrap();
    assert_eq!(journal.len(), 1);
    assert!(api.interrupted_transfers().unwrap().is_empty());

    // a failed transfer (a copy whose target exists) refused in the plan, nothing touched
    let again = TransferInput {
        kind: "copy".into(),
        context: Some("laptop".into()),
        ..mv.clone()
    };
    assert!(api.run_transfer(&again, &|_| {}).await.is_err());
    assert_eq!(b.digest().unwrap(), seeded);

    sim_a.shutdown().await;
    sim_b.shutdown().await;
}
