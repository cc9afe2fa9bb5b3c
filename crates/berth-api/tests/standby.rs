//! Standbys between two kubesim clusters whose postgres pods are bound to two real PostgreSQL
//! servers (Debian's package, started by tests/realdb): create, sync after more writes, a
//! planned promote and back, then a forced promote with the active's kubesim down; when it
//! comes back (a new kubesim on the same state), the old active is fenced and stopped.

mod support;

use berth_api::{Api, ErrorCode, InstallInput, StandbyInput, TransferOptions};
use kubesim::config::Config;

const SELECTOR: &str = "app.kubernetes.io/instance=pg";

fn config_for(db: &realdb::Postgres, state: Option<std::path::PathBuf>, token: &str) -> Config {
    Config {
        backends: vec![db.backend("default", SELECTOR)],
        state_file: state,
        token: Some(token.to_owned()),
        ..Config::default()
    }
}

async fn health(api: &Api, context: &str) -> String {
    let list = api
        .list_instances(Some(context), false, None)
        .await
        .unwrap();
    list.instances
        .iter()
        .find(|i| i.name == "pg")
        .map(|i| format!("{:?}", i.health).to_lowercase())
        .unwrap_or_else(|| "absent".into())
}

fn insert(db: &realdb::Postgres, from: u32, to: u32) {
    db.sql(
        "shop",
        &format!(
            "INSERT INTO items SELECT i, 'more ' || i, i, NULL FROM generate_series({from}, {to}) i"
        ),
    )
    .unwrap();
}

async fn fenced_selector(sim: &kubesim::Sim) -> bool {
    let client = sim.client().await.unwrap();
    let services: kube::Api<k8s_openapi::api::core::v1::Service> =
        kube::Api::namespaced(client, "default");
    services
        .list(&kube::api::ListParams::default().labels(SELECTOR))
        .await
        .unwrap()
        .items
        .iter()
        .filter(|s| s.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()) != Some("None"))
        .all(|s| {
            s.spec
                .as_ref()
                .and_then(|s| s.selector.as_ref())
                .is_some_and(|sel| sel.contains_key("berth.dev/fenced"))
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standby_create_sync_promote_and_disaster_switch() {
    let a = realdb::Postgres::start().unwrap();
    let b = realdb::Postgres::start().unwrap();
    a.seed(5_000).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let state_a = dir.path().join("a.sqlite");
    let sim_a = kubesim::Sim::start(config_for(&a, Some(state_a.clone()), "token-a"))
        .await
        .unwrap();
    let sim_b = kubesim::Sim::start(config_for(&b, None, "token-b"))
        .await
        .unwrap();
    let (ka, kb) = (dir.path().join("a.yaml"), dir.path().join("b.yaml"));
    sim_a.write_kubeconfig(&ka, "laptop").unwrap();
    sim_b.write_kubeconfig(&kb, "cloud").unwrap();
    let home = dir.path().join("home");
    let (api, _keyring) = support::api_and_keyring(&home, &ka, "standby", "pair");
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

    // bad input: no context, an unknown one, an instance without a standby; nothing touched
    let input = |on: &str| StandbyInput {
        context: Some("laptop".into()),
        on: on.into(),
        options: TransferOptions {
            instance: "pg".into(),
            ..TransferOptions::default()
        },
    };
    for on in ["", "no-such-context"] {
        let err = api.create_standby(&input(on), &|_| {}).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput, "{}", err.message);
    }
    let err = api.sync_standby("pg", None, &|_| {}).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput, "{}", err.message);
    assert!(api.transfers(10).unwrap().is_empty(), "nothing journaled");

    // create: a consistent copy, kept stopped and fenced, paired
    let created = api.create_standby(&input("cloud"), &|_| {}).await.unwrap();
    assert_eq!(created.status, "succeeded", "{created:?}");
    assert_eq!(b.digest().unwrap(), a.digest().unwrap());
    assert_eq!(health(&api, "cloud").await, "stopped");
    assert!(fenced_selector(&sim_b).await, "the standby is fenced");
    assert!(health(&api, "laptop").await != "stopped");
    let pairs = api.standbys().await.unwrap();
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert_eq!(pairs[0].active, "laptop/default/pg");
    assert_eq!(pairs[0].standby, "cloud/default/pg");
    assert_eq!(pairs[0].state, "ready");
    let first_as_of = pairs[0].data_as_of.clone().expect("data age recorded");
    // a second standby of the same active is refused
    let err = api
        .create_standby(&input("cloud"), &|_| {})
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput, "{}", err.message);

    // more writes on the active, then a sync: the standby holds them, stopped again
    insert(&a, 100_000, 100_499);
    let synced = api.sync_standby("pg", None, &|_| {}).await.unwrap();
    assert_eq!(synced.kind, "sync");
    assert_eq!(synced.source_digest, synced.target_digest);
    assert_eq!(b.digest().unwrap(), a.digest().unwrap());
    assert_eq!(health(&api, "cloud").await, "stopped");
    let pairs = api.standbys().await.unwrap();
    assert!(pairs[0].data_as_of.clone().unwrap() >= first_as_of);

    // planned promote: more writes first, all of them on the new active
    insert(&a, 100_500, 100_599);
    let promoted = api
        .promote_standby("pg", None, false, &|_| {})
        .await
        .unwrap();
    assert_eq!(promoted.kind, "promote", "{promoted:?}");
    assert_eq!(b.digest().unwrap(), a.digest().unwrap());
    assert_eq!(
        b.sql("shop", "SELECT count(*) FROM items WHERE id >= 100000")
            .unwrap()
            .trim(),
        "600"
    );
    assert_ne!(health(&api, "cloud").await, "stopped");
    assert_eq!(health(&api, "laptop").await, "stopped");
    assert!(!fenced_selector(&sim_b).await, "the new active serves");
    assert!(fenced_selector(&sim_a).await, "the old active is fenced");
    let pairs = api.standbys().await.unwrap();
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert_eq!(pairs[0].active, "cloud/default/pg");
    assert_eq!(pairs[0].standby, "laptop/default/pg");
    let ops: Vec<String> = api
        .history(Some("pg"), Some("cloud"), None, 20)
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r.operation, r.status))
        .collect();
    assert!(ops.contains(&"start succeeded".to_owned()), "{ops:?}");

    // the new active takes writes (it is not read-only); promote back carries them
    insert(&b, 200_000, 200_099);
    api.promote_standby("pg", Some("laptop"), false, &|_| {})
        .await
        .unwrap();
    assert_eq!(a.digest().unwrap(), b.digest().unwrap());
    assert_ne!(health(&api, "laptop").await, "stopped");
    assert_eq!(health(&api, "cloud").await, "stopped");
    insert(&a, 300_000, 300_009);
    let pairs = api.standbys().await.unwrap();
    assert_eq!(pairs[0].active, "laptop/default/pg");

    // disaster: the active's cluster is gone; --force is refused while it answers
    let err = api
        .promote_standby("pg", None, true, &|_| {})
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput, "{}", err.message);
    let addr = sim_a.addr();
    sim_a.shutdown().await;
    let forced = api
        .promote_standby("pg", None, true, &|_| {})
        .await
        .unwrap();
    assert_eq!(forced.status, "succeeded", "{forced:?}");
    assert_ne!(health(&api, "cloud").await, "stopped");
    assert!(!fenced_selector(&sim_b).await, "the standby serves");
    let pairs = berth_api::Api::standby_of(&api, "pg", Some("cloud")).unwrap();
    assert_eq!(pairs.state, "old active not fenced", "{pairs:?}");

    // the old active's cluster comes back (same state): the next command fences and stops it
    let sim_a = kubesim::Sim::start_on(addr, config_for(&a, Some(state_a), "token-a"))
        .await
        .unwrap();
    sim_a.write_kubeconfig(&ka, "laptop").unwrap();
    let pairs = api.standbys().await.unwrap();
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert_eq!(pairs[0].active, "cloud/default/pg");
    assert_eq!(pairs[0].state, "ready", "{pairs:?}");
    assert!(
        fenced_selector(&sim_a).await,
        "the returned old active is fenced"
    );
    assert_eq!(health(&api, "laptop").await, "stopped");

    // drop: the pairing ends, the standby is kept
    api.drop_standby("pg", None, false).await.unwrap();
    assert!(api.standbys().await.unwrap().is_empty());
    assert_eq!(health(&api, "laptop").await, "stopped");

    sim_a.shutdown().await;
    sim_b.shutdown().await;
}
