//! Move benchmark (run by hand, not by CI): `berth move` of a PostgreSQL data set between two
//! kubesim clusters whose pods are bound to two real PostgreSQL servers, against a plain pipe
//! of the same export and import commands (the definition's `pg_dumpall … | psql`) between two
//! real servers, in the same run. Reports, as medians of RUNS runs: bytes/s of each and their
//! ratio (goal ≥ 90 %), the `berth` process's peak RSS (goal ≤ 64 MiB), and the downtime of
//! the move (fence → cut-over done) with the part of it that is the stream. Then, once, a
//! standby of the same data set: `berth standby sync` with nothing changed, and a planned
//! `berth standby promote` (its wall time is the downtime: fence → new active ready).
//!
//! Needs release builds of `berth` and `kubesim` and a keyring, so run it through
//! `scripts/bench-transfer.sh`. Environment: `BENCH_GIB` (data set size, default 1),
//! `RUNS` (default 3), `PROFILE` (`release`; `debug` for a smoke run of the benchmark itself).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use realdb::Postgres;

const SELECTOR: &str = "app.kubernetes.io/instance=pg";
/// The dump size of one row of the bulk table, measured (text, md5s, bytea as hex).
const DUMP_BYTES_PER_ROW: f64 = 650.0;

fn main() {
    // `cargo bench` passes `--bench`; nothing else is accepted
    let gib: f64 = env_or("BENCH_GIB", 1.0);
    let runs: usize = env_or("RUNS", 3);
    let profile = std::env::var("PROFILE").unwrap_or_else(|_| "release".into());
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let bin = |name: &str| {
        let path = root.join("target").join(&profile).join(name);
        assert!(
            path.exists(),
            "{} is missing: cargo build --{profile} -p berth-cli -p kubesim (scripts/bench-transfer.sh does)",
            path.display()
        );
        path
    };
    let (berth, kubesim) = (bin("berth"), bin("kubesim"));
    let export = operation("export");
    let import = operation("import");

    let source = Postgres::start().expect("source server");
    let seeded = Instant::now();
    seed(&source, gib);
    let rows = count(&source);
    eprintln!(
        "seeded {gib} GiB ({rows} rows) in {:.0} s",
        seeded.elapsed().as_secs_f64()
    );

    let mut pipes = Vec::new();
    let mut moves = Vec::new();
    for run in 1..=runs {
        let pipe = plain_pipe(&source, &export, &import);
        eprintln!(
            "run {run}: pipe {:.1} MiB/s",
            pipe.bytes as f64 / pipe.secs / MIB
        );
        pipes.push(pipe);
        let m = berth_move(&berth, &kubesim, &source, rows);
        eprintln!(
            "run {run}: berth {:.1} MiB/s, peak RSS {:.1} MiB, downtime {:.1} s (stream {:.1} s)",
            m.bytes as f64 / m.stream_secs / MIB,
            m.peak_rss as f64 / MIB,
            m.downtime_secs,
            m.stream_secs
        );
        moves.push(m);
    }

    let standby = berth_standby(&berth, &kubesim, &source, rows);
    eprintln!(
        "standby: create {:.1} s, sync (no changes) {:.1} s, planned promote {:.1} s",
        standby.create_secs, standby.sync_secs, standby.promote_secs
    );

    let pipe_rate = median(pipes.iter().map(|p| p.bytes as f64 / p.secs));
    let move_rate = median(moves.iter().map(|m| m.bytes as f64 / m.stream_secs));
    let rss = median(moves.iter().map(|m| m.peak_rss as f64));
    let downtime = median(moves.iter().map(|m| m.downtime_secs));
    let stream = median(moves.iter().map(|m| m.stream_secs));
    let bytes = median(moves.iter().map(|m| m.bytes as f64));
    println!("| measure | value | goal |");
    println!("|---|---|---|");
    println!(
        "| data set | {:.2} GiB dump ({rows} rows) | ≥ 1 GiB |",
        bytes / GIB
    );
    println!(
        "| plain pipe (`pg_dumpall … \\| psql`) | {:.1} MiB/s | |",
        pipe_rate / MIB
    );
    println!(
        "| `berth move`, stream step | {:.1} MiB/s, {:.0} % of the pipe | ≥ 90 % |",
        move_rate / MIB,
        100.0 * move_rate / pipe_rate
    );
    println!("| `berth` peak RSS | {:.1} MiB | ≤ 64 MiB |", rss / MIB);
    println!(
        "| downtime (fence → cut-over done) | {downtime:.1} s, of which the stream {stream:.1} s | |"
    );
    println!(
        "| `berth standby sync`, data in sync (one run) | {:.1} s | |",
        standby.sync_secs
    );
    println!(
        "| `berth standby promote`, planned: downtime, fence → new active ready (one run) | {:.1} s | |",
        standby.promote_secs
    );
    println!(
        "\nmedians of {runs} runs (standby: one run, after the moves; its create took {:.1} s); {}",
        standby.create_secs,
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
}

const MIB: f64 = 1048576.0;
const GIB: f64 = 1073741824.0;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The definition's operation command (`export`, `import`) as catalog/postgres declares it.
fn operation(name: &str) -> Vec<String> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../catalog/postgres/service.yaml");
    let text = std::fs::read_to_string(path).expect("catalog/postgres/service.yaml");
    let def: serde_yaml::Value = serde_yaml::from_str(&text).expect("service.yaml");
    serde_yaml::from_value(def["operations"][name]["command"].clone()).expect("a command")
}

/// The realdb data set (several databases, non-ASCII text, bytea) plus a bulk table sized so the
/// dump is about `gib` GiB.
fn seed(db: &Postgres, gib: f64) {
    db.seed(10_000).expect("seed");
    let rows = (gib * GIB / DUMP_BYTES_PER_ROW) as u64;
    db.sql(
        "archive",
        &format!(
            "CREATE TABLE bulk (id bigint PRIMARY KEY, body text, payload bytea);
INSERT INTO bulk SELECT i, repeat(md5(i::text), 16), decode(repeat(md5((i * 7)::text), 4), 'hex')
  FROM generate_series(1, {rows}) i;"
        ),
    )
    .expect("bulk rows");
}

fn count(db: &Postgres) -> u64 {
    db.sql("archive", "SELECT count(*) FROM bulk")
        .expect("count")
        .trim()
        .parse()
        .expect("a count")
}

struct Pipe {
    bytes: u64,
    secs: f64,
}

/// The definition's export on `source` piped into its import on a fresh server, counting bytes.
fn plain_pipe(source: &Postgres, export: &[String], import: &[String]) -> Pipe {
    let target = Postgres::start().expect("pipe target");
    let started = Instant::now();
    let mut out = Command::new(&export[0])
        .args(&export[1..])
        .envs(source.env())
        .stdout(Stdio::piped())
        .spawn()
        .expect("export");
    let mut input = Command::new(&import[0])
        .args(&import[1..])
        .envs(target.env())
        .stdin(Stdio::piped())
        .spawn()
        .expect("import");
    // the same 64 KiB copy a shell pipe does, counted
    let (mut from, mut to) = (out.stdout.take().unwrap(), input.stdin.take().unwrap());
    let mut buf = vec![0u8; 64 * 1024];
    let mut bytes = 0u64;
    loop {
        let n = std::io::Read::read(&mut from, &mut buf).expect("read");
        if n == 0 {
            break;
        }
        to.write_all(&buf[..n]).expect("write");
        bytes += n as u64;
    }
    drop(to);
    assert!(out.wait().unwrap().success(), "export failed");
    assert!(input.wait().unwrap().success(), "import failed");
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(count(&target), count(source), "the pipe lost rows");
    Pipe { bytes, secs }
}

/// Wall times of `berth standby` commands on a data set that is in sync.
struct Standby {
    create_secs: f64,
    sync_secs: f64,
    promote_secs: f64,
}

/// A standby of the source on "cloud", then a sync with no changes and a planned promote
/// (fence → last sync → verify → the standby started: the promote is the downtime).
fn berth_standby(berth: &Path, kubesim: &Path, source: &Postgres, rows: u64) -> Standby {
    let setup = Setup::new(kubesim, berth, source);
    let run = |args: &[&str]| setup.quiet(berth, args);
    let create_secs = run(&[
        "standby",
        "create",
        "pg",
        "--context",
        "laptop",
        "--on",
        "cloud",
    ]);
    let sync_secs = run(&["standby", "sync", "pg", "--context", "laptop"]);
    let promote_secs = run(&["standby", "promote", "pg", "--context", "laptop"]);
    assert_eq!(count(&setup.target), rows, "the promote lost rows");
    Standby {
        create_secs,
        sync_secs,
        promote_secs,
    }
}

struct Move {
    bytes: u64,
    stream_secs: f64,
    downtime_secs: f64,
    peak_rss: u64,
}

/// A simulated cluster: a kubesim process whose postgres pods are bound to `db`.
struct Cluster {
    child: Child,
    kubeconfig: PathBuf,
}

impl Cluster {
    fn start(kubesim: &Path, dir: &Path, name: &str, db: &Postgres) -> Self {
        let config = kubesim::config::Config {
            backends: vec![db.backend("default", SELECTOR)],
            ..kubesim::config::Config::default()
        };
        let config_path = dir.join(format!("{name}-sim.yaml"));
        std::fs::write(&config_path, serde_yaml::to_string(&config).unwrap()).unwrap();
        let kubeconfig = dir.join(format!("{name}.yaml"));
        let child = Command::new(kubesim)
            .arg("--config")
            .arg(&config_path)
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(["--context", name])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("kubesim");
        let deadline = Instant::now() + Duration::from_secs(30);
        while !kubeconfig.exists() {
            assert!(Instant::now() < deadline, "kubesim did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Self { child, kubeconfig }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Two fresh clusters: "laptop" bound to the source server, "cloud" bound to a fresh target
/// server; postgres installed on "laptop" as `pg`.
struct Setup {
    target: Postgres,
    dir: tempfile::TempDir,
    kubeconfig: std::ffi::OsString,
    keyring: String,
    // kept running while the setup lives
    _clusters: (Cluster, Cluster),
}

impl Setup {
    fn new(kubesim: &Path, berth: &Path, source: &Postgres) -> Self {
        // the fence of an earlier run leaves the source read-only: lift it
        source
            .sql(
                "postgres",
                "ALTER SYSTEM RESET default_transaction_read_only; SELECT pg_reload_conf();",
            )
            .expect("unfence");
        let target = Postgres::start().expect("target server");
        let dir = tempfile::tempdir().unwrap();
        let laptop = Cluster::start(kubesim, dir.path(), "laptop", source);
        let cloud = Cluster::start(kubesim, dir.path(), "cloud", &target);
        let kubeconfig = std::env::join_paths([&laptop.kubeconfig, &cloud.kubeconfig]).unwrap();
        // a keyring namespace of this run's own: the handles name context, namespace and instance
        let keyring = format!(
            "dev.berth.bench.{}",
            dir.path().file_name().unwrap().to_string_lossy()
        );
        let setup = Self {
            target,
            dir,
            kubeconfig,
            keyring,
            _clusters: (laptop, cloud),
        };
        setup.quiet(
            berth,
            &["install", "postgres", "--name", "pg", "--context", "laptop"],
        );
        setup
    }

    fn cli(&self, berth: &Path, args: &[&str]) -> Command {
        let mut c = Command::new(berth);
        c.args(args)
            .env("BERTH_HOME", self.dir.path().join("home"))
            .env("KUBECONFIG", &self.kubeconfig)
            .env("BERTH_KEYRING_NAMESPACE", &self.keyring)
            .env_remove("BERTH_TEST_KUBECONFIG");
        c
    }

    /// Runs berth to its end, which must succeed; how long it took.
    fn quiet(&self, berth: &Path, args: &[&str]) -> f64 {
        let started = Instant::now();
        let out = self.cli(berth, args).output().unwrap();
        assert!(
            out.status.success(),
            "berth {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        started.elapsed().as_secs_f64()
    }
}

/// Installs postgres on a fresh "laptop" cluster bound to `source`, moves it to a fresh "cloud"
/// cluster bound to a fresh server, and measures the `berth move` process.
fn berth_move(berth: &Path, kubesim: &Path, source: &Postgres, rows: u64) -> Move {
    let setup = Setup::new(kubesim, berth, source);
    let target = &setup.target;
    let cli = |args: &[&str]| setup.cli(berth, args);
    let started = Instant::now();
    let mut child = cli(&[
        "move",
        "pg",
        "--context",
        "laptop",
        "--to",
        "cloud",
        "-o",
        "json",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let pid = child.id();
    let peak = Arc::new(Mutex::new(0u64));
    let sampler = {
        let peak = Arc::clone(&peak);
        std::thread::spawn(move || {
            // VmHWM is the process's own high-water mark: sampling only has to catch it alive
            while let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
                if let Some(kb) = status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
                {
                    let mut p = peak.lock().unwrap();
                    *p = (*p).max(kb * 1024);
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        })
    };
    // the plain progress lines ("fence...", "stream...", "verify...") with their times
    let steps: Vec<(String, Instant)> = BufReader::new(child.stderr.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| {
            l.strip_suffix("...")
                .map(|s| (s.to_owned(), Instant::now()))
        })
        .collect();
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut stdout).unwrap();
    let status = child.wait().unwrap();
    let done = Instant::now();
    sampler.join().unwrap();
    assert!(status.success(), "berth move failed: {stdout}");
    let at = |name: &str| {
        steps
            .iter()
            .find(|(s, _)| s == name)
            .map(|(_, t)| *t)
            .unwrap_or_else(|| panic!("no {name} step in {steps:?}"))
    };
    // one JSON document: the plan and the outcome
    let document: serde_json::Value = serde_json::from_str(&stdout).expect("a JSON document");
    let outcome = &document["transfer"];
    assert_eq!(count(target), rows, "the move lost rows");
    eprintln!(
        "  move took {:.1} s in all",
        done.duration_since(started).as_secs_f64()
    );
    let peak_rss = *peak.lock().unwrap();
    Move {
        bytes: outcome["bytes"].as_u64().expect("bytes in the outcome"),
        stream_secs: at("verify").duration_since(at("stream")).as_secs_f64(),
        downtime_secs: done.duration_since(at("fence")).as_secs_f64(),
        peak_rss,
    }
}
