//! Fidelity: real kubectl 1.37 against a fresh kubesim (or the cluster named by
//! `BERTH_TEST_KUBECONFIG`).

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{fixture, kubectl, kubectl_ok, tool};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_rollout_scale_wait_logs_delete() {
    let c = kubesim::testing::cluster().await.expect("cluster");
    let out = kubectl_ok(&c, &["apply", "--server-side", "-f", &fixture("app.yaml")]);
    for obj in [
        "namespace/shop",
        "configmap/web-config",
        "secret/web-secret",
        "service/web",
        "deployment.apps/web",
        "statefulset.apps/db",
        "horizontalpodautoscaler.autoscaling/web",
        "poddisruptionbudget.policy/web",
    ] {
        assert!(out.contains(&format!("{obj} serverside-applied")), "{out}");
    }
    kubectl_ok(
        &c,
        &[
            "-n",
            "shop",
            "rollout",
            "status",
            "deploy/web",
            "--timeout=60s",
        ],
    );
    kubectl_ok(
        &c,
        &["-n", "shop", "rollout", "status", "sts/db", "--timeout=60s"],
    );
    let yaml = kubectl_ok(&c, &["-n", "shop", "get", "deploy", "web", "-o", "yaml"]);
    assert!(yaml.contains("readyReplicas: 2"), "{yaml}");
    assert!(yaml.contains("observedGeneration: 1"), "{yaml}");
    assert!(yaml.contains("type: Available"), "{yaml}");
    let pvcs = kubectl_ok(&c, &["-n", "shop", "get", "pvc", "-o", "name"]);
    assert!(pvcs.contains("persistentvolumeclaim/data-db-0"), "{pvcs}");
    assert!(pvcs.contains("persistentvolumeclaim/data-db-1"), "{pvcs}");
    let phase = kubectl_ok(
        &c,
        &[
            "-n",
            "shop",
            "get",
            "pvc",
            "data-db-0",
            "-o",
            "jsonpath={.status.phase}",
        ],
    );
    assert_eq!(phase, "Bound");

    if c.sim().is_some() {
        // metrics.k8s.io (a real cluster needs metrics-server for this).
        let top = kubectl_ok(&c, &["-n", "shop", "top", "pods"]);
        assert!(top.contains("db-0") && top.contains("CPU(cores)"), "{top}");
        let top = kubectl_ok(&c, &["top", "nodes"]);
        assert!(top.contains("kubesim-node"), "{top}");
    }

    kubectl_ok(&c, &["-n", "shop", "scale", "deploy/web", "--replicas=3"]);
    kubectl_ok(
        &c,
        &[
            "-n",
            "shop",
            "rollout",
            "status",
            "deploy/web",
            "--timeout=60s",
        ],
    );
    let ready = kubectl_ok(
        &c,
        &[
            "-n",
            "shop",
            "wait",
            "--for=condition=Ready",
            "pod",
            "-l",
            "app=web",
            "--timeout=60s",
        ],
    );
    assert_eq!(ready.lines().count(), 3, "{ready}");
    let table = kubectl_ok(&c, &["-n", "shop", "get", "deploy", "web"]);
    assert!(table.contains("3/3"), "{table}");

    kubectl_ok(&c, &["-n", "shop", "rollout", "restart", "deploy/web"]);
    kubectl_ok(
        &c,
        &[
            "-n",
            "shop",
            "rollout",
            "status",
            "deploy/web",
            "--timeout=60s",
        ],
    );

    let logs = kubectl_ok(&c, &["-n", "shop", "logs", "sts/db", "--timestamps"]);
    if c.sim().is_some() {
        assert!(logs.contains("started from image postgres:17"), "{logs}");
    }
    assert!(!logs.is_empty());

    kubectl_ok(
        &c,
        &[
            "-n",
            "shop",
            "delete",
            "deploy",
            "web",
            "--cascade=foreground",
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = kubectl_ok(
            &c,
            &[
                "-n", "shop", "get", "rs,pods", "-l", "app=web", "-o", "name",
            ],
        );
        if left.trim().is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "dependents left: {left}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    kubectl_ok(&c, &["delete", "namespace", "shop", "--timeout=60s"]);
    let err = kubectl(&c, &["get", "namespace", "shop"]);
    assert!(!err.status.success());
    assert!(String::from_utf8_lossy(&err.stderr).contains("NotFound"));
    c.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_field_manager_conflicts() {
    let c = kubesim::testing::cluster().await.expect("cluster");
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, value: &str| {
        let p = dir.path().join(name);
        std::fs::write(
            &p,
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: conflict-demo\n  namespace: default\ndata:\n  key: {value}\n"),
        )
        .unwrap();
        p.display().to_string()
    };
    let first = write("a.yaml", "one");
    let second = write("b.yaml", "two");
    kubectl_ok(
        &c,
        &[
            "apply",
            "--server-side",
            "--field-manager=alpha",
            "-f",
            &first,
        ],
    );
    let out = kubectl(
        &c,
        &[
            "apply",
            "--server-side",
            "--field-manager=beta",
            "-f",
            &second,
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("conflict with \"alpha\""), "{err}");
    assert!(err.contains(".data.key"), "{err}");
    kubectl_ok(
        &c,
        &[
            "apply",
            "--server-side",
            "--field-manager=beta",
            "--force-conflicts",
            "-f",
            &second,
        ],
    );
    let v = kubectl_ok(
        &c,
        &["get", "cm", "conflict-demo", "-o", "jsonpath={.data.key}"],
    );
    assert_eq!(v, "two");
    let mf = kubectl_ok(
        &c,
        &[
            "get",
            "cm",
            "conflict-demo",
            "-o",
            "jsonpath={.metadata.managedFields[*].manager}",
            "--show-managed-fields",
        ],
    );
    assert!(mf.contains("beta"), "{mf}");
    kubectl_ok(&c, &["delete", "cm", "conflict-demo"]);
    c.shutdown().await;
}

/// Reads lines of a spawned kubectl until one contains `want`.
fn wait_for_line(child: &mut std::process::Child, want: &str) -> String {
    let stdout = child.stdout.take().expect("stdout piped");
    let (tx, rx) = std::sync::mpsc::channel();
    let want = want.to_string();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains(&want) {
                let _ = tx.send(line);
                return;
            }
        }
    });
    let line = rx.recv_timeout(Duration::from_secs(30));
    let _ = child.kill();
    let _ = child.wait();
    line.expect("expected line in the stream")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_watch_and_logs_follow_stream() {
    let c = kubesim::testing::cluster().await.expect("cluster");
    let mut base = Command::new(tool("kubectl", "KUBECTL"));
    base.arg("--kubeconfig").arg(c.kubeconfig());
    if let Some(ctx) = c.context() {
        base.arg("--context").arg(ctx);
    }
    let mut watch = Command::new(base.get_program());
    watch
        .args(base.get_args())
        .args(["get", "configmaps", "-w", "-o", "name"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = watch.spawn().expect("kubectl -w");
    tokio::time::sleep(Duration::from_millis(500)).await;
    kubectl_ok(
        &c,
        &["create", "configmap", "watched", "--from-literal=a=b"],
    );
    let line = wait_for_line(&mut child, "configmap/watched");
    assert_eq!(line.trim(), "configmap/watched");

    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("logger.yaml");
    std::fs::write(
        &manifest,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: logger\n  namespace: default\nspec:\n  selector:\n    matchLabels: {app: logger}\n  template:\n    metadata:\n      labels: {app: logger}\n    spec:\n      containers:\n      - name: logger\n        image: busybox:1.36\n        command: [sh, -c, 'echo started from image busybox:1.36; sleep 3600']\n",
    )
    .unwrap();
    kubectl_ok(&c, &["create", "-f", &manifest.display().to_string()]);
    kubectl_ok(&c, &["rollout", "status", "deploy/logger", "--timeout=60s"]);
    let mut follow = Command::new(base.get_program());
    follow
        .args(base.get_args())
        .args(["logs", "-f", "deploy/logger"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = follow.spawn().expect("kubectl logs -f");
    let line = wait_for_line(&mut child, "busybox:1.36");
    assert!(line.contains("started from image busybox:1.36"), "{line}");
    if c.sim().is_some() {
        // kubesim's admin endpoint appends a line the follower sees (docs/kubesim.md)
        let pod = kubectl_ok(
            &c,
            &[
                "get",
                "pods",
                "-l",
                "app=logger",
                "-o",
                "jsonpath={.items[0].metadata.name}",
            ],
        );
        let mut follow = Command::new(base.get_program());
        follow
            .args(base.get_args())
            .args(["logs", "-f", "deploy/logger"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = follow.spawn().expect("kubectl logs -f");
        tokio::time::sleep(Duration::from_millis(500)).await;
        let body = dir.path().join("lines.json");
        std::fs::write(
            &body,
            format!(
                r#"{{"namespace":"default","pod":"{}","container":"logger","lines":["written through the admin endpoint"]}}"#,
                pod.trim()
            ),
        )
        .unwrap();
        let out = kubectl_ok(
            &c,
            &[
                "create",
                "--raw",
                "/kubesim/v1/logs",
                "-f",
                &body.display().to_string(),
            ],
        );
        assert!(out.contains(r#""written":1"#), "{out}");
        let line = wait_for_line(&mut child, "admin endpoint");
        assert_eq!(line.trim(), "written through the admin endpoint");
    }
    kubectl_ok(&c, &["delete", "deploy", "logger"]);
    kubectl_ok(&c, &["delete", "configmap", "watched"]);
    c.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_status_objects() {
    let c = kubesim::testing::cluster().await.expect("cluster");
    let out = kubectl(&c, &["get", "configmap", "does-not-exist"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("(NotFound)") && err.contains("configmaps \"does-not-exist\" not found"),
        "{err}"
    );

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: Bad_Name\nspec:\n  replicas: -1\n  selector:\n    matchLabels: {app: x}\n  template:\n    metadata:\n      labels: {app: x}\n    spec:\n      containers: [{name: x, image: x}]\n",
    )
    .unwrap();
    let out = kubectl(
        &c,
        &["apply", "--server-side", "-f", &bad.display().to_string()],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is invalid"), "{err}");
    assert!(err.contains("metadata.name"), "{err}");
    assert!(err.contains("spec.replicas"), "{err}");

    if c.sim().is_some() {
        // A wrong token is rejected with 401.
        let yaml = std::fs::read_to_string(c.kubeconfig()).unwrap();
        let token = c.sim().unwrap().token().to_string();
        let wrong = dir.path().join("wrong");
        std::fs::write(&wrong, yaml.replace(&token, "not-the-token")).unwrap();
        let out = Command::new(tool("kubectl", "KUBECTL"))
            .args(["--kubeconfig", &wrong.display().to_string(), "get", "pods"])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("Unauthorized") || err.contains("provide credentials"),
            "{err}"
        );
    }
    c.shutdown().await;
}

/// kubectl's imperative generators send protobuf bodies for built-in kinds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imperative_commands_send_protobuf() {
    let c = kubesim::testing::cluster().await.expect("cluster");
    kubectl_ok(
        &c,
        &[
            "create",
            "deployment",
            "pb-web",
            "--image=nginx:1.27",
            "--replicas=2",
            "--port=8080",
        ],
    );
    kubectl_ok(
        &c,
        &["create", "job", "pb-job", "--image=busybox", "--", "true"],
    );
    kubectl_ok(
        &c,
        &["create", "service", "clusterip", "pb-svc", "--tcp=80:8080"],
    );
    kubectl_ok(
        &c,
        &[
            "create",
            "secret",
            "generic",
            "pb-secret",
            "--from-literal=k=v",
        ],
    );
    kubectl_ok(
        &c,
        &[
            "run",
            "pb-pod",
            "--image=redis:7",
            "--labels=app=pb",
            "--env=A=b",
        ],
    );
    let get = |args: &[&str]| kubectl_ok(&c, args).trim().to_string();
    assert_eq!(
        get(&[
            "get",
            "deploy",
            "pb-web",
            "-o",
            "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort}"
        ]),
        "2 nginx:1.27 8080"
    );
    assert_eq!(
        get(&[
            "get",
            "job",
            "pb-job",
            "-o",
            "jsonpath={.spec.template.spec.containers[0].command}"
        ]),
        r#"["true"]"#
    );
    assert_eq!(
        get(&[
            "get",
            "svc",
            "pb-svc",
            "-o",
            "jsonpath={.spec.ports[0].port} {.spec.ports[0].targetPort}"
        ]),
        "80 8080"
    );
    assert_eq!(
        get(&["get", "secret", "pb-secret", "-o", "jsonpath={.data.k}"]),
        "dg=="
    );
    assert_eq!(
        get(&[
            "get",
            "pod",
            "pb-pod",
            "-o",
            "jsonpath={.metadata.labels.app} {.spec.containers[0].env[0].value}"
        ]),
        "pb b"
    );
    c.shutdown().await;
}
