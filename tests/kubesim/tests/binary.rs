//! The binary contract: `kubesim --listen 127.0.0.1:0 --kubeconfig PATH --context NAME`
//! writes a working kubeconfig once ready and exits cleanly on SIGTERM.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::tool;

#[test]
fn serves_writes_kubeconfig_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("sub/kubeconfig");
    let config = dir.path().join("kubesim.yaml");
    std::fs::write(
        &config,
        "token: fixed-token\nkubelet:\n  startDelayMs: 10\n",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubesim"))
        .args(["--listen", "127.0.0.1:0", "--context", "bin-test"])
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .arg("--config")
        .arg(&config)
        .stderr(Stdio::null())
        .spawn()
        .expect("kubesim starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !kubeconfig.exists() {
        assert!(Instant::now() < deadline, "kubeconfig not written");
        std::thread::sleep(Duration::from_millis(50));
    }
    let text = std::fs::read_to_string(&kubeconfig).unwrap();
    assert!(text.contains("current-context: bin-test"), "{text}");
    assert!(text.contains("token: fixed-token"), "{text}");
    assert!(text.contains("certificate-authority-data"), "{text}");
    let out = Command::new(tool("kubectl", "KUBECTL"))
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .args(["get", "namespaces", "-o", "name"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("namespace/kube-system"));

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            assert!(s.success(), "exit status {s}");
            break;
        }
        assert!(Instant::now() < deadline, "kubesim did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}
