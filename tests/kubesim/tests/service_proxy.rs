//! Fidelity: the service proxy (`services/[scheme:]name[:port]/proxy/…`) as kubectl uses it,
//! relayed to a real Prometheus server (Debian's `prometheus`) behind a Service. On a real
//! cluster the same pod runs the upstream Prometheus image.

mod common;

use std::process::{Child, Command};
use std::time::{Duration, Instant};

use common::{kubectl, kubectl_ok};

const NS: &str = "default";

const MANIFEST: &str = "\
apiVersion: v1
kind: Pod
metadata: {name: prom, namespace: default, labels: {app: proxied-prom}}
spec:
  containers:
  - name: prometheus
    image: prom/prometheus:v2.53.0
    ports: [{name: web, containerPort: 9090}]
---
apiVersion: v1
kind: Service
metadata: {name: prometheus-server, namespace: default}
spec:
  selector: {app: proxied-prom}
  ports: [{name: http, port: 80, targetPort: web}]
---
apiVersion: v1
kind: Service
metadata: {name: nobody-home, namespace: default}
spec:
  selector: {app: no-such-pod}
  ports: [{port: 80}]
";

/// A real Prometheus on a loopback port, removed with its data when dropped.
struct Prometheus {
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_prometheus(port: u16) -> Prometheus {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("prometheus.yml");
    std::fs::write(&config, "global: {scrape_interval: 15s}\n").unwrap();
    let child = Command::new("prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("prometheus runs (scripts/system-deps.sh test installs it)");
    Prometheus { child, _dir: dir }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_reaches_a_pods_http_server_through_the_service_proxy() {
    let port = free_port();
    let _prometheus = start_prometheus(port);
    let mut config = kubesim::Config::default();
    config.backends.push(kubesim::config::Backend {
        namespace: Some(NS.into()),
        selector: "app=proxied-prom".into(),
        ports: [("9090".to_string(), format!("127.0.0.1:{port}"))].into(),
        skip_probes: true,
        ..Default::default()
    });
    let c = kubesim::testing::cluster_with(config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("prom.yaml");
    std::fs::write(&manifest, MANIFEST).unwrap();
    kubectl_ok(&c, &["apply", "-f", &manifest.display().to_string()]);
    kubectl_ok(
        &c,
        &[
            "wait",
            "--for=condition=Ready",
            "pod/prom",
            "--timeout=180s",
        ],
    );

    // ready: Prometheus's own readiness page, through the port's name
    let base = format!("/api/v1/namespaces/{NS}/services/prometheus-server:http/proxy");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let out = kubectl(&c, &["get", "--raw", &format!("{base}/-/ready")]);
        if out.status.success() {
            assert!(String::from_utf8_lossy(&out.stdout).contains("Ready"));
            break;
        }
        assert!(
            Instant::now() < deadline,
            "Prometheus never answered through the proxy: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    // a query with its query string, by port name, by port number and with the scheme
    for name in [
        "prometheus-server:http",
        "prometheus-server:80",
        "http:prometheus-server:80",
    ] {
        let path =
            format!("/api/v1/namespaces/{NS}/services/{name}/proxy/api/v1/query?query=vector(42)");
        let answer: serde_json::Value =
            serde_json::from_str(&kubectl_ok(&c, &["get", "--raw", &path])).unwrap();
        assert_eq!(answer["status"], "success", "{name}: {answer}");
        assert_eq!(
            answer["data"]["result"][0]["value"][1], "42",
            "{name}: {answer}"
        );
    }
    // the server's own error status comes back as it gave it (kubectl names the 400)
    let out = kubectl(
        &c,
        &["get", "--raw", &format!("{base}/api/v1/query?query=rate(")],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("(BadRequest)"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // a Service without ready pods, an unknown port and an unknown Service
    for (path, expected) in [
        ("services/nobody-home/proxy/", "no endpoints available"),
        ("services/prometheus-server:nope/proxy/", "nope"),
        ("services/nowhere/proxy/", "not found"),
    ] {
        let out = kubectl(
            &c,
            &["get", "--raw", &format!("/api/v1/namespaces/{NS}/{path}")],
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{path}");
        assert!(stderr.contains(expected), "{path}: {stderr}");
    }
    c.shutdown().await;
}
