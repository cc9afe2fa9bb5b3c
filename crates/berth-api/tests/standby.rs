//! Standbys between two kubesim clusters whose postgres pods are bound to two real PostgreSQL
//! servers (Debian's package, started by tests/realdb): create, sync after more writes, a
//! planned promote and back, then a forced promote with the active's kubesim down; when it
//! comes back (a new kubesim on the same state), the old active is fenced and stopped.

mod support;

use std::path::{Path, PathBuf};

use berth_api::{Api, ErrorCode, InstallInput, StandbyInput, StandbyState, TransferOptions};
use k8s_openapi::api::core::v1::{Pod, Service};
use kube::api::AttachParams;
use kubesim::config::Config;
use tokio::io::AsyncReadExt;

const SELECTOR: &str = "app.kubernetes.io/instance=pg";

fn config_for(db: &realdb::Postgres, state: Option<PathBuf>, token: &str) -> Config {
    Config {
        backends: vec![db.backend("default", SELECTOR)],
        state_file: state,
        token: Some(token.to_owned()),
        ..Config::default()
    }
}

/// One cluster of the test: a kubesim bound to a real PostgreSQL server, or the real cluster
/// of `BERTH_TEST_KUBECONFIG` (`_B` for the second), its kubeconfig copied so an outage can
/// be staged by pointing it at a dead address.
struct Side {
    kubeconfig: PathBuf,
    context: String,
    original: String,
    sim: Option<kubesim::Sim>,
    db: Option<realdb::Postgres>,
    state: Option<PathBuf>,
    token: String,
}

impl Side {
    async fn start(dir: &Path, env: &str, name: &str) -> Self {
        let kubeconfig = dir.join(format!("{name}.yaml"));
        if let Some(real) = std::env::var_os(env).filter(|p| !p.is_empty()) {
            let original = std::fs::read_to_string(&real).unwrap();
            std::fs::write(&kubeconfig, &original).unwrap();
            let context = original
                .lines()
                .find_map(|l| l.strip_prefix("current-context:"))
                .expect("a current-context")
                .trim()
                .trim_matches('"')
                .to_owned();
            return Self {
                kubeconfig,
                context,
                original,
                sim: None,
                db: None,
                state: None,
                token: String::new(),
            };
        }
        let db = realdb::Postgres::start().unwrap();
        let state = dir.join(format!("{name}.sqlite"));
        let token = format!("token-{name}");
        let sim = kubesim::Sim::start(config_for(&db, Some(state.clone()), &token))
            .await
            .unwrap();
        sim.write_kubeconfig(&kubeconfig, name).unwrap();
        Self {
            original: std::fs::read_to_string(&kubeconfig).unwrap(),
            kubeconfig,
            context: name.to_owned(),
            sim: Some(sim),
            db: Some(db),
            state: Some(state),
            token,
        }
    }

    async fn client(&self) -> kube::Client {
        let yaml = std::fs::read_to_string(&self.kubeconfig).unwrap();
        kubesim::client_from_kubeconfig(&yaml, Some(&self.context))
            .await
            .unwrap()
    }

    /// `psql` in the instance's pod (bound to the real server on kubesim).
    async fn sql(&self, database: &str, sql: &str) -> String {
        let pods: kube::Api<Pod> = kube::Api::namespaced(self.client().await, "default");
        let command = format!(
            "exec psql -v ON_ERROR_STOP=1 -h 127.0.0.1 -U \"$POSTGRES_USER\" -d {database} -Atc \"$0\""
        );
        let mut p = pods
            .exec(
                "pg-0",
                vec!["sh".to_owned(), "-c".to_owned(), command, sql.to_owned()],
                &AttachParams::default().container("postgres").stderr(false),
            )
            .await
            .unwrap();
        let mut out = String::new();
        p.stdout().unwrap().read_to_string(&mut out).await.unwrap();
        let status = p.take_status().unwrap().await;
        assert_eq!(
            status.as_ref().and_then(|s| s.status.as_deref()),
            Some("Success"),
            "{sql}: {status:?}"
        );
        out.trim().to_owned()
    }

    /// What the active holds: row count and a digest of every row.
    async fn digest(&self) -> String {
        self.sql(
            "shop",
            "SELECT count(*) || ' ' || md5(string_agg(id || ':' || name, ',' ORDER BY id)) FROM items",
        )
        .await
    }

    /// The cluster stops answering: kubesim shut down (its state kept on disk), or a real
    /// cluster's kubeconfig pointed at a dead address.
    async fn outage(&mut self) {
        if let Some(sim) = self.sim.take() {
            sim.shutdown().await;
        } else {
            let dead: Vec<String> = self
                .original
                .lines()
                .map(|l| match l.split_once("server:") {
                    Some((indent, _)) => format!("{indent}server: https://127.0.0.1:1"),
                    None => l.to_owned(),
                })
                .collect();
            std::fs::write(&self.kubeconfig, dead.join("\n")).unwrap();
        }
    }

    /// The cluster is back with everything it held: a new kubesim on the same state file and
    /// address, or the real kubeconfig restored.
    async fn back(&mut self, addr: Option<std::net::SocketAddr>) {
        if let (Some(db), Some(state), Some(addr)) = (&self.db, &self.state, addr) {
            let sim =
                kubesim::Sim::start_on(addr, config_for(db, Some(state.clone()), &self.token))
                    .await
                    .unwrap();
            sim.write_kubeconfig(&self.kubeconfig, &self.context)
                .unwrap();
            self.sim = Some(sim);
        } else {
            std::fs::write(&self.kubeconfig, &self.original).unwrap();
        }
    }

    async fn fenced(&self) -> bool {
        let services: kube::Api<Service> = kube::Api::namespaced(self.client().await, "default");
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

    async fn shutdown(self) {
        if let Some(sim) = self.sim {
            sim.shutdown().await;
        }
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

async fn insert(side: &Side, from: u32, to: u32) {
    side.sql(
        "shop",
        &format!("INSERT INTO items SELECT i, 'more ' || i FROM generate_series({from}, {to}) i"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standby_create_sync_promote_and_disaster_switch() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = Side::start(dir.path(), kubesim::testing::KUBECONFIG_ENV, "laptop").await;
    let b = Side::start(dir.path(), "BERTH_TEST_KUBECONFIG_B", "cloud").await;
    assert_ne!(a.context, b.context, "two clusters with two context names");
    let (ca, cb) = (a.context.clone(), b.context.clone());
    let home = dir.path().join("home");
    let (api, _keyring) = support::api_and_keyring(&home, &a.kubeconfig, "standby", "pair");
    let api = api.with_kubeconfig(vec![a.kubeconfig.clone(), b.kubeconfig.clone()]);
    api.install(
        &InstallInput {
            service: "postgres".into(),
            name: Some("pg".into()),
            context: Some(ca.clone()),
            ..InstallInput::default()
        },
        &|_| {},
    )
    .await
    .unwrap();
    a.sql("postgres", "CREATE DATABASE shop").await;
    a.sql(
        "shop",
        "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL); \
         INSERT INTO items SELECT i, 'Grüße ' || i || ' ' || repeat('ß€', i % 5) FROM generate_series(1, 5000) i",
    )
    .await;

    // bad input: no context, an unknown one, an instance without a standby; nothing touched
    let input = |on: &str| StandbyInput {
        context: Some(ca.clone()),
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
    let created = api.create_standby(&input(&cb), &|_| {}).await.unwrap();
    assert_eq!(created.status, "succeeded", "{created:?}");
    assert_eq!(created.source_digest, created.target_digest);
    assert_eq!(health(&api, &cb).await, "stopped");
    assert!(b.fenced().await, "the standby is fenced");
    assert_ne!(health(&api, &ca).await, "stopped");
    if let (Some(da), Some(db)) = (&a.db, &b.db) {
        assert_eq!(db.digest().unwrap(), da.digest().unwrap());
    }
    let pairs = api.standbys().await.unwrap();
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert_eq!(pairs[0].active, format!("{ca}/default/pg"));
    assert_eq!(pairs[0].standby, format!("{cb}/default/pg"));
    assert_eq!(pairs[0].state, StandbyState::Ready);
    let first_as_of = pairs[0].data_as_of.clone().expect("data age recorded");
    // a second standby of the same active is refused
    let err = api.create_standby(&input(&cb), &|_| {}).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput, "{}", err.message);

    // more writes on the active, then a sync: the standby holds them, stopped again
    insert(&a, 100_000, 100_499).await;
    let synced = api.sync_standby("pg", None, &|_| {}).await.unwrap();
    assert_eq!(synced.kind, "sync");
    assert!(synced.source_digest.is_some());
    assert_eq!(synced.source_digest, synced.target_digest);
    assert_eq!(health(&api, &cb).await, "stopped");
    assert!(b.fenced().await, "the standby stays fenced");
    if let (Some(da), Some(db)) = (&a.db, &b.db) {
        assert_eq!(db.digest().unwrap(), da.digest().unwrap());
    }
    let pairs = api.standbys().await.unwrap();
    assert!(pairs[0].data_as_of.clone().unwrap() >= first_as_of);

    // a sync whose stream is cut (a kubesim fault): the standby stays fenced, its data counts
    // as incomplete (the import had begun) and a forced promote is refused; resume finishes
    // it; a second cut one is aborted, and only the next sync makes the data whole again
    if let Some(sim) = &a.sim {
        let cut = || kubesim::config::Faults {
            cut_exec_after_bytes: Some(4096),
            ..Default::default()
        };
        for abort in [false, true] {
            sim.set_faults(cut());
            let err = api.sync_standby("pg", None, &|_| {}).await.unwrap_err();
            sim.set_faults(Default::default());
            assert!(err.message.contains("transfer resume"), "{}", err.message);
            let pair = api.standby_of("pg", None).unwrap();
            assert_eq!(pair.state, StandbyState::Incomplete, "{pair:?}");
            assert!(pair.data_as_of.is_none(), "{pair:?}");
            let err = api
                .promote_standby("pg", None, true, &|_| {})
                .await
                .unwrap_err();
            assert_eq!(err.code, ErrorCode::Conflict, "{}", err.message);
            assert!(
                err.message.contains("no consistent data"),
                "{}",
                err.message
            );
            assert!(b.fenced().await, "a failed sync leaves the standby fenced");
            let failed = api.interrupted_transfers().unwrap();
            assert_eq!(failed.len(), 1, "{failed:?}");
            assert_eq!(failed[0].kind, "sync");
            let done = if abort {
                api.abort_transfer(failed[0].id, &|_| {}).await.unwrap()
            } else {
                api.resume_transfer(failed[0].id, &|_| {}).await.unwrap()
            };
            assert_eq!(done.status, if abort { "aborted" } else { "succeeded" });
            assert_eq!(health(&api, &cb).await, "stopped");
            assert!(b.fenced().await);
            assert!(!a.fenced().await, "the active keeps serving");
            assert!(api.interrupted_transfers().unwrap().is_empty());
        }
        assert_eq!(
            api.standby_of("pg", None).unwrap().state,
            StandbyState::Incomplete
        );
        api.sync_standby("pg", None, &|_| {}).await.unwrap();
        assert_eq!(
            api.standby_of("pg", None).unwrap().state,
            StandbyState::Ready
        );
        assert_eq!(
            b.db.as_ref().unwrap().digest().unwrap(),
            a.db.as_ref().unwrap().digest().unwrap()
        );
    }

    // planned promote: more writes first, all of them on the new active
    insert(&a, 100_500, 100_599).await;
    let expected = a.digest().await;
    assert!(expected.starts_with("5600 "), "{expected}");
    let promoted = api
        .promote_standby("pg", None, false, &|_| {})
        .await
        .unwrap();
    assert_eq!(promoted.kind, "promote", "{promoted:?}");
    assert_eq!(b.digest().await, expected);
    assert_ne!(health(&api, &cb).await, "stopped");
    assert_eq!(health(&api, &ca).await, "stopped");
    assert!(!b.fenced().await, "the new active serves");
    assert!(a.fenced().await, "the old active is fenced");
    let pairs = api.standbys().await.unwrap();
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert_eq!(pairs[0].active, format!("{cb}/default/pg"));
    assert_eq!(pairs[0].standby, format!("{ca}/default/pg"));
    let ops: Vec<String> = api
        .history(Some("pg"), Some(&cb), None, 20)
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r.operation, r.status))
        .collect();
    assert!(ops.contains(&"start succeeded".to_owned()), "{ops:?}");

    // the new active takes writes (it is not read-only); promote back carries them
    insert(&b, 200_000, 200_099).await;
    let expected = b.digest().await;
    api.promote_standby("pg", Some(&ca), false, &|_| {})
        .await
        .unwrap();
    assert_eq!(a.digest().await, expected);
    assert_ne!(health(&api, &ca).await, "stopped");
    assert_eq!(health(&api, &cb).await, "stopped");
    insert(&a, 300_000, 300_009).await;
    let pairs = api.standbys().await.unwrap();
    assert_eq!(pairs[0].active, format!("{ca}/default/pg"));

    // disaster: --force is refused while the active answers; then its cluster is gone
    let err = api
        .promote_standby("pg", None, true, &|_| {})
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput, "{}", err.message);
    let addr = a.sim.as_ref().map(|s| s.addr());
    a.outage().await;
    let forced = api
        .promote_standby("pg", None, true, &|_| {})
        .await
        .unwrap();
    assert_eq!(forced.status, "succeeded", "{forced:?}");
    assert_ne!(health(&api, &cb).await, "stopped");
    assert!(!b.fenced().await, "the standby serves");
    assert_eq!(b.digest().await, expected, "the data of the last sync");
    let pair = api.standby_of("pg", Some(&cb)).unwrap();
    assert_eq!(pair.state, StandbyState::OldActiveNotFenced, "{pair:?}");

    // the old active's cluster comes back with it running: the next command fences, stops it
    a.back(addr).await;
    let pairs = api.standbys().await.unwrap();
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert_eq!(pairs[0].active, format!("{cb}/default/pg"));
    assert_eq!(pairs[0].state, StandbyState::Ready, "{pairs:?}");
    assert!(a.fenced().await, "the returned old active is fenced");
    assert_eq!(health(&api, &ca).await, "stopped");

    // drop: the pairing ends, the standby is kept
    api.drop_standby("pg", None, false).await.unwrap();
    assert!(api.standbys().await.unwrap().is_empty());
    assert_eq!(health(&api, &ca).await, "stopped");

    // a real cluster is left as it was found
    if a.sim.is_none() {
        for ctx in [&ca, &cb] {
            let mut u = berth_api::UninstallInput::default();
            u.instance.name = "pg".into();
            u.instance.context = Some(ctx.clone());
            u.delete_data = true;
            api.uninstall_instance(&u).await.unwrap();
        }
    }
    a.shutdown().await;
    b.shutdown().await;
}
