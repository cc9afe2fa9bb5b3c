//! `Stop` and `Start`: the replicas, the record, the revisions (which carry the digest of the
//! objects they leave in place).

use berth_actions::{Start, Stop};
use berth_store::{Operation, RevisionStatus};

use crate::support::{Env, quiet};

#[tokio::test(flavor = "multi_thread")]
async fn stop_and_start_restore_what_ran() {
    let env = Env::new("stop-start").await;
    let ns = "act-stop-start";
    let keys = env.credential_keys("redis");
    env.install("redis", "cache", ns).run(&quiet).await.unwrap();
    let replicas = |sts: serde_json::Value| sts["spec"]["replicas"].as_i64();

    let mut stop = Stop::new(&env.cfg, "cache");
    stop.namespace = Some(ns.to_owned());
    let stopped = stop.run(&quiet).await.unwrap();
    assert!(stopped.changed);
    assert_eq!(stopped.revision, Some(2));
    let sts = env
        .object("apps/v1", "StatefulSet", ns, "cache")
        .await
        .unwrap();
    assert_eq!(replicas(sts), Some(0));
    assert!(env.record(ns, "cache").await.unwrap().stopped.is_some());
    // stopping again changes nothing and records nothing
    assert!(!stop.run(&quiet).await.unwrap().changed);
    assert_eq!(env.history(ns, "cache").len(), 2);

    let mut start = Start::new(&env.cfg, "cache");
    start.namespace = Some(ns.to_owned());
    start.timeout = std::time::Duration::from_secs(60);
    let started = start.run(&quiet).await.unwrap();
    assert_eq!(started.revision, Some(3));
    let sts = env
        .object("apps/v1", "StatefulSet", ns, "cache")
        .await
        .unwrap();
    assert_eq!(replicas(sts), Some(stopped.workloads[0].2));
    assert!(env.record(ns, "cache").await.unwrap().stopped.is_none());

    let history = env.history(ns, "cache");
    let ops: Vec<_> = history.iter().map(|r| (r.operation, r.status)).collect();
    assert_eq!(
        ops,
        [
            (Operation::Start, RevisionStatus::Succeeded),
            (Operation::Stop, RevisionStatus::Superseded),
            (Operation::Install, RevisionStatus::Superseded),
        ]
    );
    assert!(
        history
            .iter()
            .all(|r| r.manifest_digest == history[2].manifest_digest)
    );
    env.forget(ns, "cache", &keys);
    env.shutdown().await;
}
