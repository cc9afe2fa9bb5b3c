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

/// A running kubesim, killed if a failing test leaves it running.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Starts the binary with `args` and waits for it to write `kubeconfig`.
fn start(kubeconfig: &std::path::Path, args: &[&std::ffi::OsStr]) -> Running {
    let _ = std::fs::remove_file(kubeconfig);
    let child = Command::new(env!("CARGO_BIN_EXE_kubesim"))
        .args(["--listen", "127.0.0.1:0", "--context", "bin-test"])
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .stderr(Stdio::null())
        .spawn()
        .expect("kubesim starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !kubeconfig.exists() {
        assert!(Instant::now() < deadline, "kubeconfig not written");
        std::thread::sleep(Duration::from_millis(50));
    }
    Running(child)
}

/// Sends SIGTERM and waits for a clean exit.
fn stop(mut running: Running) {
    let child = &mut running.0;
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            assert!(s.success(), "exit status {s}");
            return;
        }
        assert!(Instant::now() < deadline, "kubesim did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Runs kubectl against `kubeconfig` and returns its stdout (asserting success).
fn kubectl(kubeconfig: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(tool("kubectl", "KUBECTL"))
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kubectl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn state_file_keeps_objects_and_resource_versions_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    let state = dir.path().join("state.db");
    let args = [std::ffi::OsStr::new("--state"), state.as_os_str()];

    let child = start(&kubeconfig, &args);
    kubectl(&kubeconfig, &["create", "namespace", "kept"]);
    kubectl(
        &kubeconfig,
        &[
            "-n",
            "kept",
            "create",
            "configmap",
            "cfg",
            "--from-literal=k=v1",
        ],
    );
    kubectl(
        &kubeconfig,
        &[
            "-n",
            "kept",
            "run",
            "web",
            "--image=nginx",
            "--restart=Always",
        ],
    );
    kubectl(
        &kubeconfig,
        &[
            "-n",
            "kept",
            "wait",
            "--for=condition=Ready",
            "pod/web",
            "--timeout=30s",
        ],
    );
    let pod_ip = kubectl(
        &kubeconfig,
        &[
            "-n",
            "kept",
            "get",
            "pod",
            "web",
            "-o",
            "jsonpath={.status.podIP} {.status.startTime}",
        ],
    );
    let rv_before: u64 = kubectl(
        &kubeconfig,
        &[
            "-n",
            "kept",
            "get",
            "configmap",
            "cfg",
            "-o",
            "jsonpath={.metadata.resourceVersion}",
        ],
    )
    .trim()
    .parse()
    .unwrap();
    // startTime has a one-second resolution: restart in a later second.
    std::thread::sleep(Duration::from_millis(1100));
    stop(child);
    assert!(state.exists(), "state file written");

    let child = start(&kubeconfig, &args);
    let data = kubectl(
        &kubeconfig,
        &[
            "-n",
            "kept",
            "get",
            "configmap",
            "cfg",
            "-o",
            "jsonpath={.data.k}",
        ],
    );
    assert_eq!(data, "v1", "the ConfigMap survived the restart");
    std::thread::sleep(Duration::from_millis(500));
    let pod = kubectl(
        &kubeconfig,
        &[
            "-n",
            "kept",
            "get",
            "pod",
            "web",
            "-o",
            "jsonpath={.status.phase} {.status.podIP} {.status.startTime}",
        ],
    );
    assert_eq!(
        pod,
        format!("Running {pod_ip}"),
        "the pod carries on after the restart"
    );
    kubectl(
        &kubeconfig,
        &[
            "-n",
            "kept",
            "patch",
            "configmap",
            "cfg",
            "-p",
            r#"{"data":{"k":"v2"}}"#,
        ],
    );
    let rv_after: u64 = kubectl(
        &kubeconfig,
        &[
            "-n",
            "kept",
            "get",
            "configmap",
            "cfg",
            "-o",
            "jsonpath={.metadata.resourceVersion}",
        ],
    )
    .trim()
    .parse()
    .unwrap();
    assert!(
        rv_after > rv_before,
        "resourceVersion continues upward: {rv_before} -> {rv_after}"
    );
    let namespaces = kubectl(&kubeconfig, &["get", "namespaces", "-o", "name"]);
    assert!(namespaces.contains("namespace/kept"), "{namespaces}");
    stop(child);
}
