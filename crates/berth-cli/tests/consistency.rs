//! The lifecycle's edge cases end to end against kubesim: adopting an instance
//! imports its credentials, recovering or rolling back removes what the failed revision added,
//! every command reports an unknown instance alike, and processes opening a brand-new home at
//! once do not race. Needs a keyring: run under `scripts/with-keyring.sh`.

use std::path::PathBuf;

use assert_cmd::Command;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod, Secret, Service};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::storage::v1::StorageClass;
use kube::api::Api;
use serde_json::Value;

/// One machine's view: its own Berth home and keyring collection, over a shared cluster.
struct Machine {
    home: PathBuf,
    keyring_ns: String,
}

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

    fn this(&self) -> Machine {
        Machine {
            home: self.dir.path().join("home"),
            keyring_ns: self.keyring_ns.clone(),
        }
    }

    fn other(&self) -> Machine {
        Machine {
            home: self.dir.path().join("other-home"),
            keyring_ns: format!("{}.other", self.keyring_ns),
        }
    }

    /// Runs berth on `machine` with `-o json`; returns (exit code, stdout JSON or Null, stdout, stderr).
    async fn run_on(&self, machine: &Machine, args: &[&str]) -> (i32, Value, String, String) {
        let mut cmd = Command::cargo_bin("berth").unwrap();
        cmd.env("KUBECONFIG", self.cluster.kubeconfig())
            .env("BERTH_HOME", &machine.home)
            .env("BERTH_KEYRING_NAMESPACE", &machine.keyring_ns)
            .env_remove("BERTH_TEST_KUBECONFIG");
        if let Some(c) = self.cluster.context() {
            cmd.args(["--context", c]);
        }
        cmd.args(args).args(["-o", "json"]);
        let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        (
            out.status.code().unwrap_or(-1),
            serde_json::from_str(&stdout).unwrap_or(Value::Null),
            stdout,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    async fn run(&self, args: &[&str]) -> (i32, Value, String) {
        let (code, json, _, stderr) = self.run_on(&self.this(), args).await;
        (code, json, stderr)
    }

    async fn ok(&self, args: &[&str]) -> Value {
        let (code, json, stderr) = self.run(args).await;
        assert_eq!(code, 0, "berth {args:?} failed: {stderr}");
        json
    }

    async fn client(&self) -> kube::Client {
        self.cluster.client().await.unwrap()
    }
}

fn keyring(machine: &Machine) -> berth_secrets::Keyring {
    berth_secrets::Keyring::with_namespace(machine.keyring_ns.clone())
}

fn secret_value(secret: &Secret, key: &str) -> String {
    let bytes = &secret.data.as_ref().unwrap()[key].0;
    String::from_utf8(bytes.clone()).unwrap()
}

#[tokio::test]
async fn adopt_imports_the_credentials_so_config_works_on_the_adopting_machine() {
    let env = Env::new("adoptcred", kubesim::Config::default()).await;
    let ns = "default";
    let installed = env
        .ok(&["install", "postgres", "--name", "pga", "-n", ns])
        .await;
    let context = installed["context"].as_str().unwrap().to_owned();
    let secrets: Api<Secret> = Api::namespaced(env.client().await, ns);
    let live = secrets.get("pga").await.unwrap();
    let handle = |key: &str| format!("{context}/{ns}/pga/{key}");
    let installing = keyring(&env.this());
    let password = installing.get(&handle("admin-password")).unwrap();
    assert_eq!(*password.expose(), secret_value(&live, "admin-password"));

    // the other machine has no history and nothing in its keyring
    let other = env.other();
    let adopting = keyring(&other);
    assert!(adopting.get(&handle("admin-password")).is_err());
    // its history of the instance is empty, with a hint to adopt it (not `notFound`: it exists)
    let (code, history, _, stderr) = env.run_on(&other, &["history", "pga", "-n", ns]).await;
    assert_eq!((code, &history), (0, &serde_json::json!([])), "{stderr}");
    assert!(stderr.contains("berth adopt pga"), "{stderr}");
    let (code, adopted, stdout, stderr) = env.run_on(&other, &["adopt", "pga", "-n", ns]).await;
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(adopted["revision"], 1, "{adopted}");
    // never printed
    for key in ["admin-password", "replication-password"] {
        let value = secret_value(&live, key);
        assert!(
            !stdout.contains(&value) && !stderr.contains(&value),
            "the credential {key} was printed"
        );
        assert_eq!(
            *adopting.get(&handle(key)).unwrap().expose(),
            value,
            "{key}"
        );
    }

    // config on the adopting machine now works, and keeps the same credentials
    let (code, changed, _, stderr) = env
        .run_on(
            &other,
            &[
                "config",
                "pga",
                "-n",
                ns,
                "--set",
                "replicas=2",
                "--no-wait",
            ],
        )
        .await;
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(changed["operation"], "reconfigure", "{changed}");
    let sets: Api<StatefulSet> = Api::namespaced(env.client().await, ns);
    assert_eq!(sets.get("pga").await.unwrap().spec.replicas, Some(2));
    let live = secrets.get("pga").await.unwrap();
    assert_eq!(
        *adopting.get(&handle("admin-password")).unwrap().expose(),
        secret_value(&live, "admin-password")
    );
    assert_eq!(*password.expose(), secret_value(&live, "admin-password"));
    let (_, history, _, _) = env.run_on(&other, &["history", "pga"]).await;
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
    assert_eq!(ops[0], ("reconfigure", "succeeded"), "{history}");
    assert_eq!(ops[1].0, "adopt", "{history}");

    // more storage: the claims grow (their class allows expansion) and the StatefulSet is made
    // again around its running pods; less storage, or another class, is refused untouched
    let client = env.client().await;
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), ns);
    let classes: Api<StorageClass> = Api::all(client.clone());
    let default_expands = classes
        .list(&Default::default())
        .await
        .unwrap()
        .items
        .iter()
        .any(|c| {
            c.metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("storageclass.kubernetes.io/is-default-class"))
                .map(String::as_str)
                == Some("true")
                && c.allow_volume_expansion == Some(true)
        });
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    // the scale-up above did not wait: let its rolling update finish first
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let status = sets.get("pga").await.unwrap().status.unwrap_or_default();
        if status.ready_replicas == Some(2)
            && status.updated_replicas == Some(2)
            && status.current_revision == status.update_revision
        {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{status:?}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let uid_before = pods.get("pga-0").await.unwrap().metadata.uid;
    let (code, grown, _, stderr) = env
        .run_on(
            &other,
            &["config", "pga", "-n", ns, "--set", "storage.size=20Gi"],
        )
        .await;
    let storage_of = |c: &PersistentVolumeClaim| {
        c.spec
            .as_ref()
            .unwrap()
            .resources
            .as_ref()
            .unwrap()
            .requests
            .as_ref()
            .unwrap()["storage"]
            .0
            .clone()
    };
    if default_expands {
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(grown["operation"], "reconfigure", "{grown}");
        for claim in ["data-pga-0", "data-pga-1"] {
            assert_eq!(
                storage_of(&claims.get(claim).await.unwrap()),
                "20Gi",
                "{claim}"
            );
        }
        let template = sets.get("pga").await.unwrap().spec.volume_claim_templates;
        assert_eq!(
            serde_json::to_value(template).unwrap()[0]["spec"]["resources"]["requests"]["storage"],
            "20Gi"
        );
        // the pods kept running: adopted by the StatefulSet made again, not recreated
        assert_eq!(pods.get("pga-0").await.unwrap().metadata.uid, uid_before);
    } else {
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stderr.contains("does not allow volume expansion"),
            "{stderr}"
        );
    }
    let revisions = env
        .run_on(&other, &["history", "pga"])
        .await
        .1
        .as_array()
        .unwrap()
        .len();
    for (set, why) in [
        ("storage.size=5Gi", "volumes never shrink"),
        ("storage.className=premium", "fixed after creation"),
    ] {
        let (code, refused, _, stderr) = env
            .run_on(&other, &["config", "pga", "-n", ns, "--set", set])
            .await;
        assert_eq!(code, 2, "{set}: {stderr}");
        let message = refused["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(why) && message.contains("berth copy pga"),
            "{message}"
        );
    }
    let (_, history, _, _) = env.run_on(&other, &["history", "pga"]).await;
    assert_eq!(
        history.as_array().unwrap().len(),
        revisions,
        "refusals record nothing"
    );

    // a class that does not allow expansion: refused before anything is touched
    if !env.cluster.is_real() {
        let fixed: StorageClass = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "fixed"},
            "provisioner": "kubesim.dev/hostpath",
        }))
        .unwrap();
        classes.create(&Default::default(), &fixed).await.unwrap();
        let (code, _, _, stderr) = env
            .run_on(
                &other,
                &[
                    "install",
                    "postgres",
                    "--name",
                    "pgf",
                    "-n",
                    ns,
                    "--set",
                    "storage.className=fixed",
                ],
            )
            .await;
        assert_eq!(code, 0, "{stderr}");
        let (code, _, _, stderr) = env
            .run_on(
                &other,
                &["config", "pgf", "-n", ns, "--set", "storage.size=20Gi"],
            )
            .await;
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stderr.contains("data-pgf-0 cannot grow from 10Gi to 20Gi: its storage class \"fixed\" does not allow volume expansion"),
            "{stderr}"
        );
        assert_eq!(storage_of(&claims.get("data-pgf-0").await.unwrap()), "10Gi");
    }
    env.cluster.shutdown().await;
}

#[tokio::test]
async fn recover_rollback_and_rollback_remove_what_the_failed_revision_added() {
    let mut config = kubesim::Config::default();
    // a new pod needs 3 s to become ready: a config that adds one fails with a 1 s timeout
    config.kubelet.ready_delay_ms = 3_000;
    let env = Env::new("prune", config).await;
    if env.cluster.is_real() {
        env.cluster.shutdown().await;
        return; // the failure is made with kubesim's kubelet delays
    }
    let ns = "default";
    let client = env.client().await;
    let pdbs: Api<PodDisruptionBudget> = Api::namespaced(client.clone(), ns);
    let services: Api<Service> = Api::namespaced(client.clone(), ns);
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), ns);
    env.ok(&[
        "install",
        "postgres",
        "--name",
        "pgr",
        "-n",
        ns,
        "--timeout",
        "1m",
    ])
    .await;
    assert!(pdbs.get_opt("pgr").await.unwrap().is_none());
    assert!(services.get_opt("pgr-read").await.unwrap().is_none());

    // two replicas add a PodDisruptionBudget and a read Service; the revision fails waiting
    let fail_scale_up = async || {
        let (code, _, stderr) = env
            .run(&[
                "config",
                "pgr",
                "-n",
                ns,
                "--set",
                "replicas=2",
                "--timeout",
                "1s",
            ])
            .await;
        assert_eq!(code, 1, "{stderr}");
        assert!(pdbs.get_opt("pgr").await.unwrap().is_some());
        assert!(services.get_opt("pgr-read").await.unwrap().is_some());
        let history = env.ok(&["history", "pgr"]).await;
        assert_eq!(history[0]["operation"], "reconfigure", "{history}");
        assert_eq!(history[0]["status"], "failed", "{history}");
    };
    fail_scale_up().await;

    let recovered = env
        .ok(&["recover", "pgr", "-n", ns, "--rollback", "--timeout", "1m"])
        .await;
    assert_eq!(recovered["action"], "rolledBack", "{recovered}");
    assert!(pdbs.get_opt("pgr").await.unwrap().is_none());
    assert!(services.get_opt("pgr-read").await.unwrap().is_none());
    // what the previous revision has stays
    assert!(services.get_opt("pgr").await.unwrap().is_some());
    assert!(services.get_opt("pgr-headless").await.unwrap().is_some());
    assert_eq!(sets.get("pgr").await.unwrap().spec.replicas, Some(1));
    let history = env.ok(&["history", "pgr"]).await;
    assert_eq!(history[0]["operation"], "recover", "{history}");
    assert_eq!(history[0]["status"], "succeeded", "{history}");
    assert_eq!(history[0]["parameters"]["replicas"], 1, "{history}");

    // `berth rollback` after the same failure removes them too
    fail_scale_up().await;
    let rolled = env.ok(&["rollback", "pgr", "-n", ns]).await;
    assert_eq!(rolled["operation"], "rollback", "{rolled}");
    assert!(pdbs.get_opt("pgr").await.unwrap().is_none());
    assert!(services.get_opt("pgr-read").await.unwrap().is_none());
    assert_eq!(sets.get("pgr").await.unwrap().spec.replicas, Some(1));
    let history = env.ok(&["history", "pgr"]).await;
    assert_eq!(history[0]["operation"], "rollback", "{history}");
    assert_eq!(history[0]["status"], "succeeded", "{history}");
    env.cluster.shutdown().await;
}

#[tokio::test]
async fn every_command_reports_an_unknown_instance_as_not_found_with_exit_code_1() {
    let env = Env::new("unknown", kubesim::Config::default()).await;
    let ns = "default";
    let commands: &[&[&str]] = &[
        &["status", "nothere"],
        &["stop", "nothere"],
        &["start", "nothere"],
        &["restart", "nothere"],
        &["config", "nothere", "--set", "replicas=2"],
        &["upgrade", "nothere", "--version", "17"],
        &["rollback", "nothere"],
        &["uninstall", "nothere", "--yes"],
        &["adopt", "nothere"],
        &["recover", "nothere"],
        &["logs", "nothere"],
        &["connect", "nothere"],
        &["metrics", "nothere"],
        &["history", "nothere"],
    ];
    for args in commands {
        let mut full = args.to_vec();
        full.extend(["-n", ns]);
        let (code, json, stderr) = env.run(&full).await;
        assert_eq!(
            (code, json["error"]["code"].as_str()),
            (1, Some("notFound")),
            "berth {args:?}: {stderr}"
        );
        assert!(stderr.contains("nothere"), "berth {args:?}: {stderr}");
    }
    env.cluster.shutdown().await;
}

#[test]
fn processes_opening_a_brand_new_home_at_once_all_succeed() {
    for round in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let children: Vec<_> = (0..6)
            .map(|_| {
                std::process::Command::new(assert_cmd::cargo::cargo_bin("berth"))
                    .env("BERTH_HOME", &home)
                    .env("KUBECONFIG", dir.path().join("no-kubeconfig"))
                    .env_remove("BERTH_TEST_KUBECONFIG")
                    .args(["history", "-o", "json"])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let json: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(json, serde_json::json!([]));
        }
        let store = berth_store::Store::open_at_version(&home.join("berth.db"), 0).unwrap();
        assert_eq!(store.schema_version().unwrap(), berth_store::SCHEMA_VERSION);
    }
}
