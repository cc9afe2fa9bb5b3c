//! `berth shell` against kubesim whose postgres pod is bound to a real PostgreSQL server (or
//! the cluster named by `BERTH_TEST_KUBECONFIG`, whose pod runs the real image): the engine's
//! client fed from a pipe, a command's exit code passed through, and the refusals (no client
//! declared, a stopped instance). Needs a keyring: run under `scripts/with-keyring.sh`.

use std::io::Write;
use std::process::Stdio;

/// Runs berth with `stdin` piped in; returns (exit code, stdout, stderr).
fn berth(
    cluster: &kubesim::testing::TestCluster,
    home: &std::path::Path,
    args: &[&str],
    stdin: &[u8],
) -> (i32, String, String) {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("berth"));
    cmd.env("KUBECONFIG", cluster.kubeconfig())
        .env("BERTH_HOME", home)
        .env(
            "BERTH_KEYRING_NAMESPACE",
            format!("dev.berth.test.shell.{}", std::process::id()),
        )
        .env_remove("BERTH_TEST_KUBECONFIG");
    if let Some(c) = cluster.context() {
        cmd.args(["--context", c]);
    }
    let mut child = cmd
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shell_runs_the_client_and_passes_exit_codes_through() {
    let ns = "shell";
    let db = realdb::Postgres::start().unwrap();
    // what the image's first start does with POSTGRES_DB
    db.sql("postgres", "CREATE DATABASE app").unwrap();
    let mut config = kubesim::Config::default();
    config
        .backends
        .push(db.backend(ns, "app.kubernetes.io/instance=pg"));
    let cluster = kubesim::testing::cluster_with(config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let run = |args: &[&str], stdin: &[u8]| {
        let (cluster, home) = (&cluster, home.as_path());
        tokio::task::block_in_place(|| berth(cluster, home, args, stdin))
    };
    for (service, name) in [("postgres", "pg"), ("memcached", "mc")] {
        let (code, _, err) = run(
            &[
                "install",
                service,
                "--name",
                name,
                "-n",
                ns,
                "--create-namespace",
                "--timeout",
                "2m",
            ],
            b"",
        );
        assert_eq!(code, 0, "{err}");
    }

    // the engine's client, logged in, reading SQL from a pipe
    let (code, out, err) = run(
        &["shell", "pg", "-n", ns, "--client"],
        b"select 40 + 2 as answer;\n",
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("answer") && out.contains("42"), "{out}{err}");

    // a command: its output, and its exit code as berth's
    let (code, out, _) = run(
        &[
            "shell",
            "pg",
            "-n",
            ns,
            "--",
            "sh",
            "-c",
            "echo from-the-pod; exit 3",
        ],
        b"",
    );
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("from-the-pod"), "{out}");

    // rotating the superuser's password: the engine takes the new one and refuses the old, and
    // the keyring holds the new one; the command's output never shows it
    let env = db.env();
    let old = env["POSTGRES_PASSWORD"].clone();
    let (code, rotated, err) = run(
        &[
            "credentials",
            "rotate",
            "pg",
            "-n",
            ns,
            "--yes",
            "-o",
            "json",
        ],
        b"",
    );
    assert_eq!(code, 0, "{err}");
    let (code, shown, err) = run(
        &[
            "credentials",
            "show",
            "pg",
            "-n",
            ns,
            "--reveal",
            "-o",
            "json",
        ],
        b"",
    );
    assert_eq!(code, 0, "{err}");
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
    let new = shown
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "admin-password")
        .and_then(|c| c["value"].as_str())
        .unwrap()
        .to_owned();
    assert_ne!(new, old);
    assert!(
        !rotated.contains(&new) && !err.contains(&new),
        "{rotated}{err}"
    );
    // the server itself is asked (on kubesim the pod's exec environment is the harness's)
    let login = |password: &str| {
        std::process::Command::new("psql")
            .envs(&env)
            .env("PGPASSWORD", password)
            .args([
                "-h",
                "127.0.0.1",
                "-U",
                &env["POSTGRES_USER"],
                "-d",
                "postgres",
            ])
            .args(["-qAtc", "select 1"])
            .output()
            .unwrap()
            .status
            .success()
    };
    if cluster.is_real() {
        // the restarted pod logs in with the Secret's new value
        let (code, out, err) = run(&["shell", "pg", "-n", ns, "--client"], b"select 1;\n");
        assert_eq!(code, 0, "{out}{err}");
    } else {
        assert!(login(&new), "the new password is refused");
        assert!(!login(&old), "the old password still works");
    }
    // bad input: exit 2, nothing changed
    for args in [
        &[
            "credentials",
            "rotate",
            "pg",
            "-n",
            ns,
            "no-such-key",
            "--yes",
        ][..],
        &[
            "credentials",
            "rotate",
            "pg",
            "-n",
            ns,
            "user-password",
            "--user",
            "nobody",
            "--yes",
        ],
        &["credentials", "rotate", "mc", "-n", ns, "--yes"],
    ] {
        let (code, _, err) = run(args, b"");
        assert_eq!(code, 2, "{args:?}: {err}");
    }
    if !cluster.is_real() {
        assert!(login(&new), "a refused rotation changed the password");
    }

    // refusals: a definition without a client (exit 2), an unknown instance, a stopped one
    let (code, _, err) = run(&["shell", "mc", "-n", ns, "--client"], b"");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("declares no client"), "{err}");
    let (code, _, err) = run(&["shell", "nothere", "-n", ns], b"");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("nothere"), "{err}");
    let (code, _, err) = run(&["stop", "pg", "-n", ns], b"");
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(&["shell", "pg", "-n", ns, "--client"], b"");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("berth start pg"), "{err}");
}

/// The Secret value `key` of Secret `name`, once it exists (within a minute).
async fn secret_value(
    cluster: &kubesim::testing::TestCluster,
    ns: &str,
    name: &str,
    key: &str,
) -> String {
    let secrets: kube::Api<k8s_openapi::api::core::v1::Secret> =
        kube::Api::namespaced(cluster.client().await.unwrap(), ns);
    for _ in 0..600 {
        if let Some(secret) = secrets.get_opt(name).await.unwrap()
            && let Some(value) = secret.data.as_ref().and_then(|d| d.get(key))
        {
            return String::from_utf8(value.0.clone()).unwrap();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no Secret {ns}/{name} with {key}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_password_reaches_the_restarted_pods() {
    // Valkey on a real redis-server whose pods log in as their containers do, with the password
    // their container takes from the instance's Secret: the readiness probes (`valkey-cli ping`)
    // and `berth shell --client` pass only while the Secret and the server agree.
    let ns = "rotate";
    let mut db = realdb::Redis::start_with("Pre0install").unwrap();
    let mut config = kubesim::Config::default();
    config
        .backends
        .push(db.backend_with_pod_credentials(ns, "app.kubernetes.io/instance=vk"));
    let cluster = kubesim::testing::cluster_with(config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let run = |args: &[&str], stdin: &[u8]| {
        let (cluster, home) = (&cluster, home.as_path());
        tokio::task::block_in_place(|| berth(cluster, home, args, stdin))
    };
    let install = {
        let (kubeconfig, home, context) = (
            cluster.kubeconfig().to_owned(),
            home.clone(),
            cluster.context().map(str::to_owned),
        );
        std::thread::spawn(move || {
            let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("berth"));
            cmd.env("KUBECONFIG", kubeconfig)
                .env("BERTH_HOME", home)
                .env(
                    "BERTH_KEYRING_NAMESPACE",
                    format!("dev.berth.test.shell.{}", std::process::id()),
                )
                .env_remove("BERTH_TEST_KUBECONFIG");
            if let Some(c) = context {
                cmd.args(["--context", &c]);
            }
            cmd.args([
                "install",
                "valkey",
                "--name",
                "vk",
                "-n",
                ns,
                "--create-namespace",
            ])
            .args(["--timeout", "2m"])
            .output()
            .unwrap()
        })
    };
    // what the image does at first start: the server takes the Secret's password
    let generated = secret_value(&cluster, ns, "vk", "password").await;
    if !cluster.is_real() {
        db.set_password(&generated).unwrap();
    }
    let out = tokio::task::block_in_place(|| install.join().unwrap());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (code, _, err) = run(&["credentials", "rotate", "vk", "-n", ns, "--yes"], b"");
    assert_eq!(code, 0, "{err}");
    let rotated = secret_value(&cluster, ns, "vk", "password").await;
    assert_ne!(
        rotated, generated,
        "the Secret still holds the old password"
    );
    // the restarted pods are Ready by probes logging in with the Secret's new value
    let (code, out, err) = run(&["status", "vk", "-n", ns, "-o", "json"], b"");
    assert_eq!(code, 0, "{err}");
    let status: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(status["health"], "ready", "{out}");
    // the engine's client in the pod logs in with it too
    let (code, out, err) = run(&["shell", "vk", "-n", ns, "--client"], b"PING\n");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("PONG"), "{out}{err}");
    if !cluster.is_real() {
        // the server itself takes the new password and refuses the old one
        let ping = |password: &str| {
            let argv = [
                "redis-cli",
                "--no-auth-warning",
                "-p",
                &db.port().to_string(),
            ]
            .map(String::from)
            .into_iter()
            .chain(["--pass".into(), password.into(), "PING".into()])
            .collect::<Vec<_>>();
            realdb::run(&Default::default(), &argv, b"")
                .unwrap()
                .text()
                .trim()
                == "PONG"
        };
        assert!(ping(&rotated), "the server refuses the new password");
        assert!(!ping(&generated), "the server still takes the old password");
    }
}
