//! Fidelity: exec over WebSocket (v5/v4.channel.k8s.io) from kube-rs and kubectl,
//! port-forward from kube-rs and kubectl (SPDY/3.1 in WebSocket and on a plain SPDY upgrade),
//! and process-backed pods whose exec gets the backend's environment.

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

/// A cluster whose pod `shell` (label `app=db`) is Ready, its port 5432 bound to a loopback
/// echo server (a stand-in: no exec probes run against it).
async fn ready_pod_bound_to_echo() -> kubesim::testing::TestCluster {
    let addr = echo_server().await;
    let mut config = kubesim::Config::default();
    config.backends.push(kubesim::config::Backend {
        namespace: Some("default".into()),
        selector: "app=db".into(),
        ports: [("5432".to_string(), addr.to_string())].into(),
        skip_probes: true,
        ..Default::default()
    });
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
    c
}

/// A TCP echo server on loopback (a stand-in for a pod's server).
async fn echo_server() -> std::net::SocketAddr {
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
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn port_forward_reaches_the_bound_backend() {
    // A real local "database": an echo server on loopback.
    // Backends are a kubesim feature: on a real cluster (BERTH_TEST_KUBECONFIG) there is
    // no backend to reach, so the test ends once the pod is ready.
    let c = ready_pod_bound_to_echo().await;
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

/// A running `kubectl port-forward`.
struct PortForward {
    child: tokio::process::Child,
    /// The local port it listens on.
    local: u16,
    /// Its stderr so far (`-v=4`: it names the negotiated transport).
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl PortForward {
    /// Waits up to 5 s for `text` on kubectl's stderr.
    async fn stderr_contains(&self, text: &str) -> bool {
        for _ in 0..50 {
            if self.stderr.lock().unwrap().contains(text) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    }
}

/// `kubectl port-forward pod/shell :PORT` as a child process, once it listens (its output
/// is drained in the background).
async fn kubectl_port_forward(
    c: &kubesim::testing::TestCluster,
    port: u16,
    websockets: bool,
) -> PortForward {
    use tokio::io::AsyncBufReadExt;
    let mut cmd = tokio::process::Command::new(common::tool("kubectl", "KUBECTL"));
    cmd.arg("--kubeconfig").arg(c.kubeconfig());
    if let Some(ctx) = c.context() {
        cmd.arg("--context").arg(ctx);
    }
    let mut child = cmd
        .args(["-v=4", "port-forward", "pod/shell", &format!(":{port}")])
        // false: kubectl's fallback, a plain SPDY/3.1 upgrade instead of SPDY in WebSocket
        .env("KUBECTL_PORT_FORWARD_WEBSOCKETS", websockets.to_string())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("kubectl runs");
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let local = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(rest) = line.strip_prefix("Forwarding from 127.0.0.1:") {
                return rest.split(' ').next().unwrap().parse::<u16>().unwrap();
            }
        }
        panic!("kubectl port-forward ended before listening");
    })
    .await
    .expect("kubectl port-forward listens");
    // Keep reading: kubectl logs each connection and must not hit a closed pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let mut err_lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let collected = stderr.clone();
    tokio::spawn(async move {
        while let Ok(Some(line)) = err_lines.next_line().await {
            let mut all = collected.lock().unwrap();
            all.push_str(&line);
            all.push('\n');
        }
    });
    PortForward {
        child,
        local,
        stderr,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_port_forward_reaches_the_bound_backend() {
    let c = ready_pod_bound_to_echo().await;
    // The backend is a kubesim feature: a real cluster's pod has nothing listening.
    if c.is_real() {
        c.shutdown().await;
        return;
    }

    // SPDY/3.1 in WebSocket (kubectl's default), then the plain SPDY upgrade fallback:
    // two connections each, one after the other, through one kubectl.
    for websockets in [true, false] {
        let mut pf = kubectl_port_forward(&c, 5432, websockets).await;
        let local = pf.local;
        // A line, then 256 KiB (many data frames, written while the echo comes back).
        let line = format!("hello over {}", if websockets { "ws" } else { "spdy" });
        let bulk: Vec<u8> = (0..256 * 1024).map(|i: u32| (i % 251) as u8).collect();
        for msg in [line.into_bytes(), bulk] {
            let conn = tokio::net::TcpStream::connect(("127.0.0.1", local))
                .await
                .unwrap();
            let (mut r, mut w) = conn.into_split();
            let sent = msg.clone();
            let writer = tokio::spawn(async move { w.write_all(&sent).await });
            let mut buf = vec![0u8; msg.len()];
            tokio::time::timeout(Duration::from_secs(5), r.read_exact(&mut buf))
                .await
                .expect("echo in time")
                .unwrap();
            writer.await.unwrap().unwrap();
            assert!(buf == msg, "the echo differs ({} bytes sent)", msg.len());
        }
        assert!(
            pf.child.try_wait().unwrap().is_none(),
            "kubectl port-forward keeps running"
        );
        if websockets {
            // No silent fallback: the WebSocket tunnel itself was negotiated.
            assert!(
                pf.stderr_contains("Negotiation complete").await,
                "kubectl stderr: {}",
                pf.stderr.lock().unwrap()
            );
        }
        pf.child.kill().await.unwrap();
    }

    // A pod port no backend binds: the error stream carries the reason, kubectl reports
    // it (and, as against a real kubelet, gives up the forwarding).
    let mut pf = kubectl_port_forward(&c, 6000, true).await;
    let mut conn = tokio::net::TcpStream::connect(("127.0.0.1", pf.local))
        .await
        .unwrap();
    let mut buf = [0u8; 16];
    let n = tokio::time::timeout(Duration::from_secs(5), conn.read(&mut buf))
        .await
        .expect("kubectl closes the connection")
        .unwrap_or(0);
    assert_eq!(n, 0, "nothing comes back from an unbound port");
    assert!(
        pf.stderr_contains("error forwarding port 6000 to pod shell")
            .await
            && pf.stderr_contains("no backend is bound to port 6000").await,
        "kubectl stderr: {}",
        pf.stderr.lock().unwrap()
    );
    let _ = pf.child.kill().await;
    c.shutdown().await;
}
