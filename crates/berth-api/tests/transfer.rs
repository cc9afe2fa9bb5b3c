//! Moves and copies between two kubesim clusters whose pods are bound to two real servers
//! (Debian's PostgreSQL, Redis and MariaDB, started by tests/realdb): the data on the target is
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

/// Two real PostgreSQL servers (`a` seeded with `rows` rows) bound to two kubesim clusters,
/// contexts "laptop" and "cloud", and an API over both with `pg` installed on "laptop" at
/// `version` (the definition's default when `None`).
struct PgPair {
    a: realdb::Postgres,
    b: realdb::Postgres,
    seeded: String,
    sim_a: kubesim::Sim,
    sim_b: kubesim::Sim,
    /// The "cloud" kubeconfig.
    kb: std::path::PathBuf,
    api: berth_api::Api,
    _keyring: berth_secrets::Keyring,
    _dir: tempfile::TempDir,
}

async fn pg_pair(test: &str, rows: usize, version: Option<&str>) -> PgPair {
    let a = realdb::Postgres::start().unwrap();
    let b = realdb::Postgres::start().unwrap();
    a.seed(rows).unwrap();
    let seeded = a.digest().unwrap();
    let (sim_a, sim_b) = (sim_with(&a).await, sim_with(&b).await);
    let dir = tempfile::tempdir().unwrap();
    let (ka, kb) = (dir.path().join("a.yaml"), dir.path().join("b.yaml"));
    sim_a.write_kubeconfig(&ka, "laptop").unwrap();
    sim_b.write_kubeconfig(&kb, "cloud").unwrap();
    let (api, keyring) = support::api_and_keyring(&dir.path().join("home"), &ka, "transfer", test);
    let api = api.with_kubeconfig(vec![ka, kb.clone()]);
    api.install(
        &InstallInput {
            service: "postgres".into(),
            name: Some("pg".into()),
            context: Some("laptop".into()),
            version: version.map(str::to_owned),
            ..InstallInput::default()
        },
        &|_| {},
    )
    .await
    .unwrap();
    PgPair {
        a,
        b,
        seeded,
        sim_a,
        sim_b,
        kb,
        api,
        _keyring: keyring,
        _dir: dir,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moves_postgres_with_its_data_then_copies_it_back() {
    let PgPair {
        a,
        b,
        seeded,
        sim_a,
        sim_b,
        api,
        // kept to the end of the test: the home folder and the keyring namespace
        _keyring: _keep_keyring,
        _dir: _keep_dir,
        ..
    } = pg_pair("move", 100_000, None).await;

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
    // both "pods" (this machine) have zstd: the dump crossed compressed, and the data's size is
    // the decompressor's count ("N bytes streamed as W bytes of zstd, sha256 ...")
    let note = events
        .lock()
        .unwrap()
        .iter()
        .find(|e| e.contains("bytes of zstd"))
        .cloned()
        .unwrap_or_else(|| panic!("no compressed stream in {:?}", events.lock().unwrap()));
    let numbers: Vec<u64> = note
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    assert_eq!(numbers.first(), Some(&done.bytes), "{note}");
    assert!(numbers[1] * 3 < done.bytes, "{note}");
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

/// `berth copy --version`: PostgreSQL cannot be upgraded in place across major versions, so a copy
/// carries the data into a newer one (dump and restore is PostgreSQL's own way across majors).
/// The definition's `copyUpgradableTo` is the rule: a version it does not list is refused before
/// anything is touched. Both ends are the same Debian server here: what is tested is Berth's side
/// (the plan, the target's version and image, the data, the source left serving).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_postgres_into_a_newer_major_version() {
    let PgPair {
        a: _a,
        b,
        seeded,
        sim_a,
        sim_b,
        kb,
        api,
        // kept to the end of the test: the home folder and the keyring namespace
        _keyring: _keep_keyring,
        _dir: _keep_dir,
        ..
    } = pg_pair("version", 2_000, Some("16")).await;
    let copy = |version: &str| TransferInput {
        kind: "copy".into(),
        context: Some("laptop".into()),
        to: "cloud".into(),
        options: TransferOptions {
            instance: "pg".into(),
            version: Some(version.into()),
            ..TransferOptions::default()
        },
    };

    // a version the definition cannot copy into: refused, nothing touched
    for refused in ["15", "99"] {
        let err = api.run_transfer(&copy(refused), &|_| {}).await.unwrap_err();
        assert_eq!(err.code, berth_api::ErrorCode::InvalidInput, "{err:?}");
        assert!(
            err.message.contains("it can be copied into: 17, 18"),
            "{}",
            err.message
        );
    }
    assert!(api.transfers(10).unwrap().is_empty());
    let on_b = api
        .list_instances(Some("cloud"), false, None)
        .await
        .unwrap();
    assert!(on_b.instances.is_empty(), "{:?}", on_b.instances);

    // 16 → 17: the plan says so, the target runs 17 with every row, the source keeps serving 16
    let plan = api.plan_transfer(&copy("17")).await.unwrap();
    assert!(plan.feasible(), "{:?}", plan.checks);
    assert!(
        plan.checks
            .iter()
            .any(|c| c.name == "version" && c.message == "16 → 17"),
        "{:?}",
        plan.checks
    );
    let done = api.run_transfer(&copy("17"), &|_| {}).await.unwrap();
    assert_eq!(done.status, "succeeded", "{done:?}");
    assert_eq!(b.digest().unwrap(), seeded);
    let target = api
        .instance_status(&berth_api::InstanceRef {
            name: "pg".into(),
            context: Some("cloud".into()),
            namespace: None,
        })
        .await
        .unwrap();
    assert_eq!(target.version, "17");
    let source = api
        .instance_status(&berth_api::InstanceRef {
            name: "pg".into(),
            context: Some("laptop".into()),
            namespace: None,
        })
        .await
        .unwrap();
    assert_eq!(source.version, "16");
    assert!(!source.fenced, "a copy leaves the source serving");
    let kubeconfig = kube::config::Kubeconfig::read_from(&kb).unwrap();
    let client = kube::Client::try_from(
        kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
            .await
            .unwrap(),
    )
    .unwrap();
    let sts: kube::Api<k8s_openapi::api::apps::v1::StatefulSet> =
        kube::Api::namespaced(client, "default");
    let spec = sts.get("pg").await.unwrap().spec.template.spec.unwrap();
    let image = spec.containers[0].image.clone();
    assert_eq!(
        image.as_deref(),
        Some("docker.io/library/postgres:17.6-bookworm")
    );
    sim_a.shutdown().await;
    sim_b.shutdown().await;
}

/// Installs `service` as `name` on "laptop" (bound to `a`) and moves it to "cloud" (bound to
/// `b`); returns the journal row.
async fn install_and_move(
    service: &str,
    name: &str,
    a: kubesim::config::Backend,
    b: kubesim::config::Backend,
) -> berth_api::TransferInfo {
    let sim = |backend| {
        kubesim::Sim::start(Config {
            backends: vec![backend],
            ..Config::default()
        })
    };
    let (sim_a, sim_b) = (sim(a).await.unwrap(), sim(b).await.unwrap());
    let dir = tempfile::tempdir().unwrap();
    let (ka, kb) = (dir.path().join("a.yaml"), dir.path().join("b.yaml"));
    sim_a.write_kubeconfig(&ka, "laptop").unwrap();
    sim_b.write_kubeconfig(&kb, "cloud").unwrap();
    let (api, _keyring) = support::api_and_keyring(&dir.path().join("home"), &ka, "transfer", name);
    let api = api.with_kubeconfig(vec![ka, kb]);
    api.install(
        &InstallInput {
            service: service.into(),
            name: Some(name.into()),
            context: Some("laptop".into()),
            ..InstallInput::default()
        },
        &|_| {},
    )
    .await
    .unwrap();
    let mv = TransferInput {
        kind: "move".into(),
        context: Some("laptop".into()),
        to: "cloud".into(),
        options: TransferOptions {
            instance: name.into(),
            ..TransferOptions::default()
        },
    };
    let plan = api.plan_transfer(&mv).await.unwrap();
    assert!(plan.feasible() && plan.carries_data, "{:?}", plan.checks);
    let done = api.run_transfer(&mv, &|_| {}).await.unwrap();
    assert_eq!(done.status, "succeeded", "{done:?}");
    assert!(done.bytes > 0, "{done:?}");
    assert_eq!(done.source_sha256, done.target_sha256);
    assert_eq!(done.source_digest, done.target_digest);
    sim_a.shutdown().await;
    sim_b.shutdown().await;
    done
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moves_redis_with_its_data() {
    let (a, b) = (
        realdb::Redis::start().unwrap(),
        realdb::Redis::start().unwrap(),
    );
    a.seed(2_000).unwrap();
    let seeded = a.digest().unwrap();
    let selector = "app.kubernetes.io/instance=rd";
    install_and_move(
        "redis",
        "rd",
        a.backend("default", selector),
        b.backend("default", selector),
    )
    .await;
    assert_eq!(b.digest().unwrap(), seeded, "every key on the target");
    assert_eq!(a.digest().unwrap(), seeded, "the source keeps its data");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moves_mariadb_with_its_data() {
    let (a, b) = (
        realdb::Mariadb::start().unwrap(),
        realdb::Mariadb::start().unwrap(),
    );
    a.seed(2_000).unwrap();
    let seeded = a.digest().unwrap();
    let selector = "app.kubernetes.io/instance=mdb";
    install_and_move(
        "mariadb",
        "mdb",
        a.backend("default", selector),
        b.backend("default", selector),
    )
    .await;
    assert_eq!(b.digest().unwrap(), seeded, "every row on the target");
    assert_eq!(a.digest().unwrap(), seeded, "the source keeps its data");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moves_etcd_with_its_data_under_busybox() {
    let (a, b) = (
        realdb::Etcd::start().unwrap(),
        realdb::Etcd::start_with_env(&[("ETCD_NAME".to_owned(), "b".to_owned())].into()).unwrap(),
    );
    a.seed(2_000).unwrap();
    let seeded = a.digest().unwrap();
    // the pods' commands get busybox's tools and etcdctl only, as in the upstream image
    let tools = realdb::etcd_pod_tools().unwrap();
    let selector = "app.kubernetes.io/instance=kv";
    let bound = |e: &realdb::Etcd| {
        let mut backend = e.backend("default", selector);
        backend.env = e.pod_env(tools.path());
        backend
    };
    let done = install_and_move("etcd", "kv", bound(&a), bound(&b)).await;
    assert!(done.bytes > 100_000, "{done:?}");
    assert_eq!(b.digest().unwrap(), seeded, "every key on the target");
    assert_eq!(a.digest().unwrap(), seeded, "the source keeps its data");
}
