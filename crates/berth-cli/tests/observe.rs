//! `berth logs`, `berth connect` and `berth metrics` end to end against kubesim (or the cluster named by
//! `BERTH_TEST_KUBECONFIG`; kubesim-only steps are skipped there). Needs a keyring: run under
//! `scripts/with-keyring.sh`.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, Patch, PatchParams};
use serde_json::{Value, json};

struct Env {
    dir: tempfile::TempDir,
    cluster: kubesim::testing::TestCluster,
    keyring_ns: String,
}

impl Env {
    async fn new(test: &str, config: kubesim::Config) -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            cluster: kubesim::testing::cluster_with(config).await.unwrap(),
            keyring_ns: format!("dev.berth.test.{test}.{}", std::process::id()),
        }
    }

    fn command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("berth"));
        cmd.env("KUBECONFIG", self.cluster.kubeconfig())
            .env("BERTH_HOME", self.dir.path().join("home"))
            .env("BERTH_KEYRING_NAMESPACE", &self.keyring_ns)
            .env_remove("BERTH_TEST_KUBECONFIG");
        if let Some(c) = self.cluster.context() {
            cmd.args(["--context", c]);
        }
        cmd
    }

    /// Runs berth to its end; returns (exit code, stdout, stderr).
    async fn run(&self, args: &[&str]) -> (i32, String, String) {
        let mut cmd = Command::from_std(self.command());
        cmd.args(args);
        let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    async fn ok(&self, args: &[&str]) -> String {
        let (code, stdout, stderr) = self.run(args).await;
        assert_eq!(code, 0, "berth {args:?} failed: {stderr}");
        stdout
    }

    /// Starts a long-running berth; its stdout lines arrive on the receiver.
    fn spawn(&self, args: &[&str]) -> (Child, mpsc::Receiver<String>) {
        let mut child = self
            .command()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        (child, rx)
    }

    async fn client(&self) -> kube::Client {
        self.cluster.client().await.unwrap()
    }
}

/// Waits until a line satisfies `want`; returns every line read so far.
fn read_until(rx: &mpsc::Receiver<String>, what: &str, want: impl Fn(&str) -> bool) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => {
                let done = want(&line);
                seen.push(line);
                if done {
                    return seen;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    panic!("never saw {what}; got {seen:#?}");
}

/// Ends a long-running berth as Ctrl-C would (SIGTERM is handled the same way): exit code 0.
fn interrupt(mut child: Child) -> String {
    let pid = child.id().to_string();
    // the shell's built-in kill: no procps needed
    let status = std::process::Command::new("sh")
        .args(["-c", &format!("kill -TERM {pid}")])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut stderr)
                .unwrap();
            assert!(status.success(), "berth ended with {status}: {stderr}");
            return stderr;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("berth did not end on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn pod_names(client: &kube::Client, ns: &str, instance: &str) -> Vec<String> {
    let mut names: Vec<String> = Api::<Pod>::namespaced(client.clone(), ns)
        .list(&ListParams::default().labels(&format!("app.kubernetes.io/instance={instance}")))
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|p| p.metadata.name)
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_merge_every_pod_filter_follow_and_reconnect() {
    let env = Env::new("logs", kubesim::Config::default()).await;
    let ns = "obs-logs";
    env.ok(&[
        "install",
        "postgres",
        "--name",
        "pg",
        "-n",
        ns,
        "--create-namespace",
        "--set",
        "replicas=2",
        "--timeout",
        "2m",
    ])
    .await;
    let client = env.client().await;
    let pods = pod_names(&client, ns, "pg").await;
    assert_eq!(pods, ["pg-0", "pg-1"]);

    // every pod's lines, each prefixed with its pod
    let out = env.ok(&["logs", "pg", "-n", ns]).await;
    let lines: Vec<&str> = out.lines().collect();
    assert!(!lines.is_empty(), "no log lines");
    for line in &lines {
        assert!(
            pods.iter().any(|p| line.starts_with(&format!("[{p}] "))),
            "unprefixed line {line:?}"
        );
    }
    for pod in &pods {
        assert!(
            lines.iter().any(|l| l.starts_with(&format!("[{pod}] "))),
            "no line of {pod}: {out}"
        );
        if env.cluster.sim().is_some() {
            assert!(
                out.contains(&format!(
                    "[{pod}] kubesim: container postgres of pod {pod} started"
                )),
                "{out}"
            );
        }
    }

    // --pod keeps one pod; -o json is one object per line
    let out = env
        .ok(&["logs", "pg", "-n", ns, "--pod", "pg-1", "-o", "json"])
        .await;
    let objects: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect();
    assert!(!objects.is_empty());
    assert!(
        objects
            .iter()
            .all(|o| o["pod"] == "pg-1" && o["container"] == "postgres"),
        "{out}"
    );
    assert!(
        objects
            .iter()
            .all(|o| o["line"].is_string() && o["timestamp"].is_string())
    );

    // --tail 1 gives one line per container
    let out = env.ok(&["logs", "pg", "-n", ns, "--tail", "1"]).await;
    assert_eq!(out.lines().count(), 2, "{out}");

    // an unknown pod and an unknown instance are not found (exit code 1, as for every command)
    let (code, _, stderr) = env.run(&["logs", "pg", "-n", ns, "--pod", "pg-9"]).await;
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("pg-9") && stderr.contains("pg-0, pg-1"),
        "{stderr}"
    );
    let (code, stdout, stderr) = env.run(&["logs", "nothere", "-n", ns, "-o", "json"]).await;
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("no instance \"nothere\""), "{stderr}");
    let err: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(err["error"]["code"], "notFound", "{stdout}");

    let Some(sim) = env.cluster.sim() else {
        return; // writing log lines and dropping streams are kubesim features
    };
    // follow: a later line arrives; a stream dropped by the server reconnects without repeating
    sim.set_faults(kubesim::config::Faults {
        drop_log_streams_after_ms: Some(700),
        ..Default::default()
    });
    let (child, rx) = env.spawn(&["logs", "pg", "-n", ns, "-f", "-o", "json"]);
    // both pods' startup lines, in whichever order they come
    let mut all = read_until(&rx, "a startup line", |l| l.contains(" started from image"));
    if !all.iter().any(|l| l.contains("pod pg-0 started"))
        || !all.iter().any(|l| l.contains("pod pg-1 started"))
    {
        all.extend(read_until(&rx, "the other startup line", |l| {
            l.contains(" started from image")
        }));
    }
    sim.write_log(ns, "pg-1", "postgres", "a later line");
    all.extend(read_until(&rx, "the later line", |l| {
        l.contains("a later line")
    }));
    // after the drop (700 ms) the stream reconnects: a line written then still arrives
    tokio::time::sleep(Duration::from_millis(1500)).await;
    sim.write_log(ns, "pg-0", "postgres", "after the reconnect");
    all.extend(read_until(&rx, "the line after the reconnect", |l| {
        l.contains("after the reconnect")
    }));
    sim.set_faults(kubesim::config::Faults::default());

    // a new pod (scale up) is picked up
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), ns);
    sets.patch(
        "pg",
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"replicas": 3}})),
    )
    .await
    .unwrap();
    all.extend(read_until(&rx, "the new pod's line", |l| {
        l.contains("pod pg-2 started")
    }));
    let stderr = interrupt(child);
    for l in &all {
        let o: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}"));
        assert!(o["prefix"].as_str().unwrap().starts_with("pg-"), "{l}");
    }
    let count = |needle: &str| all.iter().filter(|l| l.contains(needle)).count();
    assert_eq!(
        count("pod pg-0 started"),
        1,
        "repeated after a reconnect: {all:#?} {stderr}"
    );
    assert_eq!(count("a later line"), 1, "{all:#?}");
    assert_eq!(count("after the reconnect"), 1, "{all:#?}");
}

/// A loopback echo server standing in for the database behind the simulated pods.
fn echo_server() -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { break };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = conn.read(&mut buf) {
                    if n == 0 || conn.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            });
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_forwards_bytes_and_hides_the_password() {
    let echo = echo_server();
    let mut config = kubesim::Config::default();
    config.backends.push(kubesim::config::Backend {
        selector: "app.kubernetes.io/instance=pgc".into(),
        ports: [("5432".to_string(), echo.to_string())].into(),
        // an echo server cannot answer pg_isready
        skip_probes: true,
        ..Default::default()
    });
    let env = Env::new("connect", config).await;
    let ns = "obs-connect";
    env.ok(&[
        "install",
        "postgres",
        "--name",
        "pgc",
        "-n",
        ns,
        "--create-namespace",
        "--timeout",
        "2m",
    ])
    .await;
    let context = match env.cluster.context() {
        Some(c) => c.to_owned(),
        None => {
            let out = env.ok(&["status", "pgc", "-n", ns, "-o", "json"]).await;
            serde_json::from_str::<Value>(&out).unwrap()["context"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let password = berth_secrets::Keyring::with_namespace(env.keyring_ns.clone())
        .get(&format!("{context}/{ns}/pgc/admin-password"))
        .unwrap();
    let password = password.expose().clone();

    // without --show-password: the URI has the local port and a masked password
    let (child, rx) = env.spawn(&["connect", "pgc", "-n", ns]);
    let lines = read_until(&rx, "the URI", |l| l.starts_with("uri: "));
    let forwarding = lines
        .iter()
        .find(|l| l.starts_with("forwarding 127.0.0.1:"))
        .unwrap_or_else(|| panic!("{lines:?}"));
    let port: u16 = forwarding["forwarding 127.0.0.1:".len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let uri = lines.last().unwrap();
    assert_eq!(
        uri,
        &format!("uri: postgresql://postgres:****@127.0.0.1:{port}/app"),
        "{lines:?}"
    );
    assert!(
        lines.iter().all(|l| !l.contains(&password)),
        "password printed: {lines:?}"
    );

    if env.cluster.sim().is_some() {
        // bytes go through the forward to the process bound to the pod, twice
        for round in 0..2 {
            let mut conn = tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .unwrap();
            let msg = format!("hello through berth {round}");
            tokio::io::AsyncWriteExt::write_all(&mut conn, msg.as_bytes())
                .await
                .unwrap();
            let mut buf = vec![0u8; msg.len()];
            tokio::time::timeout(
                Duration::from_secs(10),
                tokio::io::AsyncReadExt::read_exact(&mut conn, &mut buf),
            )
            .await
            .expect("echo in time")
            .unwrap();
            assert_eq!(String::from_utf8(buf).unwrap(), msg);
        }
    }
    let stderr = interrupt(child);
    assert!(!stderr.contains(&password), "password on stderr");
    // the port is closed once berth ended
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
    );

    // --show-password on a chosen port, as JSON
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (child, rx) = env.spawn(&[
        "connect",
        "pgc",
        "-n",
        ns,
        "--show-password",
        "--port",
        &free.to_string(),
        "-o",
        "json",
    ]);
    let lines = read_until(&rx, "the end of the JSON document", |l| l == "}");
    let session: Value = serde_json::from_str(&lines.join("\n")).unwrap();
    assert_eq!(session["localPort"], free);
    assert_eq!(session["hasPassword"], true);
    assert_eq!(session["user"], "postgres");
    assert_eq!(
        session["uri"],
        format!("postgresql://postgres:{password}@127.0.0.1:{free}/app")
    );
    interrupt(child);

    // an instance that does not exist is not found (exit code 1, as for every command)
    let (code, _, stderr) = env.run(&["connect", "nothere", "-n", ns]).await;
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("nothere"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_show_pods_with_bounds_history_and_watch() {
    let mut config = kubesim::Config::default();
    config.metrics.push(kubesim::config::LoadRule {
        selector: "app.kubernetes.io/instance=mc".into(),
        cpu_millis: 150,
        memory_mib: 64,
        ..Default::default()
    });
    let env = Env::new("metrics", config).await;
    let ns = "obs-metrics";
    env.ok(&[
        "install",
        "memcached",
        "--name",
        "mc",
        "-n",
        ns,
        "--create-namespace",
        "--set",
        "replicas=2",
    ])
    .await;
    let real = env.cluster.sim().is_none();

    // now: every pod with usage, requests and limits (the memcached defaults), in m and MiB
    let out = env.ok(&["metrics", "mc", "-n", ns]).await;
    assert!(
        out.contains("CPU REQUEST") && out.contains("MEM LIMIT"),
        "{out}"
    );
    let rows: Vec<&str> = out
        .lines()
        .filter(|l| l.trim_start().starts_with("mc-"))
        .collect();
    assert_eq!(rows.len(), 2, "{out}");
    for row in &rows {
        assert!(row.contains("250m") && row.contains("500m"), "{row}");
        assert!(row.contains("512 MiB"), "{row}");
        assert!(
            real || (row.contains("150m") && row.contains("64 MiB")),
            "{row}"
        );
    }
    assert!(!out.contains("kept samples"), "{out}");

    // a second round a second later, then the history: three samples per pod (this call's too)
    tokio::time::sleep(Duration::from_millis(1050)).await;
    env.ok(&["metrics", "mc", "-n", ns]).await;
    tokio::time::sleep(Duration::from_millis(1050)).await;
    let json: Value = serde_json::from_str(
        &env.ok(&["metrics", "mc", "-n", ns, "--since", "15m", "-o", "json"])
            .await,
    )
    .unwrap();
    assert_eq!(json["name"], "mc");
    assert_eq!(json["namespace"], ns);
    assert_eq!(json["pods"].as_array().unwrap().len(), 2, "{json}");
    assert_eq!(
        json["pods"][0]["resources"]["cpuLimitMillicores"], 500,
        "{json}"
    );
    assert_eq!(json["history"]["sinceSeconds"], 900, "{json}");
    if !real {
        // kubesim has no Prometheus: the samples Berth kept
        assert!(json["history"]["prometheus"].is_null(), "{json}");
    }
    let history = json["history"]["pods"].as_array().unwrap();
    assert_eq!(history.len(), 2, "{json}");
    for p in history {
        assert_eq!(p["samples"], 3, "{p}");
        assert_eq!(p["points"].as_array().unwrap().len(), 3, "{p}");
        if !real {
            assert_eq!(p["cpuMillicores"]["median"], 150.0, "{p}");
            assert_eq!(p["memoryMib"]["max"], 64.0, "{p}");
        }
    }
    // a sample in the same second replaces the earlier one: the next call waits for a new second
    tokio::time::sleep(Duration::from_millis(1050)).await;
    let out = env.ok(&["metrics", "mc", "-n", ns, "--since", "1h"]).await;
    assert!(out.contains("kept samples"), "{out}");
    assert!(out.contains("MIN/MEDIAN/MAX"), "{out}");
    let summary = out.split("kept samples").nth(1).unwrap();
    let rows: Vec<&str> = summary
        .lines()
        .filter(|l| l.trim_start().starts_with("mc-"))
        .collect();
    assert_eq!(rows.len(), 2, "{out}");
    assert!(rows.iter().all(|l| l.contains(" 4 ")), "{out}");
    assert!(
        real || rows.iter().all(|l| l.contains("150 / 150 / 150m")),
        "{out}"
    );

    // more than is kept without a Prometheus (a real cluster may have one), more than the
    // longest range, and an unknown instance
    if !real {
        let (code, _, stderr) = env
            .run(&["metrics", "mc", "-n", ns, "--since", "25h"])
            .await;
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stderr.contains("24 h") && stderr.contains("Prometheus"),
            "{stderr}"
        );
    }
    let (code, _, stderr) = env
        .run(&["metrics", "mc", "-n", ns, "--since", "31d"])
        .await;
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("30 days"), "{stderr}");
    let (code, _, stderr) = env.run(&["metrics", "nothere", "-n", ns]).await;
    assert_eq!(code, 1, "{stderr}");

    // watch: a round per interval, each line a JSON document, until SIGTERM
    let (child, rx) = env.spawn(&[
        "metrics",
        "mc",
        "-n",
        ns,
        "--watch",
        "--interval",
        "300ms",
        "-o",
        "json",
    ]);
    let lines = read_until(&rx, "two rounds", {
        let n = std::cell::Cell::new(0);
        move |_| {
            n.set(n.get() + 1);
            n.get() == 2
        }
    });
    interrupt(child);
    for l in &lines {
        let round: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}"));
        assert_eq!(round["pods"].as_array().unwrap().len(), 2, "{l}");
        assert_eq!(
            round["pods"][1]["resources"]["memoryRequestBytes"],
            512 << 20,
            "{l}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_say_when_the_cluster_has_no_metrics_api() {
    if std::env::var_os(kubesim::testing::KUBECONFIG_ENV).is_some() {
        return; // a real cluster's metrics-server cannot be switched off from here
    }
    let env = Env::new(
        "nometrics",
        kubesim::Config {
            metrics_api: false,
            ..Default::default()
        },
    )
    .await;
    let ns = "obs-nometrics";
    env.ok(&[
        "install",
        "memcached",
        "--name",
        "mc",
        "-n",
        ns,
        "--create-namespace",
    ])
    .await;
    let (code, stdout, stderr) = env.run(&["metrics", "mc", "-n", ns, "-o", "json"]).await;
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no working metrics API"), "{stderr}");
    assert!(stderr.contains("metrics-server"), "{stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["error"]["code"], "unsupported", "{json}");
}
