//! Shared helpers of the fidelity suites: locating the reference clients and running them
//! against a test cluster.

#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;
use std::process::{Command, Output};

use kubesim::testing::TestCluster;

/// A reference client binary: `$ENV` or `.tools/bin/NAME` of the workspace. Panics with
/// instructions when missing: the fidelity suite must not silently skip.
pub fn tool(name: &str, env: &str) -> PathBuf {
    if let Some(p) = std::env::var_os(env).filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../.tools/bin")
        .join(name);
    assert!(
        p.exists(),
        "{name} not found at {} (set {env} or run scripts/tools.sh to install the reference clients)",
        p.display()
    );
    p
}

/// Runs kubectl against the cluster.
pub fn kubectl(cluster: &TestCluster, args: &[&str]) -> Output {
    let mut cmd = Command::new(tool("kubectl", "KUBECTL"));
    cmd.arg("--kubeconfig").arg(cluster.kubeconfig());
    if let Some(ctx) = cluster.context() {
        cmd.arg("--context").arg(ctx);
    }
    cmd.args(args).output().expect("kubectl runs")
}

/// Runs kubectl and asserts success; returns stdout.
pub fn kubectl_ok(cluster: &TestCluster, args: &[&str]) -> String {
    let out = kubectl(cluster, args);
    assert!(
        out.status.success(),
        "kubectl {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs helm against the cluster and asserts success; returns stdout.
pub fn helm_ok(cluster: &TestCluster, dir: &std::path::Path, args: &[&str]) -> String {
    let mut cmd = Command::new(tool("helm", "HELM"));
    cmd.current_dir(dir)
        .env("KUBECONFIG", cluster.kubeconfig())
        .env("HELM_CACHE_HOME", dir.join(".cache"))
        .env("HELM_CONFIG_HOME", dir.join(".config"))
        .env("HELM_DATA_HOME", dir.join(".data"));
    if let Some(ctx) = cluster.context() {
        cmd.arg("--kube-context").arg(ctx);
    }
    let out = cmd.args(args).output().expect("helm runs");
    assert!(
        out.status.success(),
        "helm {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The multi-document manifest of the suite.
pub fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}
