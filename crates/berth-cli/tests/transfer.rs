//! `berth move | copy | transfers` with `-o json` between two clusters: two kubesims, or the
//! real clusters named by `BERTH_TEST_KUBECONFIG` and `BERTH_TEST_KUBECONFIG_B`. A service
//! without data operations (memcached) moves its configuration and credentials only, so no
//! database server is needed here; the data paths are tested in berth-api's transfer tests.
//! Needs a keyring: run under `scripts/with-keyring.sh`.

use assert_cmd::Command;
use serde_json::Value;

/// A cluster's kubeconfig written under `context`, or a real one from the environment (its
/// current context).
struct Cluster {
    kubeconfig: std::path::PathBuf,
    context: String,
    sim: Option<kubesim::Sim>,
}

async fn cluster(env: &str, dir: &std::path::Path, context: &str) -> Cluster {
    if let Some(path) = std::env::var_os(env).filter(|p| !p.is_empty()) {
        let yaml = std::fs::read_to_string(&path).unwrap();
        let doc: serde_yaml::Value = serde_yaml::from_str(&yaml).unwrap();
        return Cluster {
            kubeconfig: path.into(),
            context: doc["current-context"].as_str().unwrap().to_owned(),
            sim: None,
        };
    }
    let sim = kubesim::Sim::start(kubesim::Config::default())
        .await
        .unwrap();
    let kubeconfig = dir.join(format!("{context}.yaml"));
    sim.write_kubeconfig(&kubeconfig, context).unwrap();
    Cluster {
        kubeconfig,
        context: context.to_owned(),
        sim: Some(sim),
    }
}

/// Two clusters and one Berth home: what every test here runs berth against.
struct Pair {
    dir: tempfile::TempDir,
    a: Cluster,
    b: Cluster,
}

impl Pair {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let a = cluster("BERTH_TEST_KUBECONFIG", dir.path(), "laptop").await;
        let b = cluster("BERTH_TEST_KUBECONFIG_B", dir.path(), "cloud").await;
        Self { dir, a, b }
    }

    /// berth on both kubeconfigs, in the first cluster's context.
    fn command(&self) -> std::process::Command {
        let kubeconfig = std::env::join_paths([&self.a.kubeconfig, &self.b.kubeconfig]).unwrap();
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("berth"));
        cmd.env("KUBECONFIG", kubeconfig)
            .env("BERTH_HOME", self.dir.path().join("home"))
            .env(
                "BERTH_KEYRING_NAMESPACE",
                format!("dev.berth.test.cli-transfer.{}", std::process::id()),
            )
            .env_remove("BERTH_TEST_KUBECONFIG")
            .args(["--context", &self.a.context]);
        cmd
    }

    /// Runs berth with `-o json` to its end; (exit code, stdout, stderr).
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let mut cmd = Command::from_std(self.command());
        cmd.args(args).args(["-o", "json"]);
        let out = tokio::task::block_in_place(|| cmd.output().unwrap());
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Runs berth, which must succeed; its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "berth {args:?}: {err}");
        out
    }

    /// Installs memcached as `name` in `ns` on the first cluster.
    fn install_memcached(&self, name: &str, ns: &str) {
        self.ok(&[
            "install",
            "memcached",
            "--name",
            name,
            "-n",
            ns,
            "--create-namespace",
            "--timeout",
            "2m",
        ]);
    }

    async fn shutdown(self) {
        for c in [self.a, self.b] {
            if let Some(sim) = c.sim {
                sim.shutdown().await;
            }
        }
    }
}

/// Sends `child` the signal `name` (`TERM`, `KILL`) through the shell's built-in kill.
fn signal(child: &std::process::Child, name: &str) {
    let status = std::process::Command::new("sh")
        .args(["-c", &format!("kill -{name} {}", child.id())])
        .status()
        .unwrap();
    assert!(status.success(), "kill -{name} failed");
}

/// Exactly one JSON document on stdout.
fn one_document(stdout: &str) -> Value {
    let mut docs = serde_json::Deserializer::from_str(stdout).into_iter::<Value>();
    let first = docs.next().expect("a document").expect("JSON");
    assert!(docs.next().is_none(), "more than one document: {stdout}");
    first
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn move_and_copy_print_one_json_document() {
    let pair = Pair::new().await;
    let (run, b) = (|args: &[&str]| pair.run(args), &pair.b);
    let ns = "cli-transfer";
    pair.install_memcached("mc", ns);

    // a dry run: the plan alone
    let (code, out, stderr) = run(&[
        "move",
        "mc",
        "-n",
        ns,
        "--to",
        &b.context,
        "--create-namespace",
        "--dry-run",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let plan = one_document(&out);
    assert!(plan["checks"].is_array(), "{plan}");

    // bad input: one error document, exit 2
    let (code, out, _) = run(&[
        "copy",
        "mc",
        "-n",
        ns,
        "--to",
        &b.context,
        "--version",
        "0.0-none",
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(one_document(&out)["error"].is_object(), "{out}");

    // the copy, then the move: one document each, the plan and the outcome
    let (code, out, stderr) = run(&[
        "copy",
        "mc",
        "-n",
        ns,
        "--to",
        &b.context,
        "--name",
        "mc-copy",
        "--create-namespace",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let copy = one_document(&out);
    assert_eq!(copy["transfer"]["status"], "succeeded", "{copy}");
    assert_eq!(copy["transfer"]["kind"], "copy", "{copy}");
    assert!(copy["plan"]["checks"].is_array(), "{copy}");
    let (code, out, stderr) = run(&["move", "mc", "-n", ns, "--to", &b.context, "--yes"]);
    assert_eq!(code, 0, "{stderr}");
    let mv = one_document(&out);
    assert_eq!(mv["transfer"]["status"], "succeeded", "{mv}");
    assert_eq!(
        mv["transfer"]["target"],
        format!("{}/{ns}/mc", b.context),
        "{mv}"
    );

    let (code, out, stderr) = run(&["transfers"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(one_document(&out).as_array().unwrap().len(), 2, "{out}");
    pair.shutdown().await;
}

/// `berth standby watch --every`: syncs the pair on its schedule until SIGTERM, then exits 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standby_watch_syncs_on_its_schedule_until_stopped() {
    let pair = Pair::new().await;
    let (run, ok) = (
        |args: &[&str]| pair.run(args),
        |args: &[&str]| pair.ok(args),
    );
    let ns = "cli-watch";
    pair.install_memcached("mcw", ns);
    ok(&[
        "standby",
        "create",
        "mcw",
        "-n",
        ns,
        "--on",
        &pair.b.context,
        "--create-namespace",
    ]);
    let syncs = || {
        let out = ok(&["transfers"]);
        one_document(&out)
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["kind"] == "sync" && t["status"] == "succeeded")
            .count()
    };
    assert_eq!(syncs(), 0);

    // bad input changes nothing: an unknown pair, a zero interval
    let (code, _, err) = run(&["standby", "watch", "nothere"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nothere"), "{err}");
    let (code, _, _) = run(&["standby", "watch", "--every", "0s"]);
    assert_eq!(code, 2);

    let mut watch = pair
        .command()
        .args(["standby", "watch", "mcw", "--every", "3s"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // the first sync at once (the standby's data is older than 3 s by now), then every 3 s
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    while syncs() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "fewer than two syncs in 90 s"
        );
        assert!(watch.try_wait().unwrap().is_none(), "watch ended early");
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    signal(&watch, "TERM");
    let out = tokio::task::block_in_place(|| watch.wait_with_output()).unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let synced = format!("synced {}/{ns}/mcw", pair.a.context);
    assert!(stdout.contains(&synced), "{stdout}");
    pair.shutdown().await;
}

/// kill -9 of `berth move` during its stream (kubesim paces the stream so it lasts): the next
/// berth reports the transfer, the source's data is untouched, and `berth transfer resume`
/// finishes the move with every row on the target. kubesim only: the pacing is its fault.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_killed_during_its_stream_is_resumed() {
    let (db_a, db_b) = (
        realdb::Postgres::start().unwrap(),
        realdb::Postgres::start().unwrap(),
    );
    db_a.seed(50_000).unwrap();
    let seeded = db_a.digest().unwrap();
    let selector = "app.kubernetes.io/instance=pg";
    let sim = |db: &realdb::Postgres| {
        kubesim::Sim::start(kubesim::Config {
            backends: vec![db.backend("default", selector)],
            ..kubesim::Config::default()
        })
    };
    let (sim_a, sim_b) = (sim(&db_a).await.unwrap(), sim(&db_b).await.unwrap());
    let dir = tempfile::tempdir().unwrap();
    let cluster = |sim: kubesim::Sim, context: &str| {
        let kubeconfig = dir.path().join(format!("{context}.yaml"));
        sim.write_kubeconfig(&kubeconfig, context).unwrap();
        Cluster {
            kubeconfig,
            context: context.to_owned(),
            sim: Some(sim),
        }
    };
    let pair = Pair {
        a: cluster(sim_a, "laptop"),
        b: cluster(sim_b, "cloud"),
        dir,
    };
    pair.ok(&["install", "postgres", "--name", "pg", "--timeout", "2m"]);
    let sim_a = pair.a.sim.as_ref().unwrap();
    sim_a.set_faults(kubesim::config::Faults {
        exec_bytes_per_sec: Some(512 * 1024),
        ..Default::default()
    });
    let mut mv = pair
        .command()
        .args(["move", "pg", "--to", "cloud", "--yes"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // the journal says the stream runs: then the process dies without a word
    let streaming = |t: &Value| {
        t["steps"]
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s[0] == "stream" && s[1] == "running"))
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let id = loop {
        assert!(std::time::Instant::now() < deadline, "no stream in 60 s");
        assert!(
            mv.try_wait().unwrap().is_none(),
            "the move ended before its stream"
        );
        let journal = one_document(&pair.ok(&["transfers"]));
        if let Some(t) = journal.as_array().unwrap().iter().find(|t| streaming(t)) {
            break t["id"].as_i64().unwrap();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    signal(&mv, "KILL");
    let _ = tokio::task::block_in_place(|| mv.wait());
    sim_a.set_faults(kubesim::config::Faults::default());

    // the next berth says so, with what to run; the source's data is whole
    let (code, _, err) = pair.run(&["transfers"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(&format!("berth transfer resume {id}")),
        "the next start reports it: {err}"
    );
    assert_eq!(db_a.digest().unwrap(), seeded);
    let row = one_document(&pair.ok(&["transfers"]))
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .cloned()
        .unwrap();
    assert_eq!(row["needsDecision"], true, "{row}");

    // resume: the stream again into a cleaned target, then verify and cut-over
    let (code, out, err) = pair.run(&["transfer", "resume", &id.to_string()]);
    assert_eq!(code, 0, "{err}");
    let done = one_document(&out);
    assert_eq!(done["status"], "succeeded", "{done}");
    // the progress lines say their bytes are the compressed stream's, not the data's
    assert!(err.contains(" MiB of zstd at "), "{err}");
    assert_eq!(db_b.digest().unwrap(), seeded, "every row on the target");
    assert_eq!(db_a.digest().unwrap(), seeded, "the source keeps its data");
    pair.shutdown().await;
}
