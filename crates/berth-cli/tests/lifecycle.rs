//! `berth install | ls | status | stop | start | uninstall | history` end to end against kubesim
//! (or the cluster named by `BERTH_TEST_KUBECONFIG`), asserting the cluster through the
//! Kubernetes API. Needs a keyring: run under `scripts/with-keyring.sh`.

use assert_cmd::Command;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, PersistentVolumeClaim, Secret};
use kube::api::{Api, ListParams};
use serde_json::Value;

struct Env {
    dir: tempfile::TempDir,
    cluster: kubesim::testing::TestCluster,
    keyring_ns: String,
}

impl Env {
    async fn new(test: &str) -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            cluster: kubesim::testing::cluster().await.unwrap(),
            keyring_ns: format!("dev.berth.test.{test}.{}", std::process::id()),
        }
    }

    fn berth(&self) -> Command {
        let mut cmd = Command::cargo_bin("berth").unwrap();
        cmd.env("KUBECONFIG", self.cluster.kubeconfig())
            .env("BERTH_HOME", self.dir.path().join("home"))
            .env("BERTH_KEYRING_NAMESPACE", &self.keyring_ns)
            .env_remove("BERTH_TEST_KUBECONFIG");
        if let Some(c) = self.cluster.context() {
            cmd.args(["--context", c]);
        }
        cmd
    }

    /// Runs berth with `-o json`; returns (exit code, stdout JSON or Null, stderr).
    async fn run(&self, args: &[&str]) -> (i32, Value, String) {
        let mut cmd = self.berth();
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

    fn keyring(&self) -> berth_secrets::Keyring {
        berth_secrets::Keyring::with_namespace(self.keyring_ns.clone())
    }
}

/// No Berth record in the cluster (the ConfigMaps labelled managed-by=berth) and no revision in
/// the local history: a refused operation created nothing.
async fn assert_nothing_recorded(env: &Env, client: &kube::Client) {
    let cms: Api<ConfigMap> = Api::all(client.clone());
    let records = cms
        .list(&ListParams::default().labels("app.kubernetes.io/managed-by=berth"))
        .await
        .unwrap();
    assert!(records.items.is_empty(), "something was created");
    let history = env.ok(&["history"]).await;
    assert_eq!(history.as_array().unwrap().len(), 0);
}

fn labels_of(meta: &kube::api::ObjectMeta) -> std::collections::BTreeMap<String, String> {
    meta.labels.clone().unwrap_or_default()
}

/// The postgres admin passwords the instance's Secrets hold.
async fn admin_passwords(secrets: &Api<Secret>, instance: &str) -> Vec<String> {
    secrets
        .list(&ListParams::default().labels(&format!("app.kubernetes.io/instance={instance}")))
        .await
        .unwrap()
        .items
        .iter()
        .flat_map(|s| s.data.clone().unwrap_or_default().into_iter())
        .filter(|(k, _)| k.contains("admin-password") || k == "POSTGRES_PASSWORD")
        .map(|(_, v)| String::from_utf8(v.0).unwrap())
        .collect()
}

#[tokio::test]
async fn install_stop_start_uninstall_postgres() {
    let env = Env::new("lifecycle").await;
    let ns = "lc-e2e";
    let client = env.client().await;

    // dry run: the API server checks everything, nothing is created
    let dry = env
        .ok(&[
            "install",
            "postgres",
            "--name",
            "pg",
            "-n",
            ns,
            "--create-namespace",
            "--dry-run",
        ])
        .await;
    assert_eq!(dry["dryRun"], true);
    assert!(dry["objects"].as_array().unwrap().len() > 3, "{dry}");
    assert!(!dry.to_string().contains("generated-at-install"));
    let namespaces: Api<Namespace> = Api::all(client.clone());
    assert!(
        namespaces.get_opt(ns).await.unwrap().is_none(),
        "dry run created the namespace"
    );

    // install and wait
    let installed = env
        .ok(&[
            "install",
            "postgres",
            "--name",
            "pg",
            "-n",
            ns,
            "--create-namespace",
            "--timeout",
            "2m",
        ])
        .await;
    assert_eq!(installed["ready"], true, "{installed}");
    assert_eq!(installed["revision"], 1);
    let context = installed["context"].as_str().unwrap().to_owned();

    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), ns);
    let sts = sets.get("pg").await.unwrap();
    let labels = labels_of(&sts.metadata);
    assert_eq!(labels["app.kubernetes.io/managed-by"], "berth");
    assert_eq!(labels["app.kubernetes.io/instance"], "pg");
    assert_eq!(labels["app.kubernetes.io/name"], "postgres");
    let managers = sts.metadata.managed_fields.clone().unwrap_or_default();
    assert!(
        managers
            .iter()
            .any(|m| m.manager.as_deref() == Some("berth")
                && m.operation.as_deref() == Some("Apply")),
        "{managers:?}"
    );
    assert_eq!(sts.status.as_ref().and_then(|s| s.ready_replicas), Some(1));

    // the record ConfigMap lets another machine find it
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), ns);
    let record = cms.get("berth-pg").await.unwrap();
    assert_eq!(labels_of(&record.metadata)["berth.dev/record"], "true");
    let data = record.data.clone().unwrap();
    assert_eq!(data["definition"], "postgres");
    assert_eq!(data["revision"], "1");
    assert!(!data["parameters"].contains("password"), "{data:?}");

    // the Secret holds the password the keyring holds
    let secrets: Api<Secret> = Api::namespaced(client.clone(), ns);
    let in_cluster = admin_passwords(&secrets, "pg").await;
    let kept = env
        .keyring()
        .get(&format!("{context}/{ns}/pg/admin-password"))
        .unwrap();
    assert!(kept.expose().len() >= 16);
    assert!(
        in_cluster.iter().any(|v| v == kept.expose()),
        "the Secret's password differs from the keyring's"
    );

    // ls and status
    let list = env.ok(&["ls", "-n", ns]).await;
    let found = &list["instances"][0];
    assert_eq!(found["name"], "pg");
    assert_eq!(found["health"], "ready");
    assert_eq!(found["endpoint"], format!("pg.{ns}.svc:5432"));
    let all = env.ok(&["ls", "--all-contexts"]).await;
    assert!(
        all["instances"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["name"] == "pg")
    );
    let status = env.ok(&["status", "pg", "-n", ns]).await;
    assert_eq!(status["podsReady"], 1);
    assert_eq!(status["version"], "17");

    // credentials: listed masked; revealed only when asked, equal to the keyring's
    let listed = env.ok(&["credentials", "show", "pg", "-n", ns]).await;
    let admin = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "admin-password")
        .cloned()
        .unwrap_or_else(|| panic!("{listed}"));
    assert_eq!(admin["stored"], true, "{listed}");
    assert!(
        admin["value"].is_null(),
        "a value without --reveal: {listed}"
    );
    assert!(!admin["description"].as_str().unwrap().is_empty());
    let revealed = env
        .ok(&["credentials", "show", "pg", "-n", ns, "--reveal"])
        .await;
    assert!(
        revealed
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["key"] == "admin-password" && c["value"] == kept.expose().as_str()),
        "revealed value differs from the keyring's"
    );

    // a second install under the same name is refused, nothing changes
    let (code, json, stderr) = env
        .run(&["install", "postgres", "--name", "pg", "-n", ns])
        .await;
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(json["error"]["code"], "conflict");
    assert!(stderr.contains("already exists"), "{stderr}");
    // its credentials were written early only where none existed: the instance's stayed
    let handle = format!("{context}/{ns}/pg/admin-password");
    assert_eq!(
        env.keyring().get(&handle).unwrap().expose(),
        kept.expose(),
        "a refused install replaced the live instance's credential"
    );
    // refused on a machine whose keyring does not know the instance: what the early write
    // stored there is removed again
    let other_home = tempfile::tempdir().unwrap();
    let other_keyring = berth_secrets::Keyring::with_namespace(format!("{}.other", env.keyring_ns));
    let mut cmd = env.berth();
    cmd.env("BERTH_HOME", other_home.path())
        .env("BERTH_KEYRING_NAMESPACE", other_keyring.namespace())
        .args([
            "install", "postgres", "--name", "pg", "-n", ns, "-o", "json",
        ]);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("already exists"), "{stderr}");
    assert!(
        matches!(
            other_keyring.get(&handle),
            Err(berth_secrets::SecretsError::NotFound { .. })
        ),
        "a refused install left its credential in the keyring"
    );

    // stop: replicas 0, recorded; idempotent
    let stopped = env.ok(&["stop", "pg", "-n", ns]).await;
    assert_eq!(stopped["changed"], true);
    assert_eq!(stopped["workloads"][0]["replicas"], 1);
    let sts = sets.get("pg").await.unwrap();
    assert_eq!(sts.spec.replicas, Some(0));
    let record = cms.get("berth-pg").await.unwrap();
    assert!(
        record
            .metadata
            .annotations
            .unwrap()
            .contains_key("berth.dev/stopped")
    );
    let again = env.ok(&["stop", "pg", "-n", ns]).await;
    assert_eq!(again["changed"], false);
    assert_eq!(
        env.ok(&["status", "pg", "-n", ns]).await["health"],
        "stopped"
    );
    let pvcs: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), ns);
    let claims = pvcs
        .list(&ListParams::default().labels("app.kubernetes.io/instance=pg"))
        .await
        .unwrap();
    assert_eq!(claims.items.len(), 1, "the volume stays while stopped");

    // start: exactly what ran before, ready again
    let started = env.ok(&["start", "pg", "-n", ns]).await;
    assert_eq!(started["changed"], true);
    let sts = sets.get("pg").await.unwrap();
    assert_eq!(sts.spec.replicas, Some(1));
    assert_eq!(env.ok(&["status", "pg", "-n", ns]).await["health"], "ready");
    assert_eq!(env.ok(&["start", "pg", "-n", ns]).await["changed"], false);
    // the table output counts replicas in words a person reads
    for (verb, said) in [
        ("stop", "StatefulSet pg: scaled to 0 (was 1 replica)"),
        ("start", "StatefulSet pg: scaled to 1 replica"),
    ] {
        let mut cmd = env.berth();
        cmd.args([verb, "pg", "-n", ns]);
        let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains(said), "{stdout}");
    }

    // on a terminal (util-linux `script` gives berth a pty) a change shows its diff first and
    // asks; "n" changes nothing
    {
        let mut shell = format!("'{}'", assert_cmd::cargo::cargo_bin("berth").display());
        if let Some(c) = env.cluster.context() {
            shell.push_str(&format!(" --context '{c}'"));
        }
        shell.push_str(&format!(" config pg -n {ns} --set replicas=2"));
        let mut cmd = std::process::Command::new("script");
        cmd.args(["-qec", &shell, "/dev/null"])
            .env("KUBECONFIG", env.cluster.kubeconfig())
            .env("BERTH_HOME", env.dir.path().join("home"))
            .env("BERTH_KEYRING_NAMESPACE", &env.keyring_ns)
            .env_remove("BERTH_TEST_KUBECONFIG")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped());
        let out = tokio::task::spawn_blocking(move || {
            let mut child = cmd.spawn().unwrap();
            use std::io::Write;
            child.stdin.take().unwrap().write_all(b"n\n").unwrap();
            child.wait_with_output().unwrap()
        })
        .await
        .unwrap();
        let seen = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(2), "{seen}");
        assert!(
            seen.contains("~ StatefulSet pg"),
            "the diff before the question: {seen}"
        );
        assert!(seen.contains("apply these changes to pg? [y/N]"), "{seen}");
        assert!(
            seen.contains("not confirmed; nothing was changed"),
            "{seen}"
        );
        assert_eq!(sets.get("pg").await.unwrap().spec.replicas, Some(1));
    }

    // Berth's own scaling does not block a later change of replicas (no --force-conflicts)
    let scaled = env
        .ok(&["config", "pg", "-n", ns, "--set", "replicas=2"])
        .await;
    assert_eq!(scaled["operation"], "reconfigure");
    assert_eq!(sets.get("pg").await.unwrap().spec.replicas, Some(2));

    // uninstall keeps the volume and the credential
    let removed = env.ok(&["uninstall", "pg", "-n", ns]).await;
    assert_eq!(
        removed["keptVolumes"].as_array().unwrap().len(),
        2,
        "{removed}"
    );
    assert!(sets.get_opt("pg").await.unwrap().is_none());
    assert!(cms.get_opt("berth-pg").await.unwrap().is_none());
    assert_eq!(
        pvcs.list(&ListParams::default().labels("app.kubernetes.io/instance=pg"))
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    assert!(
        env.keyring()
            .get(&format!("{context}/{ns}/pg/admin-password"))
            .is_ok()
    );
    let (code, json, _) = env.run(&["status", "pg", "-n", ns]).await;
    assert_eq!(
        (code, json["error"]["code"].as_str()),
        (1, Some("notFound"))
    );

    // history: every operation, its user and outcome
    let history = env.ok(&["history", "pg"]).await;
    let ops: Vec<(&str, &str)> = history
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
        ops,
        [
            ("uninstall", "succeeded"),
            ("reconfigure", "superseded"),
            ("start", "superseded"),
            ("stop", "superseded"),
            ("start", "superseded"),
            ("stop", "superseded"),
            ("install", "superseded"),
        ]
    );
    assert!(!history[0]["osUser"].as_str().unwrap().is_empty());

    // the table writes times in the machine's zone (here TZ), in 24-hour form
    let first_time = |tz: &'static str| {
        let out = env
            .berth()
            .args(["history", "pg", "-n", ns])
            .env("TZ", tz)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let words: Vec<&str> = text.split_whitespace().collect();
        let at = words
            .windows(2)
            .find(|w| w[0].len() == 10 && w[0].as_bytes()[4] == b'-' && w[1].len() == 8)
            .map(|w| format!("{} {}", w[0], w[1]))
            .unwrap_or_else(|| panic!("no time in {text}"));
        let n: Vec<u8> = at
            .split(['-', ' ', ':'])
            .skip(1)
            .map(|p| p.parse().unwrap())
            .collect();
        let date = time::Date::from_calendar_date(
            at[..4].parse().unwrap(),
            time::Month::try_from(n[0]).unwrap(),
            n[1],
        )
        .unwrap();
        time::PrimitiveDateTime::new(date, time::Time::from_hms(n[2], n[3], n[4]).unwrap())
    };
    let (utc, east) = (first_time("UTC0"), first_time("<+14>-14"));
    assert_eq!(east - utc, time::Duration::hours(14), "{utc} / {east}");

    // installing again onto the kept volumes uses the kept credential (the data was made with
    // it), not a new one
    env.ok(&["install", "postgres", "--name", "pg", "-n", ns, "--no-wait"])
        .await;
    let again = env
        .keyring()
        .get(&format!("{context}/{ns}/pg/admin-password"))
        .unwrap();
    assert_eq!(
        again.expose(),
        kept.expose(),
        "the reinstall replaced the kept credential"
    );
    let in_cluster = admin_passwords(&secrets, "pg").await;
    assert!(
        !in_cluster.is_empty() && in_cluster.iter().all(|v| v == kept.expose()),
        "the new Secret does not hold the kept password"
    );
    env.ok(&["uninstall", "pg", "-n", ns]).await;

    // --delete-data needs confirmation; with --yes it removes the credential too
    env.ok(&[
        "install",
        "postgres",
        "--name",
        "pg2",
        "-n",
        ns,
        "--no-wait",
    ])
    .await;
    let (code, _, stderr) = env
        .run(&["uninstall", "pg2", "-n", ns, "--delete-data"])
        .await;
    assert_eq!(code, 2, "{stderr}");
    let gone = env
        .ok(&["uninstall", "pg2", "-n", ns, "--delete-data", "--yes"])
        .await;
    assert!(gone["keptVolumes"].as_array().unwrap().is_empty());
    assert!(
        env.keyring()
            .get(&format!("{context}/{ns}/pg2/admin-password"))
            .is_err()
    );
    env.keyring()
        .delete(&format!("{context}/{ns}/pg/admin-password"))
        .unwrap();
    env.cluster.shutdown().await;
}

fn redis_image(sts: &StatefulSet) -> String {
    sts.spec.template.spec.as_ref().unwrap().containers[0]
        .image
        .clone()
        .unwrap()
}

#[tokio::test]
async fn config_upgrade_rollback_and_restart_redis() {
    let env = Env::new("upgrade").await;
    let ns = "lc-upgrade";
    let client = env.client().await;
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), ns);
    let installed = env
        .ok(&[
            "install",
            "redis",
            "--name",
            "cache",
            "-n",
            ns,
            "--create-namespace",
            "--version",
            "7.4",
        ])
        .await;
    let context = installed["context"].as_str().unwrap().to_owned();
    let before = sets.get("cache").await.unwrap();
    assert!(
        redis_image(&before).contains(":7.4."),
        "{}",
        redis_image(&before)
    );

    // --diff shows the change and changes nothing
    let diff = env
        .ok(&[
            "config",
            "cache",
            "-n",
            ns,
            "--set",
            "resources.memory=768Mi",
            "--diff",
        ])
        .await;
    assert!(diff["revision"].is_null());
    let text = diff["changes"].to_string();
    assert!(
        text.contains("StatefulSet cache") && text.contains("768Mi"),
        "{diff}"
    );
    assert_eq!(
        sets.get("cache").await.unwrap().metadata.generation,
        before.metadata.generation
    );

    // config applies it and records a revision
    let configured = env
        .ok(&[
            "config",
            "cache",
            "-n",
            ns,
            "--set",
            "resources.memory=768Mi",
        ])
        .await;
    assert_eq!(configured["operation"], "reconfigure");
    assert_eq!(configured["revision"], 2);
    let sts = sets.get("cache").await.unwrap();
    let memory = sts.spec.template.spec.as_ref().unwrap().containers[0]
        .resources
        .as_ref()
        .unwrap()
        .limits
        .as_ref()
        .unwrap()["memory"]
        .0
        .clone();
    assert_eq!(memory, "768Mi");

    // in-place upgrade
    let upgraded = env
        .ok(&["upgrade", "cache", "-n", ns, "--version", "8.2"])
        .await;
    assert_eq!(
        (
            upgraded["operation"].as_str(),
            upgraded["fromVersion"].as_str()
        ),
        (Some("upgrade"), Some("7.4"))
    );
    assert!(redis_image(&sets.get("cache").await.unwrap()).contains(":8.2."));
    assert_eq!(
        env.ok(&["status", "cache", "-n", ns]).await["version"],
        "8.2"
    );

    // the password survives every change
    let password = env
        .keyring()
        .get(&format!("{context}/{ns}/cache/password"))
        .unwrap();
    let secrets: Api<Secret> = Api::namespaced(client.clone(), ns);
    let secret = secrets
        .list(&ListParams::default().labels("app.kubernetes.io/instance=cache"))
        .await
        .unwrap();
    assert!(
        secret
            .items
            .iter()
            .flat_map(|s| s.data.clone().unwrap_or_default().into_values())
            .any(|v| v.0 == password.expose().as_bytes()),
        "the Secret lost the keyring's password"
    );

    // rollback: back to revision 2's version and parameters, as a new revision
    let back = env.ok(&["rollback", "cache", "-n", ns]).await;
    assert_eq!(
        (back["operation"].as_str(), back["version"].as_str()),
        (Some("rollback"), Some("7.4"))
    );
    assert_eq!(back["revision"], 4);
    assert!(redis_image(&sets.get("cache").await.unwrap()).contains(":7.4."));

    // restart rolls the pods through a template annotation and waits
    let restarted = env.ok(&["restart", "cache", "-n", ns]).await;
    assert_eq!(restarted["revision"], 5);
    let sts = sets.get("cache").await.unwrap();
    let annotations = sts.spec.template.metadata.unwrap().annotations.unwrap();
    assert!(annotations.contains_key("berth.dev/restartedAt"));
    assert_eq!(
        env.ok(&["status", "cache", "-n", ns]).await["health"],
        "ready"
    );

    let ops: Vec<String> = env
        .ok(&["history", "cache"])
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}:{}",
                r["operation"].as_str().unwrap(),
                r["status"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        ops,
        [
            "restart:succeeded",
            "rollback:superseded",
            "upgrade:superseded",
            "reconfigure:superseded",
            "install:superseded"
        ]
    );

    // refused changes: nothing to change, a stopped instance, an upgrade that needs a copy
    let (code, _, stderr) = env.run(&["config", "cache", "-n", ns]).await;
    assert_eq!(code, 2, "{stderr}");
    env.ok(&["stop", "cache", "-n", ns]).await;
    let (code, _, stderr) = env
        .run(&["config", "cache", "-n", ns, "--set", "resources.memory=1Gi"])
        .await;
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("berth start"), "{stderr}");
    env.ok(&[
        "install",
        "postgres",
        "--name",
        "pg16",
        "-n",
        ns,
        "--version",
        "16",
        "--no-wait",
    ])
    .await;
    let (code, json, stderr) = env
        .run(&["upgrade", "pg16", "-n", ns, "--version", "17"])
        .await;
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(json["error"]["code"], "unsupported");
    assert!(stderr.contains("copy the data"), "{stderr}");
    let pg = sets.get("pg16").await.unwrap();
    assert!(redis_image(&pg).contains(":16."));

    for (instance, keys) in [
        ("cache", &["password"][..]),
        ("pg16", &["admin-password", "replication-password"][..]),
    ] {
        for key in keys {
            let _ = env
                .keyring()
                .delete(&format!("{context}/{ns}/{instance}/{key}"));
        }
    }
    env.cluster.shutdown().await;
}

#[tokio::test]
async fn bad_input_is_refused_and_creates_nothing() {
    let env = Env::new("badinput").await;
    let client = env.client().await;
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["install", "nosuchservice", "-n", "default"],
            2,
            "nosuchservice",
        ),
        (
            &[
                "install",
                "postgres",
                "-n",
                "default",
                "--set",
                "replicas=-4",
            ],
            2,
            "replicas",
        ),
        (
            &["install", "postgres", "-n", "default", "--version", "3"],
            2,
            "3",
        ),
        (
            &["install", "postgres", "--name", "Bad_Name", "-n", "default"],
            2,
            "Bad_Name",
        ),
        (
            &["install", "postgres", "-n", "missing-ns"],
            2,
            "--create-namespace",
        ),
        (&["stop", "nothere", "-n", "default"], 1, "nothere"),
    ];
    for (args, want, mention) in cases {
        let (code, json, stderr) = env.run(args).await;
        assert_eq!(code, *want, "berth {args:?}: {stderr}");
        assert!(stderr.contains(mention), "berth {args:?}: {stderr}");
        assert!(json["error"]["code"].is_string(), "{json}");
    }
    // an unknown context
    let mut cmd = Command::cargo_bin("berth").unwrap();
    cmd.env("KUBECONFIG", env.cluster.kubeconfig())
        .env("BERTH_HOME", env.dir.path().join("home"))
        .args(["install", "postgres", "--context", "nowhere"]);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nowhere"));

    let namespaces: Api<Namespace> = Api::all(client.clone());
    assert!(namespaces.get_opt("missing-ns").await.unwrap().is_none());
    assert_nothing_recorded(&env, &client).await;
    env.cluster.shutdown().await;
}

/// A definition (here a user's catalog folder) whose template renders an object the strict
/// Kubernetes schemas refuse: the install names the object and the field, creates nothing in the
/// cluster, writes no history and leaves no credential in the keyring. The strict checks run
/// while the API server dry-runs the objects; their verdict must still come first and undo the
/// credentials written early.
#[tokio::test]
async fn an_object_the_kubernetes_schemas_refuse_is_reported_and_creates_nothing() {
    let env = Env::new("badobject").await;
    let client = env.client().await;
    let folder = env.dir.path().join("catalog");
    std::fs::create_dir_all(&folder).unwrap();
    let built_in = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog/postgres");
    let copied = std::process::Command::new("cp")
        .arg("-r")
        .arg(&built_in)
        .arg(&folder)
        .status()
        .unwrap();
    assert!(copied.success());
    std::fs::write(
        folder.join("postgres/templates/extra.yaml.j2"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ instance ~ \"-extra\" }}\ndatax:\n  k: v\n",
    )
    .unwrap();

    let mut cmd = env.berth();
    cmd.env("BERTH_CATALOG_PATH", &folder).args([
        "install",
        "postgres",
        "-n",
        "default",
        "--no-wait",
        "-o",
        "json",
    ]);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("ConfigMap/postgres-extra"), "{stderr}");
    assert!(stderr.contains("datax"), "{stderr}");

    assert_nothing_recorded(&env, &client).await;
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), "default");
    assert!(sets.get_opt("postgres").await.unwrap().is_none());
    let context = match env.cluster.context() {
        Some(c) => c.to_owned(),
        None => kube::config::Kubeconfig::read_from(env.cluster.kubeconfig())
            .unwrap()
            .current_context
            .unwrap(),
    };
    assert!(
        env.keyring()
            .get(&format!("{context}/default/postgres/admin-password"))
            .is_err(),
        "the credential written early was left behind"
    );
    env.cluster.shutdown().await;
}

#[tokio::test]
async fn an_install_killed_midway_is_reported_as_interrupted() {
    // pods take a minute to become ready: the install is still waiting when it is killed
    let mut config = kubesim::Config::default();
    config.kubelet.ready_delay_ms = 60_000;
    let cluster = kubesim::testing::cluster_with(config).await.unwrap();
    if cluster.is_real() {
        cluster.shutdown().await;
        return;
    }
    let env = Env {
        dir: tempfile::tempdir().unwrap(),
        cluster,
        keyring_ns: format!("dev.berth.test.kill.{}", std::process::id()),
    };
    let ns = "lc-kill";
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("berth"));
    cmd.env("KUBECONFIG", env.cluster.kubeconfig())
        .env("BERTH_HOME", env.dir.path().join("home"))
        .env("BERTH_KEYRING_NAMESPACE", &env.keyring_ns)
        .args(["--context", env.cluster.context().unwrap()])
        .args([
            "install",
            "postgres",
            "--name",
            "pgk",
            "-n",
            ns,
            "--create-namespace",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap();

    // wait until everything is applied (the record is the last object), then kill -9
    let cms: Api<ConfigMap> = Api::namespaced(env.client().await, ns);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while cms.get_opt("berth-pgk").await.ok().flatten().is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "the install never applied its record"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();

    // the next command reports it, once, and history says it failed
    let (code, _, stderr) = env.run(&["ls", "-n", ns]).await;
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("install of pgk") && stderr.contains("interrupted"),
        "{stderr}"
    );
    let (_, _, stderr) = env.run(&["ls", "-n", ns]).await;
    assert!(!stderr.contains("interrupted"), "{stderr}");
    let history = env.ok(&["history", "pgk"]).await;
    assert_eq!(history[0]["operation"], "install");
    assert_eq!(history[0]["status"], "failed");
    assert!(
        history[0]["error"]
            .as_str()
            .unwrap()
            .contains("interrupted")
    );

    // the half-installed instance is visible and can be removed
    let list = env.ok(&["ls", "-n", ns]).await;
    assert_eq!(list["instances"][0]["health"], "progressing");
    env.ok(&["uninstall", "pgk", "-n", ns, "--delete-data", "--yes"])
        .await;
    assert!(cms.get_opt("berth-pgk").await.unwrap().is_none());
    env.cluster.shutdown().await;
}

#[tokio::test]
async fn stop_suspends_autoscaling_and_start_restores_it_and_conflicts_name_the_fix() {
    use k8s_openapi::api::apps::v1::Deployment;
    use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
    use kube::api::{Patch, PatchParams};

    let env = Env::new("hpa").await;
    let ns = "lc-hpa";
    let client = env.client().await;
    env.ok(&[
        "install",
        "memcached",
        "--name",
        "mc",
        "-n",
        ns,
        "--create-namespace",
        "--set",
        "autoscaling.enabled=true",
        "--set",
        "autoscaling.min=2",
    ])
    .await;
    let hpas: Api<HorizontalPodAutoscaler> = Api::namespaced(client.clone(), ns);
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), ns);
    let selector = ListParams::default().labels("app.kubernetes.io/instance=mc");
    assert_eq!(hpas.list(&selector).await.unwrap().items.len(), 1);
    let before = deployments.get("mc").await.unwrap().spec.replicas;

    let stopped = env.ok(&["stop", "mc", "-n", ns]).await;
    assert_eq!(stopped["workloads"][0]["kind"], "Deployment");
    assert!(
        hpas.list(&selector).await.unwrap().items.is_empty(),
        "the autoscaler would scale it back up"
    );
    assert_eq!(deployments.get("mc").await.unwrap().spec.replicas, Some(0));

    env.ok(&["start", "mc", "-n", ns]).await;
    let restored = hpas.list(&selector).await.unwrap().items;
    assert_eq!(restored.len(), 1);
    assert_eq!(restored[0].spec.min_replicas, Some(2));
    assert_eq!(deployments.get("mc").await.unwrap().spec.replicas, before);
    assert_eq!(
        Some(stopped["workloads"][0]["replicas"].as_i64().unwrap() as i32),
        before
    );

    // another tool takes a field Berth manages: Berth does not overwrite it silently
    let image = serde_json::json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "mc", "namespace": ns},
        "spec": {"template": {"spec": {"containers": [{"name": "memcached", "image": "docker.io/library/memcached:other"}]}}}
    });
    deployments
        .patch(
            "mc",
            &PatchParams::apply("other-tool").force(),
            &Patch::Apply(&image),
        )
        .await
        .unwrap();
    let (code, json, stderr) = env
        .run(&[
            "config",
            "mc",
            "-n",
            ns,
            "--set",
            "autoscaling.max=6",
            "--no-wait",
        ])
        .await;
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(json["error"]["code"], "conflict");
    assert!(
        stderr.contains("--force-conflicts") && stderr.contains("other-tool"),
        "{stderr}"
    );
    let taken = env
        .ok(&[
            "config",
            "mc",
            "-n",
            ns,
            "--set",
            "autoscaling.max=6",
            "--force-conflicts",
            "--no-wait",
        ])
        .await;
    assert_eq!(taken["operation"], "reconfigure");
    let image_now = deployments
        .get("mc")
        .await
        .unwrap()
        .spec
        .template
        .spec
        .unwrap()
        .containers[0]
        .image
        .clone()
        .unwrap();
    assert!(!image_now.ends_with(":other"), "{image_now}");
    env.cluster.shutdown().await;
}
