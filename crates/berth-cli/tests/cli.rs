//! `berth` as a user runs it: fixture kubeconfigs, a temporary home, JSON output and exit codes.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;

const KUBECONFIG: &str = r#"apiVersion: v1
kind: Config
current-context: kind-dev
clusters:
- name: kind-dev
  cluster: {server: "https://127.0.0.1:PORT"}
- name: arn:aws:eks:eu-west-1:123:cluster/prod
  cluster: {server: "https://ABC.gr7.eu-west-1.eks.amazonaws.com.invalid"}
- name: lab
  cluster: {server: "https://k8s.lab.invalid:6443"}
users:
- name: u
  user: {token: cli-secret-token}
contexts:
- name: kind-dev
  context: {cluster: kind-dev, user: u, namespace: dev}
- name: arn:aws:eks:eu-west-1:123:cluster/prod
  context: {cluster: "arn:aws:eks:eu-west-1:123:cluster/prod", user: u}
- name: lab
  context: {cluster: lab, user: u}
"#;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        std::fs::write(
            dir.path().join("config"),
            KUBECONFIG.replace("PORT", &port.to_string()),
        )
        .unwrap();
        Self { dir }
    }

    fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }

    fn berth(&self) -> Command {
        self.berth_with(&self.path("config"))
    }

    fn berth_with(&self, kubeconfig: &Path) -> Command {
        let mut cmd = Command::cargo_bin("berth").unwrap();
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path("user-home"))
            .env("KUBECONFIG", kubeconfig)
            .env("BERTH_HOME", self.path("berth-home"));
        cmd
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.berth().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "berth {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

#[test]
fn lists_contexts_as_stable_json() {
    let env = Env::new();
    let v = env.json(&["contexts", "--no-probe", "-o", "json"]);
    let contexts = v["contexts"].as_array().unwrap();
    let names: Vec<_> = contexts
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["kind-dev", "arn:aws:eks:eu-west-1:123:cluster/prod", "lab"]
    );
    let locations: Vec<_> = contexts
        .iter()
        .map(|c| c["location"].as_str().unwrap())
        .collect();
    assert_eq!(locations, ["laptop", "cloud", "private"]);
    assert_eq!(contexts[0]["current"], true);
    assert_eq!(contexts[0]["namespace"], "dev");
    assert_eq!(contexts[0]["probe"], Value::Null);
    let keys: Vec<_> = contexts[0].as_object().unwrap().keys().cloned().collect();
    for key in [
        "name",
        "cluster",
        "server",
        "user",
        "namespace",
        "sourceFile",
        "current",
        "location",
        "locationInferred",
        "favourite",
        "lastSeen",
        "serverVersion",
        "probe",
    ] {
        assert!(keys.contains(&key.to_owned()), "missing {key} in {keys:?}");
    }
    assert_eq!(v["problems"], Value::Array(vec![]));
    assert!(!v.to_string().contains("cli-secret-token"));
}

#[test]
fn probes_say_why_a_context_is_unreachable() {
    let env = Env::new();
    let v = env.json(&["contexts", "-o", "json"]);
    let kinds: Vec<_> = v["contexts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["probe"]["failure"]["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["refused", "dns", "dns"]);
    // the table says it in words, with the hint
    env.berth()
        .args(["contexts"])
        .assert()
        .success()
        .stdout(predicate::str::contains("connection refused"))
        .stdout(predicate::str::contains("is the cluster running?"));
}

#[test]
fn tags_and_favourites_persist_in_the_home() {
    let env = Env::new();
    env.berth()
        .args(["contexts", "tag", "lab", "--location", "cloud"])
        .assert()
        .success()
        .stdout(predicate::str::contains("lab: location cloud"));
    env.berth()
        .args(["contexts", "favourite", "lab"])
        .assert()
        .success();
    let v = env.json(&["contexts", "--no-probe", "-o", "json"]);
    let lab = &v["contexts"][2];
    assert_eq!(
        (
            lab["location"].as_str(),
            lab["locationInferred"].as_bool(),
            lab["favourite"].as_bool()
        ),
        (Some("cloud"), Some(false), Some(true))
    );
    // --home wins over BERTH_HOME: another home knows nothing of the tag
    let other = env.path("other-home");
    let out = env
        .berth()
        .args([
            "--home",
            other.to_str().unwrap(),
            "contexts",
            "--no-probe",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["contexts"][2]["location"], "private");
    assert!(other.join("berth.db").is_file());
    env.berth()
        .args(["contexts", "tag", "lab", "--location", "auto"])
        .assert()
        .success();
    assert_eq!(
        env.json(&["contexts", "--no-probe", "-o", "json"])["contexts"][2]["locationInferred"],
        true
    );
}

#[test]
fn exit_codes_follow_the_convention() {
    let env = Env::new();
    // 2: usage errors
    env.berth().args(["contexts", "--bogus"]).assert().code(2);
    env.berth()
        .args(["contexts", "tag", "lab", "--location", "moon"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("possible values"));
    env.berth().args(["frobnicate"]).assert().code(2);
    // 1: the operation failed, with the reason on stderr and as JSON on stdout
    let out = env
        .berth()
        .args([
            "contexts",
            "tag",
            "nope",
            "--location",
            "cloud",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "notFound");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no context named \"nope\""));
    // 0
    env.berth()
        .args(["version"])
        .assert()
        .success()
        .stdout(predicate::str::contains("berth 0."));
}

#[test]
fn standby_bad_input_exits_2_and_touches_nothing() {
    let env = Env::new();
    env.berth()
        .args(["standby", "create", "pg"])
        .assert()
        .code(2);
    env.berth()
        .args(["standby", "create", "pg", "--on", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope"));
    for args in [
        &["standby", "sync", "pg"][..],
        &["standby", "promote", "pg", "--force"],
        &["standby", "drop", "pg"],
    ] {
        env.berth()
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("no standby"));
    }
    assert_eq!(
        env.json(&["standby", "ls", "-o", "json"]),
        serde_json::json!([])
    );
    assert_eq!(
        env.json(&["transfers", "-o", "json"]),
        serde_json::json!([])
    );
}

#[test]
fn broken_kubeconfigs_are_named_and_never_panic() {
    let env = Env::new();
    let broken = env.path("broken");
    std::fs::write(&broken, "apiVersion: v1\nclusters: [\n  - {name: x\n").unwrap();
    // alone: nothing usable, exit 1, the file named
    env.berth_with(&broken)
        .args(["contexts", "--no-probe"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(broken.to_str().unwrap()))
        .stderr(predicate::str::contains("not valid YAML"));
    // beside a good file: a warning, and the good contexts still list
    let both = std::env::join_paths([broken.clone(), env.path("config")]).unwrap();
    let out = env
        .berth_with(Path::new(&both))
        .args(["contexts", "--no-probe", "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["contexts"].as_array().unwrap().len(), 3);
    assert_eq!(v["problems"][0]["file"], broken.to_str().unwrap());
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning: kubeconfig"));
}

#[test]
fn no_kubeconfig_tells_a_new_user_what_to_do() {
    let env = Env::new();
    env.berth_with(&env.path("missing"))
        .args(["contexts", "--no-probe"])
        .assert()
        .success()
        .stdout(predicate::str::contains("No contexts found"))
        .stdout(predicate::str::contains("kind create cluster"));
}

#[test]
fn a_newer_database_is_refused_with_a_clear_message() {
    let env = Env::new();
    env.berth()
        .args(["contexts", "--no-probe"])
        .assert()
        .success();
    let db = env.path("berth-home").join("berth.db");
    bump_user_version(&db);
    env.berth()
        .args(["contexts", "--no-probe"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("newer Berth"));
}

/// Makes the database look as if a newer Berth wrote it, through Python's own SQLite binding.
fn bump_user_version(db: &Path) {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA user_version=999'); c.commit()",
        ])
        .arg(db)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn version_reports_the_build_and_creates_nothing() {
    let env = Env::new();
    let v = env.json(&["version", "-o", "json"]);
    let build = &v["build"];
    assert_eq!(build["version"], v["version"]);
    assert_eq!(
        build["kubernetesVersions"],
        serde_json::json!(["1.33", "1.37"])
    );
    assert_eq!(build["catalogVersion"].as_str().unwrap().len(), 16);
    assert!(build["target"].as_str().unwrap().contains('-'));
    assert!(build["buildDate"].as_str().unwrap().ends_with('Z'));
    assert!(!build["gitCommit"].as_str().unwrap().is_empty());
    assert!(
        !env.path("berth-home").exists(),
        "berth version created the home"
    );
}

/// The values the shell gets for `berth WORDS...<Tab>` through the bash registration's protocol.
fn complete(env: &Env, words: &[&str]) -> Vec<String> {
    let out = env
        .berth()
        .env("COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", (words.len() - 1).to_string())
        .env("_CLAP_COMPLETE_COMP_TYPE", "9")
        .env("_CLAP_COMPLETE_SPACE", "true")
        .env("_CLAP_IFS", "\n")
        .arg("--")
        .args(words)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // flags are offered too when a value may start with anything; only values are compared
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|c| !c.starts_with('-'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn completion_offers_instances_contexts_and_services_from_local_files() {
    let env = Env::new();
    let script = env.berth().args(["completions", "bash"]).output().unwrap();
    assert!(String::from_utf8_lossy(&script.stdout).contains("complete -o nospace"));
    for shell in ["zsh", "fish"] {
        env.berth().args(["completions", shell]).assert().success();
    }

    assert_eq!(
        complete(&env, &["berth", "status", ""]),
        Vec::<String>::new()
    );
    assert!(
        !env.path("berth-home").exists(),
        "completion created the home"
    );
    let store = berth_store::Store::open_in(&env.path("berth-home")).unwrap();
    let parameters = serde_json::json!({});
    for name in ["pg", "cache"] {
        store
            .begin_revision(&berth_store::NewRevision {
                context: "kind-dev",
                namespace: "dev",
                instance: name,
                definition: "postgres",
                version: "17",
                operation: berth_store::Operation::Install,
                parameters: &parameters,
                manifest_digest: None,
            })
            .unwrap();
    }
    drop(store);
    assert_eq!(complete(&env, &["berth", "status", ""]), ["cache", "pg"]);
    assert_eq!(complete(&env, &["berth", "logs", "p"]), ["pg"]);
    assert_eq!(
        complete(&env, &["berth", "ls", "--context", ""]),
        ["kind-dev", "arn:aws:eks:eu-west-1:123:cluster/prod", "lab"]
    );
    assert!(complete(&env, &["berth", "install", "post"]).contains(&"postgres".to_owned()));
    assert_eq!(complete(&env, &["berth", "vers"]), ["version"]);
}

#[test]
fn man_pages_cover_every_command() {
    let env = Env::new();
    let dir = env.path("man");
    env.berth().args(["manpages"]).arg(&dir).assert().success();
    let page = std::fs::read_to_string(dir.join("berth.1")).unwrap();
    assert!(page.contains(".TH berth 1"), "{page}");
    for sub in [
        "berth-install.1",
        "berth-completions.1",
        "berth-catalog-list.1",
    ] {
        assert!(dir.join(sub).is_file(), "{sub} missing");
    }
    assert!(
        !dir.join("berth-manpages.1").exists(),
        "hidden commands get no page"
    );
}
