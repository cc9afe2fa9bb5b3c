//! Moves and copies that go wrong, between two kubesim clusters whose postgres pods are bound
//! to two real PostgreSQL servers: each fault ends either with identical data on the target
//! after `resume`, or with the source untouched, unfenced and writable after `abort` (checked
//! with `psql` on the real servers). The servers are started and seeded once; each scenario
//! gets two fresh clusters, a fresh Berth home and keyring namespace.
//!
//! The faults are kubesim's (a cut exec stream, 503 answers), raised from the progress events
//! at the step they target, so these scenarios need the simulator and do not run against the
//! real clusters of `BERTH_TEST_KUBECONFIG`.

mod support;

use berth_api::{Api, ErrorCode, InstallInput, TransferInput, TransferOptions, TransferProgress};
use berth_secrets::Keyring;
use kubesim::config::{Config, ErrorRule, Faults};

const ROWS: usize = 30_000;

/// The two real servers, seeded once.
struct Servers {
    a: realdb::Postgres,
    b: realdb::Postgres,
    seeded: String,
}

/// Two clusters bound to the servers, an API on both, `pg` installed on `laptop`.
struct Clusters {
    sim_a: kubesim::Sim,
    sim_b: kubesim::Sim,
    api: Api,
    _keyring: Keyring,
    _dir: tempfile::TempDir,
}

impl Clusters {
    async fn start(s: &Servers, scenario: &str, target_instance: &str) -> Self {
        let sim = |db: &realdb::Postgres, instance: &str| Config {
            backends: vec![
                db.backend("default", &format!("app.kubernetes.io/instance={instance}")),
            ],
            ..Config::default()
        };
        let sim_a = kubesim::Sim::start(sim(&s.a, "pg")).await.unwrap();
        let sim_b = kubesim::Sim::start(sim(&s.b, target_instance))
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (ka, kb) = (dir.path().join("a.yaml"), dir.path().join("b.yaml"));
        sim_a.write_kubeconfig(&ka, "laptop").unwrap();
        sim_b.write_kubeconfig(&kb, "cloud").unwrap();
        let (api, keyring) =
            support::api_and_keyring(&dir.path().join("home"), &ka, "transfer-faults", scenario);
        let api = api.with_kubeconfig(vec![ka, kb]);
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
        Self {
            sim_a,
            sim_b,
            api,
            _keyring: keyring,
            _dir: dir,
        }
    }

    async fn instances(&self, context: &str) -> Vec<String> {
        self.api
            .list_instances(Some(context), false, None)
            .await
            .unwrap()
            .instances
            .into_iter()
            .map(|i| i.name)
            .collect()
    }

    async fn shutdown(self) {
        self.sim_a.shutdown().await;
        self.sim_b.shutdown().await;
    }
}

fn transfer(kind: &str) -> TransferInput {
    TransferInput {
        kind: kind.into(),
        context: Some("laptop".into()),
        to: "cloud".into(),
        options: TransferOptions {
            instance: "pg".into(),
            timeout_secs: Some(20),
            ..TransferOptions::default()
        },
    }
}

fn is_step(e: &TransferProgress, name: &str) -> bool {
    matches!(e, TransferProgress::Step { step } if step == name)
}

/// Every request of every verb answered 503: the API server is down.
fn down() -> Faults {
    Faults {
        errors: vec![ErrorRule {
            verb: None,
            resource: None,
            code: 503,
            rate: 1.0,
            message: None,
        }],
        ..Faults::default()
    }
}

/// A write on the source's real server: it succeeds only when the source is not fenced.
fn write_source(s: &Servers) -> Result<(), realdb::Error> {
    s.a.sql(
        "shop",
        "INSERT INTO items VALUES (-1, 'written after', 0, NULL); DELETE FROM items WHERE id = -1;",
    )
    .map(drop)
}

/// The transfer that failed, as the journal lists it among the interrupted ones.
fn interrupted(api: &Api) -> berth_api::TransferInfo {
    let mut open = api.interrupted_transfers().unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    let t = open.remove(0);
    assert!(t.needs_decision && t.status == "failed", "{t:?}");
    t
}

async fn abort_and_check_source(c: &Clusters, s: &Servers, id: i64) {
    let aborted = c.api.abort_transfer(id, &|_| {}).await.unwrap();
    assert_eq!(aborted.status, "aborted", "{aborted:?}");
    assert!(!aborted.fenced, "{aborted:?}");
    assert!(c.api.interrupted_transfers().unwrap().is_empty());
    assert!(
        c.instances("cloud").await.is_empty(),
        "half-made target removed"
    );
    assert_eq!(c.instances("laptop").await, vec!["pg".to_owned()]);
    write_source(s).expect("the source takes writes after the abort");
    assert_eq!(
        s.a.digest().unwrap(),
        s.seeded,
        "the source's data untouched"
    );
}

async fn resume_and_check_target(c: &Clusters, s: &Servers, id: i64) {
    let done = c.api.resume_transfer(id, &|_| {}).await.unwrap();
    assert_eq!(done.status, "succeeded", "{done:?}");
    assert_eq!(done.source_digest, done.target_digest);
    assert_eq!(s.b.digest().unwrap(), s.seeded, "every row on the target");
    assert_eq!(
        s.a.digest().unwrap(),
        s.seeded,
        "the source's data untouched"
    );
    assert!(c.api.interrupted_transfers().unwrap().is_empty());
    assert_eq!(c.instances("cloud").await, vec!["pg".to_owned()]);
    assert!(c.instances("laptop").await.is_empty(), "listed once");
}

/// The source's real server as it was before a scenario's move left it read-only.
fn unfence_server(s: &Servers) {
    s.a.sql(
        "postgres",
        "ALTER SYSTEM RESET default_transaction_read_only; SELECT pg_reload_conf();",
    )
    .unwrap();
}

/// The export's exec stream cut halfway (closed cleanly, without an exit status): the move
/// fails, is listed as interrupted with the source fenced, and resume restreams it.
async fn stream_cut_then_resume(s: &Servers) {
    let c = Clusters::start(s, "cut", "pg").await;
    let sim_a = &c.sim_a;
    let err = c
        .api
        .run_transfer(&transfer("move"), &|e| {
            if is_step(&e, "stream") {
                sim_a.set_faults(Faults {
                    cut_exec_after_bytes: Some(64 * 1024),
                    ..Faults::default()
                });
            }
        })
        .await
        .unwrap_err();
    assert!(err.message.contains("fenced"), "{}", err.message);
    let t = interrupted(&c.api);
    assert!(t.fenced, "{t:?}");
    assert!(
        t.steps
            .iter()
            .any(|(step, status, _)| step == "stream" && status == "failed"),
        "{t:?}"
    );
    assert!(write_source(s).is_err(), "a fenced source refuses writes");
    assert_eq!(s.a.digest().unwrap(), s.seeded);
    c.sim_a.set_faults(Faults::default());
    resume_and_check_target(&c, s, t.id).await;
    c.shutdown().await;
    unfence_server(s);
}

/// The target answers 503 to everything while it is provisioned: a clear failure, the
/// source never fenced; abort removes what was made and leaves the source writable.
async fn provision_503_then_abort(s: &Servers) {
    let c = Clusters::start(s, "provision", "pg").await;
    let sim_b = &c.sim_b;
    let err = c
        .api
        .run_transfer(&transfer("move"), &|e| {
            if is_step(&e, "provision") {
                sim_b.set_faults(down());
            }
        })
        .await
        .unwrap_err();
    assert!(
        err.message.contains("intact and serving"),
        "{}",
        err.message
    );
    let t = interrupted(&c.api);
    assert!(!t.fenced, "{t:?}");
    write_source(s).expect("an unfenced source takes writes");
    c.sim_b.set_faults(Faults::default());
    abort_and_check_source(&c, s, t.id).await;
    c.shutdown().await;
}

/// Both API servers down while the move cuts over: resume after they return finishes it.
async fn cutover_outage_then_resume(s: &Servers) {
    let c = Clusters::start(s, "cutover", "pg").await;
    let (sim_a, sim_b) = (&c.sim_a, &c.sim_b);
    let err = c
        .api
        .run_transfer(&transfer("move"), &|e| {
            if is_step(&e, "cutover") {
                sim_a.set_faults(down());
                sim_b.set_faults(down());
            }
        })
        .await
        .unwrap_err();
    assert!(err.message.contains("resume"), "{}", err.message);
    let t = interrupted(&c.api);
    assert!(
        t.steps
            .iter()
            .any(|(step, status, _)| step == "verify" && status == "succeeded"),
        "{t:?}"
    );
    // the cut-over has begun: abort would leave two halves, so only resume is offered
    c.sim_a.set_faults(Faults::default());
    c.sim_b.set_faults(Faults::default());
    let refused = c.api.abort_transfer(t.id, &|_| {}).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::InvalidInput, "{}", refused.message);
    resume_and_check_target(&c, s, t.id).await;
    c.shutdown().await;
    unfence_server(s);
}

/// The target's data changed between stream and verify: the move stops with the source
/// fenced but intact and says what differs; abort lifts the fence.
async fn verify_mismatch_then_abort(s: &Servers) {
    let c = Clusters::start(s, "verify", "pg").await;
    let err = c
        .api
        .run_transfer(&transfer("move"), &|e| {
            if is_step(&e, "verify") {
                s.b.sql("shop", "INSERT INTO items VALUES (-7, 'tampered', 0, NULL)")
                    .unwrap();
            }
        })
        .await
        .unwrap_err();
    assert!(err.message.contains("differs"), "{}", err.message);
    assert!(
        err.message.contains("shop"),
        "says what differs: {}",
        err.message
    );
    assert!(err.message.contains("fenced"), "{}", err.message);
    let t = interrupted(&c.api);
    assert!(t.fenced, "{t:?}");
    assert!(write_source(s).is_err(), "a fenced source refuses writes");
    assert_eq!(s.a.digest().unwrap(), s.seeded, "the source intact");
    abort_and_check_source(&c, s, t.id).await;
    c.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_end_with_the_data_whole() {
    let a = realdb::Postgres::start().unwrap();
    let b = realdb::Postgres::start().unwrap();
    a.seed(ROWS).unwrap();
    let seeded = a.digest().unwrap();
    let s = Servers { a, b, seeded };
    stream_cut_then_resume(&s).await;
    provision_503_then_abort(&s).await;
    verify_mismatch_then_abort(&s).await;
    cutover_outage_then_resume(&s).await;
}
