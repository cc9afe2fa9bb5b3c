//! Move benchmark (run by hand, not by CI): `berth move` of a PostgreSQL and of a Redis data set
//! between two kubesim clusters whose pods are bound to real servers, against a plain pipe of
//! the same export and import commands (the definition's own, e.g. `pg_dumpall … | psql`,
//! `redis-cli --rdb -` into the RDB restore) between two real servers, in the same run, and
//! against that pipe through `zstd -1` and back (what the stream's codec alone costs here).
//! Reports, per engine and as medians of RUNS runs: bytes/s of each and their ratio (goal
//! ≥ 90 %; the median of each run's move against that run's pipe, as the machine drifts),
//! the `berth` process's peak RSS (goal ≤ 64 MiB), and the downtime of the move (fence →
//! cut-over done) with the part of it that is the stream. Then, once, a standby of the
//! PostgreSQL data set: `berth standby sync` with nothing changed, and a planned `berth standby
//! promote` (its wall time is the downtime: fence → new active ready).
//!
//! Needs release builds of `berth` and `kubesim` and a keyring, so run it through
//! `scripts/bench-transfer.sh`. Environment: `BENCH_GIB` (data set size, default 1),
//! `RUNS` (default 3), `ENGINES` (default `postgres,redis`), `STANDBY` (`0` skips the standby
//! run, e.g. when profiling the moves), `PROFILE` (`release`; `debug` for a smoke run of the
//! benchmark itself).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kubesim::config::Backend;
use realdb::{Postgres, Redis};

/// The dump size of one row of the PostgreSQL bulk table, measured (text, md5s, bytea as hex).
const DUMP_BYTES_PER_ROW: f64 = 650.0;
/// The size of each value of the Redis bulk keys (random bytes: an RDB does not compress them).
const REDIS_VALUE_BYTES: usize = 1000;

/// A real server the benchmark moves data between, and how its catalog service is named.
trait Server: Sized {
    /// The catalog service.
    const SERVICE: &'static str;
    /// The instance's name in the benchmark.
    const INSTANCE: &'static str;
    fn start() -> Self;
    /// The environment of commands run in a bound pod.
    fn env(&self) -> BTreeMap<String, String>;
    fn backend(&self, selector: &str) -> Backend;
    /// Fills the server with about `gib` GiB of export; returns what it holds in words.
    fn seed(&self, gib: f64) -> String;
    /// What must be the same on both ends after a move.
    fn fingerprint(&self) -> String;
    /// Lifts the fence an earlier move left on the source.
    fn unfence(&self);
}

impl Server for Postgres {
    const SERVICE: &'static str = "postgres";
    const INSTANCE: &'static str = "pg";
    fn start() -> Self {
        Postgres::start().expect("postgres server")
    }
    fn env(&self) -> BTreeMap<String, String> {
        Postgres::env(self)
    }
    fn backend(&self, selector: &str) -> Backend {
        Postgres::backend(self, "default", selector)
    }
    /// The realdb data set (several databases, non-ASCII text, bytea) plus a bulk table sized
    /// so the dump is about `gib` GiB.
    fn seed(&self, gib: f64) -> String {
        Postgres::seed(self, 10_000).expect("seed");
        let rows = (gib * GIB / DUMP_BYTES_PER_ROW) as u64;
        self.sql(
            "archive",
            &format!(
                "CREATE TABLE bulk (id bigint PRIMARY KEY, body text, payload bytea);
INSERT INTO bulk SELECT i, repeat(md5(i::text), 16), decode(repeat(md5((i * 7)::text), 4), 'hex')
  FROM generate_series(1, {rows}) i;"
            ),
        )
        .expect("bulk rows");
        // the first read of fresh rows sets their hint bits (a write of every page): done here
        // once, not by whichever pipe or move reads the table first
        self.sql("archive", "VACUUM (FREEZE, ANALYZE) bulk")
            .expect("vacuum");
        format!("{} rows", self.fingerprint())
    }
    fn fingerprint(&self) -> String {
        self.sql("archive", "SELECT count(*) FROM bulk")
            .expect("count")
            .trim()
            .to_owned()
    }
    fn unfence(&self) {
        self.sql(
            "postgres",
            "ALTER SYSTEM RESET default_transaction_read_only; SELECT pg_reload_conf();",
        )
        .expect("unfence");
    }
}

impl Server for Redis {
    const SERVICE: &'static str = "redis";
    const INSTANCE: &'static str = "rd";
    fn start() -> Self {
        Redis::start().expect("redis server")
    }
    fn env(&self) -> BTreeMap<String, String> {
        Redis::env(self)
    }
    fn backend(&self, selector: &str) -> Backend {
        Redis::backend(self, "default", selector)
    }
    /// The realdb data set (strings, hashes, sets, lists, binary values, TTLs) plus bulk keys
    /// of random values, written with `redis-cli --pipe` a batch at a time.
    fn seed(&self, gib: f64) -> String {
        Redis::seed(self, 10_000).expect("seed");
        let keys = (gib * GIB / (REDIS_VALUE_BYTES as f64 + 16.0)) as u64;
        let mut pipe = Command::new("redis-cli")
            .envs(self.env())
            .args(["--no-auth-warning", "--pipe"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("redis-cli --pipe");
        let mut stdin = std::io::BufWriter::new(pipe.stdin.take().unwrap());
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut value = vec![0u8; REDIS_VALUE_BYTES];
        for i in 0..keys {
            for chunk in value.chunks_mut(8) {
                // xorshift64: incompressible, and the same data set every run
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                chunk.copy_from_slice(&state.to_le_bytes()[..chunk.len()]);
            }
            let key = format!("bulk:{i}");
            write!(
                stdin,
                "*3\r\n$3\r\nSET\r\n${}\r\n{key}\r\n${}\r\n",
                key.len(),
                value.len()
            )
            .unwrap();
            stdin.write_all(&value).unwrap();
            stdin.write_all(b"\r\n").unwrap();
        }
        drop(stdin);
        let out = pipe.wait_with_output().unwrap();
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(report.contains("errors: 0"), "seeding redis: {report}");
        format!("{keys} bulk keys")
    }
    fn fingerprint(&self) -> String {
        self.digest().expect("digest")
    }
    fn unfence(&self) {
        self.cli(0, &["ACL", "SETUSER", "default", "+@write"])
            .expect("unfence");
    }
}

/// The results of one engine.
struct Engine {
    service: &'static str,
    data: String,
    /// Each run's plain pipe rate, paired with the move of the same run.
    pipe_rates: Vec<f64>,
    /// Each run's rate of the same pipe through the stream's codec and back: what compressing
    /// alone costs on this machine, without Berth, the wrappers or the simulator.
    codec_rates: Vec<f64>,
    moves: Vec<Move>,
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is accepted
    let gib: f64 = env_or("BENCH_GIB", 1.0);
    let runs: usize = env_or("RUNS", 3);
    let engines = std::env::var("ENGINES").unwrap_or_else(|_| "postgres,redis".into());
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

    let mut results = Vec::new();
    let mut standby = None;
    for engine in engines.split(',') {
        match engine {
            "postgres" => {
                let source = <Postgres as Server>::start();
                results.push(measure(&berth, &kubesim, &source, gib, runs));
                if env_or("STANDBY", 1) != 0 {
                    let s = berth_standby(&berth, &kubesim, &source);
                    eprintln!(
                        "standby: create {:.1} s, sync (no changes) {:.1} s, planned promote {:.1} s",
                        s.create_secs, s.sync_secs, s.promote_secs
                    );
                    standby = Some(s);
                }
            }
            "redis" => {
                let source = <Redis as Server>::start();
                results.push(measure(&berth, &kubesim, &source, gib, runs));
            }
            other => panic!("unknown engine {other:?} in ENGINES (postgres, redis)"),
        }
    }

    println!("| measure | value | goal |");
    println!("|---|---|---|");
    for e in &results {
        let move_rate = median(e.moves.iter().map(|m| m.bytes as f64 / m.stream_secs));
        let rss = median(e.moves.iter().map(|m| m.peak_rss as f64));
        let downtime = median(e.moves.iter().map(|m| m.downtime_secs));
        let stream = median(e.moves.iter().map(|m| m.stream_secs));
        let bytes = median(e.moves.iter().map(|m| m.bytes as f64));
        let service = e.service;
        println!(
            "| {service}: data set | {:.2} GiB export ({}) | ≥ 1 GiB |",
            bytes / GIB,
            e.data
        );
        // the machine's speed drifts between runs: each rate is held to the pipe of its run
        let ratios = |rates: &[f64]| {
            let each: Vec<f64> = rates
                .iter()
                .zip(&e.pipe_rates)
                .map(|(rate, pipe)| 100.0 * rate / pipe)
                .collect();
            let listed: Vec<String> = each.iter().map(|r| format!("{r:.0}")).collect();
            format!(
                "{:.0} % of its run's pipe ({})",
                median(each.iter().copied()),
                listed.join(", ")
            )
        };
        println!(
            "| {service}: plain pipe of the definition's export into its import | {:.1} MiB/s | |",
            median(e.pipe_rates.iter().copied()) / MIB
        );
        println!(
            "| {service}: the same pipe through `zstd -1` and back (the codec alone) | {:.1} MiB/s, {} | |",
            median(e.codec_rates.iter().copied()) / MIB,
            ratios(&e.codec_rates)
        );
        println!(
            "| {service}: `berth move`, stream step | {:.1} MiB/s, {} | ≥ 90 % |",
            move_rate / MIB,
            ratios(
                &e.moves
                    .iter()
                    .map(|m| m.bytes as f64 / m.stream_secs)
                    .collect::<Vec<_>>()
            )
        );
        println!(
            "| {service}: `berth` peak RSS | {:.1} MiB | ≤ 64 MiB |",
            rss / MIB
        );
        println!(
            "| {service}: downtime (fence → cut-over done) | {downtime:.1} s, of which the stream {stream:.1} s | |"
        );
    }
    if let Some(standby) = &standby {
        println!(
            "| postgres: `berth standby sync`, data in sync (one run) | {:.1} s | |",
            standby.sync_secs
        );
        println!(
            "| postgres: `berth standby promote`, planned: downtime, fence → new active ready (one run) | {:.1} s | |",
            standby.promote_secs
        );
    }
    println!(
        "\nmedians of {runs} runs{}; {}",
        standby
            .map(|s| format!(
                " (standby: one run, after the moves; its create took {:.1} s)",
                s.create_secs
            ))
            .unwrap_or_default(),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
}

/// Seeds `source`, then `runs` times the plain pipe, the pipe through zstd, and a move.
fn measure<S: Server>(berth: &Path, kubesim: &Path, source: &S, gib: f64, runs: usize) -> Engine {
    let seeded = Instant::now();
    let data = source.seed(gib);
    eprintln!(
        "{}: seeded {gib} GiB ({data}) in {:.0} s",
        S::SERVICE,
        seeded.elapsed().as_secs_f64()
    );
    let mut pipes = Vec::new();
    let mut codecs = Vec::new();
    let mut moves = Vec::new();
    for run in 1..=runs {
        let pipe = plain_pipe(source, false);
        let codec = plain_pipe(source, true);
        eprintln!(
            "{} run {run}: pipe {:.1} MiB/s, through zstd {:.1} MiB/s",
            S::SERVICE,
            pipe.rate() / MIB,
            codec.rate() / MIB
        );
        pipes.push(pipe);
        codecs.push(codec);
        let m = berth_move(berth, kubesim, source);
        eprintln!(
            "{} run {run}: berth {:.1} MiB/s, peak RSS {:.1} MiB, downtime {:.1} s (stream {:.1} s)",
            S::SERVICE,
            m.bytes as f64 / m.stream_secs / MIB,
            m.peak_rss as f64 / MIB,
            m.downtime_secs,
            m.stream_secs
        );
        moves.push(m);
    }
    Engine {
        service: S::SERVICE,
        data,
        pipe_rates: pipes.iter().map(Pipe::rate).collect(),
        codec_rates: codecs.iter().map(Pipe::rate).collect(),
        moves,
    }
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

/// The definition's operation command (`export`, `import`) as the catalog declares it.
fn operation(service: &str, name: &str) -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../catalog/{service}/service.yaml"));
    let text = std::fs::read_to_string(&path).expect("the definition");
    let def: serde_yaml::Value = serde_yaml::from_str(&text).expect("service.yaml");
    serde_yaml::from_value(def["operations"][name]["command"].clone()).expect("a command")
}

struct Pipe {
    bytes: u64,
    secs: f64,
}

impl Pipe {
    fn rate(&self) -> f64 {
        self.bytes as f64 / self.secs
    }
}

/// zstd as the stream's wrapper runs it: level 1, without its reader and writer threads where
/// it has the switch.
fn zstd(args: &[&str]) -> Command {
    static NO_ASYNCIO: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let no_asyncio = *NO_ASYNCIO.get_or_init(|| {
        Command::new("zstd")
            .args(["--no-asyncio", "-V"])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let mut c = Command::new("zstd");
    if no_asyncio {
        c.arg("--no-asyncio");
    }
    c.args(args);
    c
}

/// The definition's export on `source` piped into its import on a fresh server, counting bytes;
/// with `codec`, through `zstd -1` and `zstd -d` on the way.
fn plain_pipe<S: Server>(source: &S, codec: bool) -> Pipe {
    let (export, import) = (
        operation(S::SERVICE, "export"),
        operation(S::SERVICE, "import"),
    );
    let target = S::start();
    // made before the clock starts: making them asks zstd for its switches
    let zstds = codec.then(|| (zstd(&["-1", "-q", "-c"]), zstd(&["-d", "-q", "-c"])));
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
        // what the import prints (psql's results) would mix with the table on stdout
        .stdout(Stdio::null())
        .spawn()
        .expect("import");
    let exported = out.stdout.take().unwrap();
    let mut codecs = Vec::new();
    let mut from: Box<dyn std::io::Read> = if let Some((mut pack, mut unpack)) = zstds {
        let mut pack = pack
            .stdin(Stdio::from(exported))
            .stdout(Stdio::piped())
            .spawn()
            .expect("zstd");
        let mut unpack = unpack
            .stdin(Stdio::from(pack.stdout.take().unwrap()))
            .stdout(Stdio::piped())
            .spawn()
            .expect("zstd -d");
        let from = unpack.stdout.take().unwrap();
        codecs.extend([pack, unpack]);
        Box::new(from)
    } else {
        Box::new(exported)
    };
    // the same 64 KiB copy a shell pipe does, counted
    let mut to = input.stdin.take().unwrap();
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
    for mut c in codecs {
        assert!(c.wait().unwrap().success(), "zstd failed");
    }
    assert!(input.wait().unwrap().success(), "import failed");
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(
        target.fingerprint(),
        source.fingerprint(),
        "the pipe lost data"
    );
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
fn berth_standby(berth: &Path, kubesim: &Path, source: &Postgres) -> Standby {
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
    assert_eq!(
        setup.target.fingerprint(),
        source.fingerprint(),
        "the promote lost rows"
    );
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

/// A simulated cluster: a kubesim process whose pods of the benchmark's instance are bound to
/// a real server.
struct Cluster {
    child: Child,
    kubeconfig: PathBuf,
}

impl Cluster {
    fn start(kubesim: &Path, dir: &Path, name: &str, backend: Backend) -> Self {
        let config = kubesim::config::Config {
            backends: vec![backend],
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
/// server; the service installed on "laptop" as [`Server::INSTANCE`].
struct Setup<S> {
    target: S,
    dir: tempfile::TempDir,
    kubeconfig: std::ffi::OsString,
    keyring: String,
    // kept running while the setup lives
    _clusters: (Cluster, Cluster),
}

impl<S: Server> Setup<S> {
    fn new(kubesim: &Path, berth: &Path, source: &S) -> Self {
        // the fence of an earlier run leaves the source read-only: lift it
        source.unfence();
        let target = S::start();
        let dir = tempfile::tempdir().unwrap();
        let selector = format!("app.kubernetes.io/instance={}", S::INSTANCE);
        let laptop = Cluster::start(kubesim, dir.path(), "laptop", source.backend(&selector));
        let cloud = Cluster::start(kubesim, dir.path(), "cloud", target.backend(&selector));
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
            &[
                "install",
                S::SERVICE,
                "--name",
                S::INSTANCE,
                "--context",
                "laptop",
            ],
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

/// Installs the service on a fresh "laptop" cluster bound to `source`, moves it to a fresh
/// "cloud" cluster bound to a fresh server, and measures the `berth move` process.
fn berth_move<S: Server>(berth: &Path, kubesim: &Path, source: &S) -> Move {
    let setup = Setup::new(kubesim, berth, source);
    let target = &setup.target;
    let cli = |args: &[&str]| setup.cli(berth, args);
    let started = Instant::now();
    let mut child = cli(&[
        "move",
        S::INSTANCE,
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
    // the source is stopped after the move, its data kept
    assert_eq!(
        target.fingerprint(),
        source.fingerprint(),
        "the move lost data"
    );
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
