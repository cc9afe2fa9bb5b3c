//! Probe outcomes against loopback endpoints that answer, refuse, reject credentials, present an
//! untrusted certificate or hang. No traffic leaves the machine.

mod support;

use berth_cluster::{LoadedKubeconfig, ProbeFailureKind, probe::probe};
use std::time::{Duration, Instant};
use support::{Behaviour, Ctx, Pki, closed_port, kubeconfig, serve};

const TIMEOUT: Duration = Duration::from_secs(3);

fn load(dir: &tempfile::TempDir, contexts: &[Ctx<'_>]) -> LoadedKubeconfig {
    let path = dir.path().join("config");
    std::fs::write(&path, kubeconfig(contexts, None)).unwrap();
    let loaded = LoadedKubeconfig::load(&[path]);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    loaded
}

fn tls_ctx<'a>(name: &'a str, pki: &Pki, addr: std::net::SocketAddr) -> Ctx<'a> {
    let mut ctx = Ctx::new(name, format!("https://{addr}"));
    ctx.ca_data = Some(pki.ca_data());
    ctx
}

#[tokio::test]
async fn outcomes_are_told_apart() {
    let pki = Pki::new();
    let healthy = serve(&pki, Behaviour::Healthy).await;
    let unauthorized = serve(&pki, Behaviour::Unauthorized).await;
    let forbidden = serve(&pki, Behaviour::Forbidden).await;
    let other_pki = Pki::new();
    let untrusted = serve(&other_pki, Behaviour::Healthy).await;

    let dir = tempfile::tempdir().unwrap();
    let mut exec = tls_ctx("exec", &pki, healthy);
    exec.auth = "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: /nonexistent/berth-test-credential-plugin\n      interactiveMode: Never".to_owned();
    let loaded = load(
        &dir,
        &[
            tls_ctx("healthy", &pki, healthy),
            tls_ctx("unauthorized", &pki, unauthorized),
            tls_ctx("forbidden", &pki, forbidden),
            tls_ctx("untrusted", &pki, untrusted),
            Ctx::new("refused", format!("https://127.0.0.1:{}", closed_port())),
            Ctx::new("dns", "https://api.cluster.invalid:6443"),
            exec,
        ],
    );

    let ok = probe(&loaded, "healthy", TIMEOUT).await;
    assert!(ok.reachable, "{:?}", ok.failure);
    assert_eq!(ok.server_version.as_deref(), Some("v1.37.1"));
    assert!(ok.failure.is_none());

    let expect = [
        ("unauthorized", ProbeFailureKind::Unauthorized),
        ("forbidden", ProbeFailureKind::Forbidden),
        ("untrusted", ProbeFailureKind::Tls),
        ("refused", ProbeFailureKind::Refused),
        ("dns", ProbeFailureKind::Dns),
        ("exec", ProbeFailureKind::ExecPlugin),
        ("not-in-kubeconfig", ProbeFailureKind::Config),
    ];
    for (name, kind) in expect {
        let outcome = probe(&loaded, name, TIMEOUT).await;
        assert!(!outcome.reachable, "{name}");
        let failure = outcome.failure.expect(name);
        assert_eq!(failure.kind, kind, "{name}: {}", failure.message);
        assert!(
            !failure.message.is_empty() && !failure.hint.is_empty(),
            "{name}"
        );
        assert!(
            !failure.message.contains("test-token"),
            "{name}: a credential leaked into {}",
            failure.message
        );
    }
    // the server answered /version before rejecting the credentials
    let rejected = probe(&loaded, "unauthorized", TIMEOUT).await;
    assert_eq!(rejected.server_version.as_deref(), Some("v1.37.1"));
}

#[tokio::test]
async fn a_hanging_server_times_out_on_time() {
    let pki = Pki::new();
    let hang = serve(&pki, Behaviour::Hang).await;
    let dir = tempfile::tempdir().unwrap();
    let loaded = load(&dir, &[tls_ctx("hang", &pki, hang)]);
    let started = Instant::now();
    let outcome = probe(&loaded, "hang", Duration::from_millis(700)).await;
    let took = started.elapsed();
    assert_eq!(
        outcome.failure.map(|f| f.kind),
        Some(ProbeFailureKind::Timeout)
    );
    assert!(took < Duration::from_secs(3), "took {took:?}");
}

#[tokio::test]
async fn probes_run_concurrently_and_one_failure_hides_no_other() {
    let pki = Pki::new();
    let healthy = serve(&pki, Behaviour::Healthy).await;
    let hang = serve(&pki, Behaviour::Hang).await;
    let dir = tempfile::tempdir().unwrap();
    let loaded = load(
        &dir,
        &[
            tls_ctx("a", &pki, healthy),
            tls_ctx("hang1", &pki, hang),
            tls_ctx("hang2", &pki, hang),
            tls_ctx("b", &pki, healthy),
        ],
    );
    let timeout = Duration::from_millis(800);
    let started = Instant::now();
    let outcomes =
        futures::future::join_all(["a", "hang1", "hang2", "b"].map(|n| probe(&loaded, n, timeout)))
            .await;
    assert!(
        started.elapsed() < Duration::from_millis(1600),
        "probes ran one after another"
    );
    let reachable: Vec<_> = outcomes.iter().map(|o| o.reachable).collect();
    assert_eq!(reachable, [true, false, false, true]);
}

/// A request that meets a failure tells it as the probe does: the same kind, the same sentence
/// (after the context's name) and a hint, so the Contexts screen, the Services list and the CLI
/// agree about one failure.
#[tokio::test]
async fn requests_and_probes_tell_a_failure_alike() {
    let pki = Pki::new();
    let healthy = serve(&pki, Behaviour::Healthy).await;
    let unauthorized = serve(&pki, Behaviour::Unauthorized).await;
    let untrusted = serve(&Pki::new(), Behaviour::Healthy).await;
    let dir = tempfile::tempdir().unwrap();
    let mut exec = tls_ctx("exec", &pki, healthy);
    exec.auth = "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: /nonexistent/berth-test-credential-plugin\n      interactiveMode: Never".to_owned();
    let mut failing = tls_ctx("failing-plugin", &pki, healthy);
    failing.auth = "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: sh\n      args: [\"-c\", \"echo 'token expired, run: login' >&2; exit 3\"]\n      interactiveMode: Never".to_owned();
    let loaded = load(
        &dir,
        &[
            tls_ctx("unauthorized", &pki, unauthorized),
            tls_ctx("untrusted", &pki, untrusted),
            Ctx::new("refused", format!("https://127.0.0.1:{}", closed_port())),
            Ctx::new("dns", "https://api.cluster.invalid:6443"),
            exec,
            failing,
        ],
    );
    for name in [
        "unauthorized",
        "untrusted",
        "refused",
        "dns",
        "exec",
        "failing-plugin",
    ] {
        let probed = probe(&loaded, name, TIMEOUT).await.failure.expect(name);
        let err = match berth_cluster::Cluster::connect(&loaded, Some(name)).await {
            Err(e) => e,
            Ok(cluster) => cluster.namespace_exists("default").await.unwrap_err(),
        };
        assert_eq!(err.failure_kind(), Some(probed.kind), "{name}: {err}");
        assert_eq!(err.to_string(), format!("{name}: {}", probed.message));
        assert_eq!(err.hint().as_deref(), Some(probed.hint.as_str()), "{name}");
        // one plain sentence: no wrapping of the client's layers
        for garble in [
            "ServiceError",
            "client error",
            "Output {",
            "KUBERNETES_EXEC_INFO",
        ] {
            assert!(!err.to_string().contains(garble), "{name}: {err}");
        }
    }
    let plugin = probe(&loaded, "failing-plugin", TIMEOUT)
        .await
        .failure
        .unwrap();
    assert_eq!(
        plugin.message,
        "the credential plugin `sh` failed with exit code 3: token expired, run: login"
    );
    let missing = probe(&loaded, "exec", TIMEOUT).await.failure.unwrap();
    assert!(
        missing
            .message
            .contains("/nonexistent/berth-test-credential-plugin` is not installed"),
        "{}",
        missing.message
    );
}
