//! CronJob scheduling (on a sped-up simulated clock) and DaemonSets, driven with kubectl.
//! They rely on kubesim's `cronMinuteMs` and node list, so they run in-process only.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn kubectl(kc: &Path, args: &[&str]) -> String {
    let out = Command::new(common::tool("kubectl", "KUBECTL"))
        .arg("--kubeconfig")
        .arg(kc)
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

fn apply(kc: &Path, dir: &Path, manifest: &str) {
    let f = dir.join("manifest.yaml");
    std::fs::write(&f, manifest).unwrap();
    kubectl(kc, &["apply", "--server-side", "-f", f.to_str().unwrap()]);
}

fn eventually(secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(Instant::now() < deadline, "timed out: {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn names(out: &str) -> Vec<String> {
    out.split_whitespace().map(str::to_string).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cronjob_creates_jobs_on_schedule_and_honours_suspend_and_history() {
    let config: kubesim::Config = serde_yaml::from_str(
        "cronMinuteMs: 400\nkubelet: {startDelayMs: 20, readyDelayMs: 20, jobDurationMs: 50}\n",
    )
    .unwrap();
    let sim = kubesim::Sim::start(config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    sim.write_kubeconfig(&kc, "cron").unwrap();
    let kc2 = kc.clone();
    let d = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let kc = kc2.as_path();
        apply(
            kc,
            &d,
            r#"apiVersion: batch/v1
kind: CronJob
metadata: {name: tick, namespace: default}
spec:
  schedule: "*/2 * * * *"
  successfulJobsHistoryLimit: 2
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: busybox}]
"#,
        );
        let jobs = || {
            names(&kubectl(
                kc,
                &["get", "jobs", "-o", "jsonpath={.items[*].metadata.name}"],
            ))
        };
        eventually(
            20,
            "three scheduled Jobs, pruned to the history limit",
            || {
                let status = kubectl(
                    kc,
                    &[
                        "get",
                        "cronjob",
                        "tick",
                        "-o",
                        "jsonpath={.status.lastSuccessfulTime}",
                    ],
                );
                let events = kubectl(kc, &["get", "events", "-o", "jsonpath={.items[*].reason}"]);
                !status.is_empty() && events.matches("SuccessfulDelete").count() >= 1
            },
        );
        let listed = jobs();
        assert!(!listed.is_empty() && listed.len() <= 3, "{listed:?}");
        assert!(listed.iter().all(|j| j.starts_with("tick-")), "{listed:?}");
        // Job names carry the scheduled minute, which `*/2` makes even.
        for j in &listed {
            let minute: i64 = j.trim_start_matches("tick-").parse().unwrap();
            assert_eq!(minute % 2, 0, "{j}");
        }
        // Read from one list: a Job listed a moment ago may be pruned by now (a new one
        // finishes every 800 ms).
        let owners = kubectl(
            kc,
            &[
                "get",
                "jobs",
                "-o",
                "jsonpath={.items[*].metadata.ownerReferences[0].kind}",
            ],
        );
        let owners = names(&owners);
        assert!(
            !owners.is_empty() && owners.iter().all(|o| o == "CronJob"),
            "{owners:?}"
        );
        let last = kubectl(
            kc,
            &[
                "get",
                "cronjob",
                "tick",
                "-o",
                "jsonpath={.status.lastScheduleTime}",
            ],
        );
        assert!(last.ends_with('Z'), "{last}");

        // Suspended: no new Jobs.
        kubectl(
            kc,
            &[
                "patch",
                "cronjob",
                "tick",
                "-p",
                r#"{"spec":{"suspend":true}}"#,
            ],
        );
        std::thread::sleep(Duration::from_millis(500));
        let created = |kc: &Path| {
            kubectl(kc, &["get", "events", "-o", "jsonpath={.items[*].message}"])
                .matches("Created job")
                .count()
        };
        let before = created(kc);
        std::thread::sleep(Duration::from_millis(2000));
        assert_eq!(created(kc), before, "a suspended CronJob creates no Jobs");
        kubectl(
            kc,
            &[
                "patch",
                "cronjob",
                "tick",
                "-p",
                r#"{"spec":{"suspend":false}}"#,
            ],
        );
        eventually(10, "scheduling resumes", || created(kc) > before);
    })
    .await
    .unwrap();
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daemonset_runs_one_pod_per_node_and_rolls_out() {
    let config: kubesim::Config = serde_yaml::from_str(
        "nodes: [n1, n2, n3]\nkubelet: {startDelayMs: 20, readyDelayMs: 20}\n",
    )
    .unwrap();
    let sim = kubesim::Sim::start(config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    sim.write_kubeconfig(&kc, "ds").unwrap();
    let kc2 = kc.clone();
    let d = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let kc = kc2.as_path();
        let manifest = |image: &str| {
            format!(
                r#"apiVersion: apps/v1
kind: DaemonSet
metadata: {{name: agent, namespace: default}}
spec:
  selector: {{matchLabels: {{app: agent}}}}
  template:
    metadata: {{labels: {{app: agent}}}}
    spec:
      containers: [{{name: c, image: {image}}}]
"#
            )
        };
        apply(kc, &d, &manifest("agent:1"));
        kubectl(
            kc,
            &["rollout", "status", "daemonset/agent", "--timeout=30s"],
        );
        let nodes = kubectl(
            kc,
            &[
                "get",
                "pods",
                "-l",
                "app=agent",
                "-o",
                "jsonpath={.items[*].spec.nodeName}",
            ],
        );
        let mut nodes = names(&nodes);
        nodes.sort();
        assert_eq!(nodes, ["n1", "n2", "n3"], "one pod per node");
        let ready = kubectl(
            kc,
            &["get", "ds", "agent", "-o", "jsonpath={.status.numberReady}"],
        );
        assert_eq!(ready, "3");

        apply(kc, &d, &manifest("agent:2"));
        kubectl(
            kc,
            &["rollout", "status", "daemonset/agent", "--timeout=30s"],
        );
        eventually(20, "every pod runs the new image", || {
            let images = kubectl(
                kc,
                &[
                    "get",
                    "pods",
                    "-l",
                    "app=agent",
                    "-o",
                    "jsonpath={.items[*].spec.containers[0].image}",
                ],
            );
            names(&images) == ["agent:2", "agent:2", "agent:2"]
        });
        kubectl(kc, &["delete", "ds", "agent", "--wait=true"]);
        eventually(20, "pods garbage-collected", || {
            kubectl(kc, &["get", "pods", "-l", "app=agent", "-o", "name"]).is_empty()
        });
    })
    .await
    .unwrap();
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hpa_scales_a_deployment_on_the_simulated_load() {
    let config: kubesim::Config = serde_yaml::from_str(
        "kubelet: {startDelayMs: 20, readyDelayMs: 20}\nmetrics:\n- {selector: app=web, cpuMillis: 20, memoryMib: 64}\n",
    )
    .unwrap();
    let sim = kubesim::Sim::start(config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    sim.write_kubeconfig(&kc, "hpa").unwrap();
    let kc2 = kc.clone();
    let d = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let kc = kc2.as_path();
        apply(
            kc,
            &d,
            r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: nginx, resources: {requests: {cpu: 100m}}}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: default}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 4
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
  behavior:
    scaleDown: {stabilizationWindowSeconds: 0}
"#,
        );
        let replicas = || {
            kubectl(
                kc,
                &["get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"],
            )
        };
        eventually(20, "the HPA reports 20% utilization", || {
            kubectl(
                kc,
                &[
                    "get",
                    "hpa",
                    "web",
                    "-o",
                    "jsonpath={.status.currentMetrics[*].resource.current.averageUtilization}",
                ],
            ) == "20"
        });
        assert_eq!(replicas(), "1", "low load keeps the minimum");

        // Raise the load through the admin endpoint: 150% of the request per pod.
        let rules = d.join("load.yaml");
        std::fs::write(&rules, "- {selector: app=web, cpuMillis: 150}\n").unwrap();
        kubectl(
            kc,
            &[
                "replace",
                "--raw",
                "/kubesim/v1/metrics",
                "-f",
                rules.to_str().unwrap(),
            ],
        );
        eventually(30, "scaled up to maxReplicas", || replicas() == "4");
        eventually(10, "ScalingLimited", || {
            kubectl(
                kc,
                &[
                    "get",
                    "hpa",
                    "web",
                    "-o",
                    "jsonpath={.status.conditions[?(@.type==\"ScalingLimited\")].reason}",
                ],
            ) == "TooManyReplicas"
        });
        kubectl(kc, &["rollout", "status", "deploy/web", "--timeout=30s"]);

        std::fs::write(&rules, "- {selector: app=web, cpuMillis: 10}\n").unwrap();
        kubectl(
            kc,
            &[
                "replace",
                "--raw",
                "/kubesim/v1/metrics",
                "-f",
                rules.to_str().unwrap(),
            ],
        );
        eventually(30, "scaled down to minReplicas", || replicas() == "1");
        let events = kubectl(kc, &["get", "events", "-o", "jsonpath={.items[*].reason}"]);
        assert!(events.contains("SuccessfulRescale"), "{events}");
    })
    .await
    .unwrap();
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn process_backed_pod_metrics_come_from_proc() {
    // Make this process's RSS larger than any synthetic value (at most 128 MiB).
    let ballast: Vec<u8> = (0..300usize << 20).map(|i| (i % 251) as u8 + 1).collect();
    let config: kubesim::Config = serde_yaml::from_str(&format!(
        "kubelet: {{startDelayMs: 20, readyDelayMs: 20}}\nbackends:\n- {{selector: app=proc, pid: {}}}\n",
        std::process::id()
    ))
    .unwrap();
    let sim = kubesim::Sim::start(config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    sim.write_kubeconfig(&kc, "proc").unwrap();
    let kc2 = kc.clone();
    let d = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let kc = kc2.as_path();
        apply(
            kc,
            &d,
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: default, labels: {app: proc}}\nspec:\n  containers: [{name: c, image: postgres}]\n",
        );
        let usage = || -> (u64, u64) {
            let out = kubectl(
                kc,
                &["get", "--raw", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/p"],
            );
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            let u = &v["containers"][0]["usage"];
            let cpu = u["cpu"].as_str().unwrap().trim_end_matches('m').parse().unwrap();
            let mem = u["memory"].as_str().unwrap().trim_end_matches("Ki").parse().unwrap();
            (cpu, mem)
        };
        eventually(10, "pod running", || {
            kubectl(kc, &["get", "pod", "p", "-o", "jsonpath={.status.phase}"]) == "Running"
        });
        let rss_kib: u64 = std::fs::read_to_string("/proc/self/status")
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap();
        // This process's own CPU-time rate over a window enclosing kubesim's two samples,
        // from /proc/self/stat (utime + stime, 100 ticks a second).
        let ticks = || -> u64 {
            let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
            let f: Vec<u64> = stat[stat.rfind(')').unwrap() + 2..]
                .split_whitespace()
                .skip(11)
                .take(2)
                .map(|v| v.parse().unwrap())
                .collect();
            f[0] + f[1]
        };
        let (t0, w0) = (ticks(), Instant::now());
        let (_, mem) = usage();
        assert!(mem > 290 * 1024, "RSS of the bound process, not synthetic: {mem}Ki");
        assert!(
            mem.abs_diff(rss_kib) < rss_kib / 4,
            "{mem}Ki vs VmRSS {rss_kib}Ki"
        );
        // Burn CPU for a second: the next sample's rate shows it.
        let start = Instant::now();
        let mut x = 0u64;
        while start.elapsed() < Duration::from_millis(1200) {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
        }
        std::hint::black_box(x);
        let (cpu, _) = usage();
        let measured = (ticks() - t0) as f64 * 10.0 / w0.elapsed().as_secs_f64();
        // Above any synthetic value (at most 49m), and what /proc says: on a busy machine
        // the burning thread gets less than a core, so compare with the measured rate.
        assert!(
            cpu >= 100 && cpu as f64 >= measured * 0.6,
            "CPU-time rate of the bound process: {cpu}m, /proc/self/stat says {measured:.0}m"
        );
    })
    .await
    .unwrap();
    drop(ballast);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_api_can_be_switched_off() {
    let config: kubesim::Config = serde_yaml::from_str("metricsApi: false\n").unwrap();
    let sim = kubesim::Sim::start(config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    sim.write_kubeconfig(&kc, "nometrics").unwrap();
    tokio::task::spawn_blocking(move || {
        let groups = kubectl(&kc, &["api-versions"]);
        assert!(groups.contains("apps/v1"), "{groups}");
        assert!(!groups.contains("metrics.k8s.io"), "{groups}");
        let out = Command::new(common::tool("kubectl", "KUBECTL"))
            .arg("--kubeconfig")
            .arg(&kc)
            .args([
                "get",
                "--raw",
                "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods",
            ])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("NotFound") || stderr.contains("not find"),
            "{stderr}"
        );
        let top = Command::new(common::tool("kubectl", "KUBECTL"))
            .arg("--kubeconfig")
            .arg(&kc)
            .args(["top", "pods"])
            .output()
            .unwrap();
        assert!(!top.status.success(), "kubectl top needs the metrics API");
    })
    .await
    .unwrap();
    sim.shutdown().await;
}

/// Growing a StatefulSet's volumes the way it is done on a real cluster, with kubectl: the
/// claims grow only upwards and only when their class allows expansion; the StatefulSet deleted
/// with `--cascade=orphan` leaves its pods running, and the one made again adopts them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statefulset_volumes_grow_through_their_claims_and_orphans_are_adopted() {
    let config: kubesim::Config =
        serde_yaml::from_str("kubelet: {startDelayMs: 20, readyDelayMs: 20}\n").unwrap();
    let sim = kubesim::Sim::start(config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    sim.write_kubeconfig(&kc, "sts").unwrap();
    let (kc2, d) = (kc.clone(), dir.path().to_path_buf());
    tokio::task::spawn_blocking(move || {
        let kc = kc2.as_path();
        let sts = |size: &str, class: &str| {
            format!(
                r#"apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: db, namespace: default}}
spec:
  serviceName: db
  replicas: 1
  selector: {{matchLabels: {{app: db}}}}
  template:
    metadata: {{labels: {{app: db}}}}
    spec:
      containers: [{{name: c, image: db:1}}]
  volumeClaimTemplates:
  - metadata: {{name: data}}
    spec: {{accessModes: [ReadWriteOnce], storageClassName: {class}, resources: {{requests: {{storage: {size}}}}}}}
"#
            )
        };
        apply(kc, &d, &sts("1Gi", "standard"));
        let get = |args: &[&str]| kubectl(kc, args).trim().to_owned();
        eventually(20, "db-0 running", || {
            get(&["get", "pod", "db-0", "-o", "jsonpath={.status.phase}"]) == "Running"
        });
        let uid = get(&["get", "pod", "db-0", "-o", "jsonpath={.metadata.uid}"]);

        // the template is fixed; the claim grows (the default class allows it), never shrinks
        let f = d.join("grown.yaml");
        std::fs::write(&f, sts("2Gi", "standard")).unwrap();
        let refused = Command::new(common::tool("kubectl", "KUBECTL"))
            .arg("--kubeconfig")
            .arg(kc)
            .args(["apply", "--server-side", "-f"])
            .arg(&f)
            .output()
            .unwrap();
        assert!(!refused.status.success());
        assert!(
            String::from_utf8_lossy(&refused.stderr)
                .contains("updates to statefulset spec for fields other than"),
            "{}",
            String::from_utf8_lossy(&refused.stderr)
        );
        let patch = |size: &str| {
            Command::new(common::tool("kubectl", "KUBECTL"))
                .arg("--kubeconfig")
                .arg(kc)
                .args(["patch", "pvc", "data-db-0", "--type=merge", "-p"])
                .arg(format!(
                    r#"{{"spec":{{"resources":{{"requests":{{"storage":"{size}"}}}}}}}}"#
                ))
                .output()
                .unwrap()
        };
        assert!(patch("2Gi").status.success());
        eventually(20, "capacity 2Gi", || {
            get(&["get", "pvc", "data-db-0", "-o", "jsonpath={.status.capacity.storage}"]) == "2Gi"
        });
        let shrink = patch("1Gi");
        assert!(!shrink.status.success());
        assert!(
            String::from_utf8_lossy(&shrink.stderr).contains("can not be less than"),
            "{}",
            String::from_utf8_lossy(&shrink.stderr)
        );

        // orphaned, then adopted: the pod is the same one
        kubectl(kc, &["delete", "statefulset", "db", "--cascade=orphan"]);
        eventually(20, "db gone", || {
            get(&["get", "statefulsets", "-o", "name"]).is_empty()
        });
        assert_eq!(
            get(&["get", "pod", "db-0", "-o", "jsonpath={.metadata.uid}"]),
            uid
        );
        apply(kc, &d, &sts("2Gi", "standard"));
        eventually(20, "db-0 adopted", || {
            get(&["get", "pod", "db-0", "-o", "jsonpath={.metadata.ownerReferences[0].kind}"])
                == "StatefulSet"
                && get(&["get", "sts", "db", "-o", "jsonpath={.status.readyReplicas}"]) == "1"
        });
        assert_eq!(
            get(&["get", "pod", "db-0", "-o", "jsonpath={.metadata.uid}"]),
            uid
        );

        // a class that does not allow expansion: the claim keeps its size
        apply(
            kc,
            &d,
            "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: fixed}\nprovisioner: kubesim.dev/hostpath\n",
        );
        apply(
            kc,
            &d,
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: fixed, namespace: default}\nspec: {accessModes: [ReadWriteOnce], storageClassName: fixed, resources: {requests: {storage: 1Gi}}}\n",
        );
        let grow = Command::new(common::tool("kubectl", "KUBECTL"))
            .arg("--kubeconfig")
            .arg(kc)
            .args([
                "patch",
                "pvc",
                "fixed",
                "--type=merge",
                "-p",
                r#"{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}"#,
            ])
            .output()
            .unwrap();
        assert!(!grow.status.success());
        assert!(
            String::from_utf8_lossy(&grow.stderr).contains("must support resize"),
            "{}",
            String::from_utf8_lossy(&grow.stderr)
        );
    })
    .await
    .unwrap();
    sim.shutdown().await;
}
