//! Metrics, logs and port-forward sessions through the API, as the desktop app calls them,
//! against kubesim (or the cluster named by `BERTH_TEST_KUBECONFIG`). Needs a keyring: run under
//! `scripts/with-keyring.sh`.

mod support;

use std::sync::Mutex;

use berth_api::{
    Api, CancellationToken, ErrorCode, InstallInput, InstanceMetrics, InstanceRef, LogsInput,
    MetricsHistoryInput, PodResources, PortForwardInput,
};

fn api(home: &std::path::Path, kubeconfig: &std::path::Path, test: &str) -> Api {
    support::api_and_keyring(home, kubeconfig, "observe", test).0
}

async fn install(
    api: &Api,
    cluster: &kubesim::testing::TestCluster,
    service: &str,
    name: &str,
    ns: &str,
) {
    api.install(
        &InstallInput {
            service: service.into(),
            name: Some(name.into()),
            context: cluster.context().map(str::to_owned),
            namespace: Some(ns.into()),
            create_namespace: true,
            set: vec!["replicas=2".into()],
            ..InstallInput::default()
        },
        &|_| {},
    )
    .await
    .unwrap();
}

fn which(cluster: &kubesim::testing::TestCluster, name: &str, ns: &str) -> InstanceRef {
    InstanceRef {
        name: name.into(),
        context: cluster.context().map(str::to_owned),
        namespace: Some(ns.into()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_sample_every_pod() {
    let mut config = kubesim::Config::default();
    config.metrics.push(kubesim::config::LoadRule {
        selector: "app.kubernetes.io/instance=mc".into(),
        cpu_millis: 150,
        memory_mib: 64,
        ..Default::default()
    });
    let cluster = kubesim::testing::cluster_with(config).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let api = api(home.path(), cluster.kubeconfig(), "metrics");
    install(&api, &cluster, "memcached", "mc", "obs-metrics").await;

    let metrics = api
        .instance_metrics(&which(&cluster, "mc", "obs-metrics"))
        .await
        .unwrap();
    let InstanceMetrics::Samples { pods } = metrics else {
        panic!("no metrics: {metrics:?}");
    };
    assert_eq!(pods.len(), 2, "{pods:?}");
    for p in &pods {
        assert!(p.pod.starts_with("mc-"), "{p:?}");
        assert!(
            p.timestamp.ends_with('Z') && p.timestamp.len() >= 20,
            "{p:?}"
        );
        assert!(p.cpu_millicores > 0 && p.memory_bytes > 0, "{p:?}");
        assert_eq!(
            p.cpu_millicores,
            p.containers.iter().map(|c| c.cpu_millicores).sum::<u32>()
        );
        if cluster.sim().is_some() {
            assert_eq!(p.cpu_millicores, 150, "{p:?}");
            assert_eq!(p.memory_bytes, 64 << 20, "{p:?}");
        }
    }
    // JSON as the UI sees it
    let json = serde_json::to_value(InstanceMetrics::Samples { pods: pods.clone() }).unwrap();
    assert_eq!(json["kind"], "samples");
    assert!(json["pods"][0]["cpuMillicores"].is_u64(), "{json}");
    assert!(json["pods"][0]["memoryBytes"].is_u64(), "{json}");

    // an unknown instance
    let err = api
        .instance_metrics(&which(&cluster, "nothere", "obs-metrics"))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound, "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_history_keeps_every_sample_with_requests_and_limits() {
    let mut config = kubesim::Config::default();
    config.metrics.push(kubesim::config::LoadRule {
        selector: "app.kubernetes.io/instance=hist".into(),
        cpu_millis: 120,
        memory_mib: 48,
        ..Default::default()
    });
    let cluster = kubesim::testing::cluster_with(config).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let api = api(home.path(), cluster.kubeconfig(), "history");
    install(&api, &cluster, "memcached", "hist", "obs-history").await;
    let which = which(&cluster, "hist", "obs-history");
    let input = MetricsHistoryInput {
        instance: which.clone(),
        since_seconds: 15 * 60,
    };

    // nothing watched yet: the pods and their bounds, no samples
    let empty = api.metrics_history(&input).await.unwrap();
    assert_eq!(empty.pods.len(), 2, "{empty:?}");
    assert!(empty.pods.iter().all(|p| p.points.is_empty()), "{empty:?}");

    // three rounds, a second apart (samples are kept per whole second)
    let mut taken = Vec::new();
    for round in 0..3 {
        if round > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(1050)).await;
        }
        match api.instance_metrics(&which).await.unwrap() {
            InstanceMetrics::Samples { pods } => taken.extend(pods),
            other => panic!("no metrics: {other:?}"),
        }
    }
    let history = api.metrics_history(&input).await.unwrap();
    assert_eq!(history.name, "hist");
    assert_eq!(history.namespace, "obs-history");
    assert!(history.from_ms < history.to_ms);
    assert_eq!(history.pods.len(), 2, "{history:?}");
    for pod in &history.pods {
        let mine: Vec<_> = taken.iter().filter(|s| s.pod == pod.pod).collect();
        assert!(mine.len() == 3 && pod.points.len() == 3, "{pod:?} {mine:?}");
        for (point, sample) in pod.points.iter().zip(&mine) {
            assert_eq!(point.cpu_millicores, sample.cpu_millicores, "{pod:?}");
            assert_eq!(point.memory_bytes, sample.memory_bytes, "{pod:?}");
            assert!(point.at_ms >= history.from_ms && point.at_ms <= history.to_ms);
        }
        assert!(
            pod.points.windows(2).all(|w| w[0].at_ms < w[1].at_ms),
            "{pod:?}"
        );
        // the memcached defaults: 250m requested, twice that as limit, 512Mi both
        assert_eq!(
            pod.resources,
            Some(PodResources {
                cpu_request_millicores: Some(250),
                cpu_limit_millicores: Some(500),
                memory_request_bytes: Some(512 << 20),
                memory_limit_bytes: Some(512 << 20),
            }),
            "{pod:?}"
        );
    }
    let json = serde_json::to_value(&history).unwrap();
    assert!(json["pods"][0]["points"][0]["atMs"].is_number(), "{json}");
    assert_eq!(json["pods"][0]["resources"]["cpuLimitMillicores"], 500);

    // another instance's samples are not mixed in
    let other = MetricsHistoryInput {
        instance: InstanceRef {
            name: "nothere".into(),
            ..which.clone()
        },
        since_seconds: 60,
    };
    let err = api.metrics_history(&other).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound, "{err:?}");

    // a range beyond the longest is refused (beyond the 24 h kept, see the Prometheus test)
    for since_seconds in [0, 30 * 24 * 3600 + 1] {
        let err = api
            .metrics_history(&MetricsHistoryInput {
                since_seconds,
                ..input.clone()
            })
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput, "{err:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_say_when_the_cluster_has_no_metrics_api() {
    if std::env::var_os(kubesim::testing::KUBECONFIG_ENV).is_some() {
        return; // a real cluster's metrics-server cannot be switched off from here
    }
    let config = kubesim::Config {
        metrics_api: false,
        ..Default::default()
    };
    let cluster = kubesim::testing::cluster_with(config).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let api = api(home.path(), cluster.kubeconfig(), "nometrics");
    install(&api, &cluster, "memcached", "mc", "obs-nometrics").await;
    let metrics = api
        .instance_metrics(&which(&cluster, "mc", "obs-nometrics"))
        .await
        .unwrap();
    match &metrics {
        InstanceMetrics::NoMetricsApi { message } => {
            assert!(message.contains("metrics-server"), "{message}")
        }
        other => panic!("expected no metrics API: {other:?}"),
    }
    assert_eq!(
        serde_json::to_value(&metrics).unwrap()["kind"],
        "noMetricsApi"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_stream_into_a_sink_and_stop_when_cancelled() {
    let cluster = kubesim::testing::cluster().await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let api = api(home.path(), cluster.kubeconfig(), "logs");
    install(&api, &cluster, "memcached", "mc", "obs-apilogs").await;
    let lines = std::sync::Arc::new(Mutex::new(Vec::new()));
    let cancel = CancellationToken::new();
    let input = LogsInput {
        instance: which(&cluster, "mc", "obs-apilogs"),
        follow: true,
        ..LogsInput::default()
    };
    let task = {
        let (api, lines, cancel) = (api.clone(), lines.clone(), cancel.clone());
        tokio::spawn(async move {
            let sink = move |l| lines.lock().unwrap().push(l);
            api.instance_logs(&input, &sink, cancel).await
        })
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while lines.lock().unwrap().len() < 2 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    cancel.cancel();
    tokio::time::timeout(std::time::Duration::from_secs(5), task)
        .await
        .expect("the stream ends when cancelled")
        .unwrap()
        .unwrap();
    let lines = lines.lock().unwrap();
    let mut pods: Vec<&str> = lines.iter().map(|l| l.pod.as_str()).collect();
    pods.sort();
    pods.dedup();
    assert_eq!(pods.len(), 2, "{lines:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn port_forward_sessions_start_list_reveal_and_stop() {
    let cluster = kubesim::testing::cluster().await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let api = api(home.path(), cluster.kubeconfig(), "forward");
    install(&api, &cluster, "redis", "rd", "obs-forward").await;
    let session = api
        .start_port_forward(&PortForwardInput {
            instance: which(&cluster, "rd", "obs-forward"),
            port: None,
        })
        .await
        .unwrap();
    assert_eq!(session.local_host, "127.0.0.1");
    assert!(session.has_password);
    assert_eq!(
        session.uri,
        format!("redis://default:****@127.0.0.1:{}/0", session.local_port)
    );
    // the port is open while the session lives
    tokio::net::TcpStream::connect(("127.0.0.1", session.local_port))
        .await
        .unwrap();
    assert_eq!(api.port_forwards(), vec![session.clone()]);
    let revealed = api.reveal_connection_uri(&session.id).await.unwrap();
    assert!(!revealed.contains("****"), "{revealed}");
    assert!(
        revealed.starts_with("redis://default:")
            && revealed.ends_with(&format!("@127.0.0.1:{}/0", session.local_port)),
        "{revealed}"
    );
    assert!(api.stop_port_forward(&session.id).await.unwrap());
    assert!(!api.stop_port_forward(&session.id).await.unwrap());
    assert!(api.port_forwards().is_empty());
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", session.local_port))
            .await
            .is_err(),
        "closed after stop"
    );
    let err = api.reveal_connection_uri(&session.id).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
}

/// The desktop's Terminal tab: a shell in a pod, fed keystrokes, printing their output, ending
/// with the command's exit code; a session whose window goes away ends too. On kubesim the
/// "pod" runs the shell as a local process (no pty); on a real cluster the terminal also echoes
/// what is typed, which holds `$((40+2))`, not its value, so the assertions hold on both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminal_session_runs_typed_commands_and_reports_the_exit_code() {
    let cluster = kubesim::testing::cluster().await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let api = api(home.path(), cluster.kubeconfig(), "terminal");
    install(&api, &cluster, "memcached", "mc", "term").await;
    let open = berth_api::TerminalOpen {
        instance: which(&cluster, "mc", "term"),
        cols: 100,
        rows: 30,
        ..Default::default()
    };
    let events = std::sync::Arc::new(Mutex::new(Vec::new()));
    let sink = {
        let events = events.clone();
        move |e: berth_api::TerminalEvent| events.lock().unwrap().push(e)
    };
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tx.send(berth_api::TerminalInput::Resize(120, 40)).unwrap();
    tx.send(berth_api::TerminalInput::Data(
        b"echo \"ready-$((40+2)) \xc3\xa9t\xc3\xa9\"\nexit 7\n".to_vec(),
    ))
    .unwrap();
    let code = api
        .run_terminal(&open, rx, &sink, CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(code, Some(7));
    let events = events.lock().unwrap().clone();
    assert!(
        matches!(&events[0], berth_api::TerminalEvent::Opened { pod, .. } if pod.starts_with("mc-")),
        "{events:?}"
    );
    let output: String = events
        .iter()
        .filter_map(|e| match e {
            berth_api::TerminalEvent::Output { data } => Some(data.as_str()),
            _ => None,
        })
        .collect();
    assert!(output.contains("ready-42 été"), "{output:?}");
    assert_eq!(
        events.last(),
        Some(&berth_api::TerminalEvent::Exited { code: Some(7) })
    );

    // the window closes (its input side dropped): the session ends without an exit code
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    drop(tx);
    let code = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        api.run_terminal(&open, rx, &|_| {}, CancellationToken::new()),
    )
    .await
    .expect("the session ended")
    .unwrap();
    assert_eq!(code, None);

    // an instance that does not exist: refused with notFound
    let missing = berth_api::TerminalOpen {
        instance: which(&cluster, "nope", "term"),
        ..Default::default()
    };
    let (_tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let err = api
        .run_terminal(&missing, rx, &|_| {}, CancellationToken::new())
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound, "{err:?}");
    cluster.shutdown().await;
}

/// OpenMetrics series as cAdvisor names them, one point a minute over `days` up to now: each
/// (namespace, pod, container, millicores, MiB) a steady CPU rate and working set.
fn cadvisor_series(days: i64, pods: &[(&str, &str, &str, u64, u64)]) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let start = now - days * 86_400;
    let mut cpu = String::new();
    let mut memory = String::new();
    for (ns, pod, container, millicores, mib) in pods {
        let labels = format!("namespace=\"{ns}\",pod=\"{pod}\",container=\"{container}\"");
        for at in (start..=now).step_by(60) {
            let seconds = (at - start) as f64 * *millicores as f64 / 1000.0;
            cpu.push_str(&format!(
                "container_cpu_usage_seconds_total{{{labels}}} {seconds} {at}\n"
            ));
            memory.push_str(&format!(
                "container_memory_working_set_bytes{{{labels}}} {} {at}\n",
                mib << 20
            ));
        }
    }
    format!("{cpu}{memory}# EOF\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_history_reads_long_ranges_from_the_clusters_prometheus() {
    if std::env::var_os(kubesim::testing::KUBECONFIG_ENV).is_some() {
        return; // a real cluster's Prometheus cannot be filled with known series from here
    }
    let port = realdb::free_port().unwrap();
    let mut config = kubesim::Config::default();
    config.backends.push(kubesim::config::Backend {
        namespace: Some("monitoring".into()),
        selector: "app=prom".into(),
        ports: [("9090".to_string(), format!("127.0.0.1:{port}"))].into(),
        skip_probes: true,
        ..Default::default()
    });
    let cluster = kubesim::testing::cluster_with(config).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let api = api(home.path(), cluster.kubeconfig(), "prometheus");
    let ns = "obs-prom";
    install(&api, &cluster, "memcached", "mem", ns).await;
    let which = which(&cluster, "mem", ns);
    let range = |days: u32| MetricsHistoryInput {
        instance: which.clone(),
        since_seconds: days * 86_400,
    };

    // no Prometheus: more than the 24 h Berth keeps is refused, saying why
    let err = api.metrics_history(&range(7)).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Unsupported, "{err:?}");
    assert!(err.message.contains("Prometheus"), "{err:?}");

    // the cluster's Prometheus: a Service as the community chart names it, its pod bound to a
    // real Prometheus holding three days of this instance's pods, a look-alike's and another
    // namespace's pod of the same name
    let client = cluster.client().await.unwrap();
    let apply = |v: serde_json::Value| {
        let client = client.clone();
        async move {
            let obj: kube::api::DynamicObject = serde_json::from_value(v).unwrap();
            let kind = obj.types.clone().unwrap();
            let ar = kube::api::ApiResource::from_gvk(
                &kube::api::GroupVersionKind::try_from(&kind).unwrap(),
            );
            let api: kube::Api<kube::api::DynamicObject> = match obj.metadata.namespace.as_deref() {
                Some(ns) => kube::Api::namespaced_with(client, ns, &ar),
                None => kube::Api::all_with(client, &ar),
            };
            api.create(&Default::default(), &obj).await.unwrap();
        }
    };
    apply(serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "monitoring"}})).await;
    apply(serde_json::json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "prometheus-server-0", "namespace": "monitoring", "labels": {"app": "prom"}},
        "spec": {"containers": [{"name": "prometheus", "image": "prom/prometheus:v2.53.0",
            "ports": [{"name": "web", "containerPort": 9090}]}]}})).await;
    apply(serde_json::json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "prometheus-server", "namespace": "monitoring",
            "labels": {"app.kubernetes.io/name": "prometheus", "app.kubernetes.io/component": "server"}},
        "spec": {"selector": {"app": "prom"}, "ports": [{"name": "http", "port": 80, "targetPort": "web"}]}})).await;
    let mine: Vec<String> = api
        .metrics_history(&MetricsHistoryInput {
            instance: which.clone(),
            since_seconds: 60,
        })
        .await
        .unwrap()
        .pods
        .into_iter()
        .map(|p| p.pod)
        .collect();
    assert_eq!(mine.len(), 2, "{mine:?}");
    let series = cadvisor_series(
        3,
        &[
            (ns, &mine[0], "memcached", 120, 48),
            (ns, &mine[1], "memcached", 300, 96),
            (ns, &mine[0], "POD", 900, 900), // the pause container: not the service's
            (ns, "mem-copy-0", "memcached", 900, 900),
            ("elsewhere", &mine[0], "memcached", 900, 900),
        ],
    );
    let prometheus = realdb::Prometheus::start_with_series(port, &series).unwrap();

    for days in [7, 1] {
        let history = api.metrics_history(&range(days)).await.unwrap();
        assert_eq!(
            history.prometheus.as_deref(),
            Some("monitoring/prometheus-server"),
            "{days} d: {:?}",
            history.notice
        );
        let pods: Vec<&str> = history.pods.iter().map(|p| p.pod.as_str()).collect();
        assert_eq!(pods, [mine[0].as_str(), mine[1].as_str()], "{days} d");
        for (pod, millicores, mib) in [(&history.pods[0], 120, 48), (&history.pods[1], 300, 96)] {
            // about 300 points over the range; three days of data fill all of one day's
            let expected = if days == 1 { 280 } else { 120 };
            assert!(
                pod.points.len() >= expected,
                "{days} d: {} points",
                pod.points.len()
            );
            // the first points' rate windows reach back before the data began
            for p in pod.points.iter().skip(3) {
                assert!(
                    p.cpu_millicores.abs_diff(millicores) <= 2,
                    "{days} d {}: {} m",
                    pod.pod,
                    p.cpu_millicores
                );
                assert_eq!(p.memory_bytes, mib << 20, "{days} d {}", pod.pod);
            }
            assert!(pod.resources.is_some());
        }
    }

    // Prometheus gone: a day comes from the samples Berth kept, saying so; a week cannot
    drop(prometheus);
    let day = api.metrics_history(&range(1)).await.unwrap();
    assert_eq!(day.prometheus, None);
    assert!(
        day.notice
            .as_deref()
            .is_some_and(|n| n.contains("monitoring/prometheus-server")),
        "{:?}",
        day.notice
    );
    let err = api.metrics_history(&range(7)).await.unwrap_err();
    assert!(err.message.contains("Prometheus"), "{err:?}");
    cluster.shutdown().await;
}
