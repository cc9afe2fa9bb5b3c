//! Fidelity: exec over WebSocket (v5/v4.channel.k8s.io) from kube-rs and kubectl,
//! port-forward from kube-rs, and process-backed pods whose exec gets the backend's environment.

mod common;

use std::time::Duration;

use common::{kubectl, kubectl_ok};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, AttachParams};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: shell\n  namespace: default\n  labels: {app: db}\nspec:\n  containers:\n  - name: main\n    image: debian:12\n    env:\n    - {name: GREETING, value: hello}\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_with_stdin_stdout_and_exit_codes() {
    let config: kubesim::Config = serde_yaml::from_str(
        "backends:\n- namespace: default\n  selector: app=db\n  env: {PGHOST: 127.0.0.1, PGPORT: '55432'}\n",
    )
    .unwrap();
    let c = kubesim::testing::cluster_with(config)
        .await
        .expect("cluster");
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("pod.yaml");
    std::fs::write(&manifest, POD).unwrap();
    kubectl_ok(&c, &["apply", "-f", &manifest.display().to_string()]);
    kubectl_ok(
        &c,
        &[
            "wait",
            "--for=condition=Ready",
            "pod/shell",
            "--timeout=60s",
        ],
    );

    // kubectl exec -i: stdin in, stdout out, v5 stdin close ends `cat`.
    let mut child = std::process::Command::new(common::tool("kubectl", "KUBECTL"))
        .arg("--kubeconfig")
        .arg(c.kubeconfig())
        .args(
            c.context()
                .map(|ctx| vec!["--context", ctx])
                .unwrap_or_default(),
        )
        .args(["exec", "-i", "shell", "--", "cat"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"through the pipe\n")
            .unwrap();
    }
    let out = tokio::time::timeout(
        Duration::from_secs(30),
        tokio::task::spawn_blocking(move || child.wait_with_output()),
    )
    .await
    .expect("cat ends when stdin closes")
    .unwrap()
    .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "through the pipe\n");

    // kube-rs: a line in on stdin, the answer out on stdout, then the Success status.
    let pods: Api<Pod> = Api::namespaced(c.client().await.unwrap(), "default");
    let mut p = pods
        .exec(
            "shell",
            vec!["sh", "-c", "read line; echo got $line"],
            &AttachParams::default().stdin(true).stderr(false),
        )
        .await
        .expect("exec");
    let mut stdin = p.stdin().unwrap();
    stdin.write_all(b"through the pipe\n").await.unwrap();
    stdin.flush().await.unwrap();
    let status = p.take_status().unwrap();
    let mut out = String::new();
    tokio::time::timeout(
        Duration::from_secs(10),
        p.stdout().unwrap().read_to_string(&mut out),
    )
    .await
    .expect("stdout ends when the command exits")
    .unwrap();
    assert_eq!(out, "got through the pipe\n");
    let status = tokio::time::timeout(Duration::from_secs(10), status)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.status.as_deref(), Some("Success"));
    drop(stdin);

    // kubectl exec: the container's env and the backend's env, and the exit code.
    let out = kubectl_ok(
        &c,
        &[
            "exec",
            "shell",
            "--",
            "sh",
            "-c",
            "echo $GREETING $PGHOST:$PGPORT",
        ],
    );
    let want = if c.is_real() {
        "hello :"
    } else {
        "hello 127.0.0.1:55432"
    };
    assert_eq!(out.trim(), want);
    let out = kubectl(
        &c,
        &["exec", "shell", "--", "sh", "-c", "echo oops >&2; exit 3"],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("oops"));
    c.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn port_forward_reaches_the_bound_backend() {
    // A real local "database": an echo server on loopback.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                while let Ok(n) = s.read(&mut buf).await {
                    if n == 0 || s.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    let mut config = kubesim::Config::default();
    config.backends.push(kubesim::config::Backend {
        namespace: Some("default".into()),
        selector: "app=db".into(),
        ports: [("5432".to_string(), addr.to_string())].into(),
        ..Default::default()
    });
    let c = kubesim::testing::cluster_with(config)
        .await
        .expect("cluster");
    // Backends are a kubesim feature: on a real cluster (BERTH_TEST_KUBECONFIG) there is
    // no backend to reach, so the test ends once the pod is ready.
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("pod.yaml");
    std::fs::write(&manifest, POD).unwrap();
    kubectl_ok(&c, &["apply", "-f", &manifest.display().to_string()]);
    kubectl_ok(
        &c,
        &[
            "wait",
            "--for=condition=Ready",
            "pod/shell",
            "--timeout=60s",
        ],
    );
    let pods: Api<Pod> = Api::namespaced(c.client().await.unwrap(), "default");
    if c.is_real() {
        c.shutdown().await;
        return;
    }
    let mut pf = pods
        .portforward("shell", &[5432])
        .await
        .expect("portforward");
    let mut stream = pf.take_stream(5432).unwrap();
    stream.write_all(b"ping").await.unwrap();
    let mut buf = [0u8; 4];
    tokio::time::timeout(Duration::from_secs(10), stream.read_exact(&mut buf))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&buf, b"ping");
    drop(stream);
    pf.abort();
    c.shutdown().await;
}
