//! Reliability end to end against kubesim with injected faults: transient API failures are
//! retried, an outage longer than the timeout fails cleanly, and `berth recover` brings an
//! interrupted or failed instance back (also after `kill -9` in the middle of an install).
//! kubesim-only (faults need the simulator); needs a keyring: run under `scripts/with-keyring.sh`.

use std::time::{Duration, Instant};

use assert_cmd::Command;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{ConfigMap, Service};
use kube::api::Api;
use kubesim::config::{ErrorRule, Faults};
use serde_json::Value;

struct Env {
    dir: tempfile::TempDir,
    cluster: kubesim::testing::TestCluster,
    keyring_ns: String,
}

impl Env {
    /// A fresh kubesim (`None` on a real cluster: these tests need fault injection).
    async fn new(test: &str, config: kubesim::Config) -> Option<Self> {
        let cluster = kubesim::testing::cluster_with(config).await.unwrap();
        if cluster.is_real() {
            cluster.shutdown().await;
            return None;
        }
        Some(Self {
            dir: tempfile::tempdir().unwrap(),
            cluster,
            keyring_ns: format!("dev.berth.test.{test}.{}", std::process::id()),
        })
    }

    fn sim(&self) -> &kubesim::Sim {
        self.cluster.sim().expect("kubesim")
    }

    fn command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("berth"));
        cmd.env("KUBECONFIG", self.cluster.kubeconfig())
            .env("BERTH_HOME", self.dir.path().join("home"))
            .env("BERTH_KEYRING_NAMESPACE", &self.keyring_ns)
            .env_remove("BERTH_TEST_KUBECONFIG")
            .args(["--context", self.cluster.context().unwrap()]);
        cmd
    }

    async fn run(&self, args: &[&str]) -> (i32, Value, String) {
        let mut cmd = Command::from_std(self.command());
        cmd.args(args).args(["-o", "json"]);
        let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap();
        let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        (
            out.status.code().unwrap_or(-1),
            json,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    async fn ok(&self, args: &[&str]) -> Value {
        let (code, json, stderr) = self.run(args).await;
        assert_eq!(code, 0, "berth {args:?} failed: {stderr}");
        json
    }

    async fn client(&self) -> kube::Client {
        self.cluster.client().await.unwrap()
    }

    /// Waits until `probe` finds something, at most `secs` seconds.
    async fn until<F, Fut>(&self, secs: u64, what: &str, mut probe: F)
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = bool>,
    {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while !probe().await {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

fn rule(code: u16, rate: f64) -> ErrorRule {
    ErrorRule {
        verb: None,
        resource: None,
        code,
        rate,
        message: None,
    }
}

#[tokio::test]
async fn install_and_upgrade_succeed_through_injected_503s_429s_and_dropped_watches() {
    let Some(env) = Env::new("retry", kubesim::Config::default()).await else {
        return;
    };
    let ns = "rel-retry";
    env.sim().set_faults(Faults {
        errors: vec![rule(503, 0.3), rule(429, 0.05), rule(500, 0.05)],
        drop_watches_after_ms: Some(200),
        ..Faults::default()
    });
    let installed = env
        .ok(&[
            "install",
            "postgres",
            "--name",
            "pgr",
            "-n",
            ns,
            "--create-namespace",
            "--timeout",
            "2m",
        ])
        .await;
    assert_eq!(installed["ready"], true, "{installed}");
    let changed = env
        .ok(&["config", "pgr", "-n", ns, "--set", "replicas=2"])
        .await;
    assert_eq!(changed["operation"], "reconfigure");
    let stopped = env.ok(&["stop", "pgr", "-n", ns]).await;
    assert_eq!(stopped["changed"], true);
    let started = env.ok(&["start", "pgr", "-n", ns]).await;
    assert_eq!(started["changed"], true);

    // with the faults gone, the API shows everything in place
    env.sim().set_faults(Faults::default());
    let client = env.client().await;
    let sts = Api::<StatefulSet>::namespaced(client.clone(), ns)
        .get("pgr")
        .await
        .unwrap();
    assert_eq!(sts.spec.replicas, Some(2));
    assert!(
        Api::<ConfigMap>::namespaced(client.clone(), ns)
            .get_opt("berth-pgr")
            .await
            .unwrap()
            .is_some()
    );
    let history = env.ok(&["history", "pgr"]).await;
    let outcomes: Vec<(&str, &str)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["operation"].as_str().unwrap(),
                r["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        vec![
            ("start", "succeeded"),
            ("stop", "superseded"),
            ("reconfigure", "superseded"),
            ("install", "superseded"),
        ]
    );
    // the history shows what the reconfigure changed
    let change = &history[2]["changes"];
    assert_eq!(change[0]["path"], "replicas", "{history}");
    assert_eq!(change[0]["old"], 1);
    assert_eq!(change[0]["new"], 2);
    env.cluster.shutdown().await;
}

#[tokio::test]
async fn an_outage_longer_than_the_timeout_fails_cleanly_then_recover_completes() {
    let mut config = kubesim::Config::default();
    config.kubelet.ready_delay_ms = 3_000;
    let Some(env) = Env::new("outage", config).await else {
        return;
    };
    let ns = "rel-outage";
    let mut child = env.command();
    child
        .args(["install", "postgres", "--name", "pgo", "-n", ns])
        .args(["--create-namespace", "--timeout", "6s"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let child = child.spawn().unwrap();

    // once everything is applied (the record comes last), the API server goes away
    let cms: Api<ConfigMap> = Api::namespaced(env.client().await, ns);
    env.until(30, "the record", || async {
        cms.get_opt("berth-pgo").await.ok().flatten().is_some()
    })
    .await;
    env.sim().set_faults(Faults {
        errors: vec![rule(503, 1.0)],
        ..Faults::default()
    });
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("503") || stderr.contains("unavailable"),
        "{stderr}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );

    env.sim().set_faults(Faults::default());
    let history = env.ok(&["history", "pgo"]).await;
    assert_eq!(history[0]["operation"], "install");
    assert_eq!(history[0]["status"], "failed");

    // listed as recoverable, then recovered
    let listed = env.ok(&["recover"]).await;
    assert_eq!(listed[0]["name"], "pgo", "{listed}");
    let recovered = env.ok(&["recover", "pgo", "--timeout", "1m"]).await;
    assert_eq!(recovered["action"], "resumed", "{recovered}");
    assert_eq!(recovered["fromOperation"], "install");
    assert_eq!(recovered["ready"], true);
    let status = env.ok(&["status", "pgo", "-n", ns]).await;
    assert_eq!(status["health"], "ready", "{status}");
    let history = env.ok(&["history", "pgo"]).await;
    assert_eq!(history[0]["operation"], "recover");
    assert_eq!(history[0]["status"], "succeeded");
    assert_eq!(history[1]["status"], "failed");
    assert_eq!(env.ok(&["recover"]).await, serde_json::json!([]));
    env.cluster.shutdown().await;
}

#[tokio::test]
async fn kill_9_mid_install_then_recover_completes_it_or_rolls_it_back() {
    let Some(env) = Env::new("kill9", kubesim::Config::default()).await else {
        return;
    };
    let ns = "rel-kill";
    let client = env.client().await;
    // every request is slow: the install is still applying when it is killed
    env.sim().set_faults(Faults {
        latency_ms: 150,
        ..Faults::default()
    });
    for name in ["pgk", "pgz"] {
        let mut cmd = env.command();
        cmd.args(["install", "postgres", "--name", name, "-n", ns])
            .arg("--create-namespace")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        let mut child = cmd.spawn().unwrap();
        let services: Api<Service> = Api::namespaced(client.clone(), ns);
        env.until(60, "the first objects", || async {
            services.get_opt(name).await.ok().flatten().is_some()
        })
        .await;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    env.sim().set_faults(Faults::default());
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), ns);
    assert!(
        cms.get_opt("berth-pgk").await.unwrap().is_none(),
        "the install was killed after it finished applying"
    );

    // the next command reports them; recover resumes one and removes the other
    let (code, listed, stderr) = env.run(&["recover"]).await;
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert_eq!(listed.as_array().unwrap().len(), 2, "{listed}");
    let recovered = env.ok(&["recover", "pgk", "--timeout", "1m"]).await;
    assert_eq!(recovered["action"], "resumed", "{recovered}");
    assert_eq!(recovered["ready"], true);
    let status = env.ok(&["status", "pgk", "-n", ns]).await;
    assert_eq!(status["health"], "ready", "{status}");
    let sts = Api::<StatefulSet>::namespaced(client.clone(), ns)
        .get("pgk")
        .await
        .unwrap();
    assert_eq!(sts.status.and_then(|s| s.ready_replicas), Some(1));
    let history = env.ok(&["history", "pgk"]).await;
    assert_eq!(history[0]["operation"], "recover");
    assert_eq!(history[0]["status"], "succeeded");
    assert_eq!(history[1]["operation"], "install");
    assert_eq!(history[1]["status"], "failed");
    assert!(
        history[1]["error"]
            .as_str()
            .unwrap()
            .contains("interrupted")
    );

    let removed = env.ok(&["recover", "pgz", "--rollback"]).await;
    assert_eq!(removed["action"], "removed", "{removed}");
    let services: Api<Service> = Api::namespaced(client.clone(), ns);
    assert!(services.get_opt("pgz").await.unwrap().is_none());
    assert!(cms.get_opt("berth-pgz").await.unwrap().is_none());
    assert_eq!(env.ok(&["recover"]).await, serde_json::json!([]));
    // nothing left to recover: a clear refusal
    let (code, json, _) = env.run(&["recover", "pgk"]).await;
    assert_eq!(code, 1);
    assert_eq!(json["error"]["code"], "notFound");
    env.cluster.shutdown().await;
}

#[tokio::test]
async fn ls_all_contexts_does_not_wait_for_a_black_holed_server() {
    let Some(env) = Env::new("blackhole", kubesim::Config::default()).await else {
        return;
    };
    env.ok(&[
        "install",
        "redis",
        "--name",
        "cache",
        "-n",
        "default",
        "--no-wait",
    ])
    .await;

    // a server that accepts connections and never answers
    let hole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = hole.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in hole.incoming() {
            held.push(conn);
        }
    });
    let extra = env.dir.path().join("blackhole.yaml");
    std::fs::write(
        &extra,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: hole\n  cluster: {{server: \"https://127.0.0.1:{port}\", insecure-skip-tls-verify: true}}\nusers:\n- name: hole\n  user: {{token: x}}\ncontexts:\n- name: hole\n  context: {{cluster: hole, user: hole}}\n"
        ),
    )
    .unwrap();
    let kubeconfig = std::env::join_paths([env.cluster.kubeconfig(), extra.as_path()]).unwrap();

    let mut cmd = Command::from_std(env.command());
    cmd.env("KUBECONFIG", &kubeconfig).args([
        "ls",
        "--all-contexts",
        "--context-timeout",
        "1s",
        "-o",
        "json",
    ]);
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list["instances"][0]["name"], "cache", "{list}");
    assert_eq!(list["unreachable"][0]["context"], "hole", "{list}");
    assert!(
        list["unreachable"][0]["message"]
            .as_str()
            .unwrap()
            .contains("did not answer in time (waited 1.0 s)"),
        "{list}"
    );
    assert_eq!(list["unreachable"][0]["failure"], "timeout", "{list}");
    // Without the timeout the hole would hold `ls` until the client's own timeouts (tens of seconds);
    // the bound is loose because a loaded 2-core CI machine slows process start and the other context.
    assert!(took < Duration::from_secs(10), "ls took {took:?}");

    // the table shows the context as Unreachable
    let mut cmd = Command::from_std(env.command());
    cmd.env("KUBECONFIG", &kubeconfig)
        .args(["ls", "--all-contexts", "--context-timeout", "500ms"]);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table
            .lines()
            .any(|l| l.contains("hole") && l.contains("Unreachable")),
        "{table}"
    );
    env.cluster.shutdown().await;
}

/// One failure reads the same everywhere: `berth contexts` (the probe), an error of `berth ls`
/// and the warnings of `berth ls --all-contexts` give the same kind, sentence and hint, with no
/// wrapped client errors and no retry noise.
#[tokio::test]
async fn a_failure_reads_the_same_in_contexts_ls_and_warnings() {
    let Some(env) = Env::new("story", kubesim::Config::default()).await else {
        return;
    };
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    // the simulator itself, without its certificate authority: a certificate nobody trusts
    let untrusted = env.sim().url();
    let extra = env.dir.path().join("failing.yaml");
    std::fs::write(
        &extra,
        format!(
            r#"apiVersion: v1
kind: Config
clusters:
- name: refused
  cluster: {{server: "https://127.0.0.1:{port}", insecure-skip-tls-verify: true}}
- name: dns
  cluster: {{server: "https://api.lab.invalid:6443", insecure-skip-tls-verify: true}}
- name: tls
  cluster: {{server: "{untrusted}"}}
users:
- name: token
  user: {{token: s3cret-token}}
- name: plugin
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: sh
      args: ["-c", "echo 'session expired' >&2; exit 4"]
      interactiveMode: Never
contexts:
- name: refused
  context: {{cluster: refused, user: token}}
- name: dns
  context: {{cluster: dns, user: token}}
- name: plugin
  context: {{cluster: refused, user: plugin}}
- name: tls
  context: {{cluster: tls, user: token}}
"#
        ),
    )
    .unwrap();
    let kubeconfig = std::env::join_paths([env.cluster.kubeconfig(), extra.as_path()]).unwrap();
    let berth = |args: Vec<String>| {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("berth"));
        cmd.env("KUBECONFIG", &kubeconfig)
            .env("BERTH_HOME", env.dir.path().join("home"))
            .env("BERTH_KEYRING_NAMESPACE", &env.keyring_ns)
            .env_remove("BERTH_TEST_KUBECONFIG")
            .args(args);
        async move {
            let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
                .await
                .unwrap();
            (
                out.status.code().unwrap_or(-1),
                serde_json::from_slice::<Value>(&out.stdout).unwrap_or(Value::Null),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        }
    };
    let strings = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();

    let (code, contexts, stderr) = berth(strings(&["contexts", "-o", "json"])).await;
    assert_eq!(code, 0, "{stderr}");
    let (_, all, warnings) = berth(strings(&["ls", "--all-contexts", "-o", "json"])).await;
    for (name, kind) in [
        ("refused", "refused"),
        ("dns", "dns"),
        ("plugin", "execPlugin"),
        ("tls", "tls"),
    ] {
        let probe = contexts["contexts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {contexts}"))["probe"]["failure"]
            .clone();
        assert_eq!(probe["kind"], kind, "{probe}");
        let sentence = format!("{name}: {}", probe["message"].as_str().unwrap());

        let (code, out, stderr) = berth(vec![
            "--context".into(),
            name.into(),
            "ls".into(),
            "-o".into(),
            "json".into(),
        ])
        .await;
        assert_eq!(code, 1, "{stderr}");
        let error = &out["error"];
        assert_eq!(error["failure"], kind, "{out}");
        assert_eq!(error["message"], sentence.as_str(), "{out}");
        assert_eq!(error["hint"], probe["hint"], "{out}");
        // on stderr: the sentence, then what to do; nothing else
        assert_eq!(
            stderr.trim_end(),
            format!("error: {sentence}\n  {}", probe["hint"].as_str().unwrap()),
        );

        let unreachable = all["unreachable"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["context"] == name)
            .unwrap_or_else(|| panic!("{name} in {all}"));
        assert_eq!(unreachable["message"], sentence.as_str(), "{all}");
        assert_eq!(unreachable["failure"], kind, "{all}");
        assert!(
            warnings.contains(&format!("warning: {sentence}\n")),
            "{warnings}"
        );
    }
    assert_eq!(
        contexts["contexts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "plugin")
            .unwrap()["probe"]["failure"]["message"],
        "the credential plugin `sh` failed with exit code 4: session expired"
    );
    for noise in [
        "ServiceError",
        "client error",
        "WARN",
        "retrying",
        "s3cret-token",
    ] {
        assert!(!warnings.contains(noise), "{noise} in {warnings}");
    }
    // the listing went on for the context that answers
    assert!(all["instances"].is_array(), "{all}");

    // refused credentials are the context's failure too, told with the same hint
    env.sim().set_faults(Faults {
        errors: vec![rule(401, 1.0)],
        ..Faults::default()
    });
    let (code, out, stderr) = env.run(&["ls"]).await;
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(out["error"]["failure"], "unauthorized", "{out}");
    assert!(
        out["error"]["message"]
            .as_str()
            .unwrap()
            .contains("the API server refused the credentials (HTTP 401"),
        "{out}"
    );
    assert!(stderr.contains("fetch a fresh kubeconfig"), "{stderr}");

    // credentials the server accepts but RBAC lets read nothing: discovery is open to every
    // authenticated user, so the context answers; the request names what is denied and the fix
    env.sim().set_faults(Faults {
        errors: vec![ErrorRule {
            verb: Some("list".into()),
            ..rule(403, 1.0)
        }],
        ..Faults::default()
    });
    let (code, contexts, stderr) = env.run(&["contexts"]).await;
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        contexts["contexts"][0]["probe"]["reachable"], true,
        "{contexts}"
    );
    let (code, out, stderr) = env.run(&["ls"]).await;
    assert_eq!(code, 1, "{stderr}");
    let error = &out["error"];
    assert_eq!(error["code"], "cluster", "{out}");
    assert_eq!(
        error["message"],
        "kubesim: cannot list ConfigMap objects: configmaps is forbidden: User \"system:serviceaccount:default:limited\" cannot list resource \"configmaps\" in API group \"\" at the cluster scope (403 Forbidden)",
        "{out}"
    );
    assert_eq!(
        error["hint"],
        "The user of context \"kubesim\" may not list configmaps: ask the cluster's administrator for a Role that allows it.",
        "{out}"
    );
    assert_eq!(
        stderr.trim_end(),
        format!(
            "error: {}\n  {}",
            error["message"].as_str().unwrap(),
            error["cliHint"].as_str().unwrap()
        )
    );
    assert!(
        stderr.contains("kubectl auth can-i list configmaps"),
        "{stderr}"
    );
    env.cluster.shutdown().await;
}

#[tokio::test]
async fn an_instance_installed_from_another_machine_is_listed_and_adopted() {
    let Some(env) = Env::new("adopt", kubesim::Config::default()).await else {
        return;
    };
    env.ok(&["install", "redis", "--name", "shared", "-n", "default"])
        .await;
    // the other machine: its own home and keyring, the same cluster
    let other = |args: &[&str]| {
        let mut cmd = Command::from_std(env.command());
        cmd.env("BERTH_HOME", env.dir.path().join("other-home"))
            .env(
                "BERTH_KEYRING_NAMESPACE",
                format!("{}.other", env.keyring_ns),
            )
            .args(args);
        async move {
            let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
                .await
                .unwrap();
            (
                out.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        }
    };
    let (code, stdout, stderr) = other(&["ls", "-o", "json"]).await;
    assert_eq!(code, 0, "{stderr}");
    let list: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(list["instances"][0]["name"], "shared");
    assert_eq!(list["instances"][0]["inLocalHistory"], false);
    let (_, table, _) = other(&["ls"]).await;
    assert!(table.contains("not in local history"), "{table}");
    let mine = env.ok(&["ls"]).await;
    assert_eq!(mine["instances"][0]["inLocalHistory"], true);

    let (code, stdout, stderr) = other(&["adopt", "shared", "-n", "default", "-o", "json"]).await;
    assert_eq!(code, 0, "{stderr}");
    let adopted: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(adopted["service"], "redis");
    assert_eq!(adopted["revision"], 1);
    assert_eq!(adopted["clusterRevision"], 1);
    let (_, stdout, _) = other(&["ls", "-o", "json"]).await;
    let list: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(list["instances"][0]["inLocalHistory"], true);
    let (_, stdout, _) = other(&["history", "shared", "-o", "json"]).await;
    let history: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(history[0]["operation"], "adopt");
    assert_eq!(history[0]["status"], "succeeded");
    assert_eq!(history[0]["service"], "redis");

    // twice is a conflict; an instance that is not there is not found
    let (code, stdout, _) = other(&["adopt", "shared", "-o", "json"]).await;
    assert_eq!(code, 1);
    assert!(stdout.contains("conflict"), "{stdout}");
    let (code, stdout, _) = other(&["adopt", "nothing", "-o", "json"]).await;
    assert_eq!(code, 1);
    assert!(stdout.contains("notFound"), "{stdout}");
    env.cluster.shutdown().await;
}

#[tokio::test]
async fn refusals_name_the_cause_and_the_fix() {
    let Some(env) = Env::new("hints", kubesim::Config::default()).await else {
        return;
    };
    let client = env.client().await;
    let install = ["install", "postgres", "--name", "p1", "-n", "default"];

    // RBAC: the verb and resource denied, and how to check
    env.sim().set_faults(Faults {
        errors: vec![ErrorRule {
            verb: Some("patch".into()),
            resource: Some("statefulsets".into()),
            ..rule(403, 1.0)
        }],
        ..Faults::default()
    });
    let (code, json, stderr) = env.run(&install).await;
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(json["error"]["code"], "cluster");
    assert!(
        stderr.contains("RBAC denies patch on statefulsets.apps in namespace \"default\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("kubectl auth can-i patch statefulsets.apps -n default"),
        "{stderr}"
    );

    // quota: the ResourceQuota message and what to do
    env.sim().set_faults(Faults {
        errors: vec![ErrorRule {
            verb: Some("patch".into()),
            resource: Some("services".into()),
            message: Some(
                "exceeded quota: objects, requested: services=1, used: services=5, limited: services=5"
                    .into(),
            ),
            ..rule(403, 1.0)
        }],
        ..Faults::default()
    });
    let (code, _, stderr) = env.run(&install).await;
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("exceeded quota: objects"), "{stderr}");
    assert!(
        stderr.contains("ResourceQuota in namespace \"default\" is full"),
        "{stderr}"
    );

    // credentials refused
    env.sim().set_faults(Faults {
        errors: vec![rule(401, 1.0)],
        ..Faults::default()
    });
    let (code, _, stderr) = env.run(&["status", "p1", "-n", "default"]).await;
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("refused the credentials"), "{stderr}");

    // none of it created anything
    env.sim().set_faults(Faults::default());
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    assert!(cms.get_opt("berth-p1").await.unwrap().is_none());
    env.cluster.shutdown().await;
}

#[tokio::test]
async fn image_pull_failures_and_slow_pods_are_named_with_the_fix() {
    let mut config = kubesim::Config::default();
    config.kubelet.failing_images = vec!["docker.io/library/redis:8.2.1-bookworm".into()];
    config.kubelet.ready_delay_ms = 60_000;
    let Some(env) = Env::new("pods", config).await else {
        return;
    };
    let (code, _, stderr) = env
        .run(&["install", "redis", "--name", "bad", "-n", "default"])
        .await;
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("pod bad-0: ErrImagePull")
            || stderr.contains("pod bad-0: ImagePullBackOff"),
        "{stderr}"
    );
    assert!(stderr.contains("the image cannot be pulled"), "{stderr}");

    // 7.4 pulls, but its pods take a minute to become ready: which pod, why, the last event
    let (code, _, stderr) = env
        .run(&[
            "install",
            "redis",
            "--name",
            "slow",
            "-n",
            "default",
            "--version",
            "7.4",
            "--timeout",
            "2s",
        ])
        .await;
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("was not ready after 2 s"), "{stderr}");
    assert!(stderr.contains("(pod slow-0: "), "{stderr}");
    assert!(stderr.contains("last event: "), "{stderr}");
    let history = env.ok(&["history", "slow"]).await;
    assert_eq!(history[0]["status"], "failed");
    env.cluster.shutdown().await;
}
