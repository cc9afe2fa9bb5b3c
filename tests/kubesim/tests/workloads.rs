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
        let owner = kubectl(
            kc,
            &[
                "get",
                "job",
                &listed[0],
                "-o",
                "jsonpath={.metadata.ownerReferences[0].kind}",
            ],
        );
        assert_eq!(owner, "CronJob");
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
