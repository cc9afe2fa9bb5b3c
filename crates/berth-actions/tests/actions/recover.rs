//! `Recover`: an operation that did not finish is marked failed; recover rolls a first
//! install back to nothing.

use berth_actions::{Recover, RecoveryKind};
use berth_store::{Operation, RevisionStatus};
use kubesim::config::{ErrorRule, Faults};

use crate::support::{Env, quiet};

#[tokio::test(flavor = "multi_thread")]
async fn recover_rollback_removes_a_first_install_that_failed() {
    let env = Env::new("recover").await;
    let Some(sim) = env.sim() else { return };
    let ns = "act-recover";
    let keys = env.credential_keys("redis");
    let sink = |p: berth_actions::Progress| {
        if matches!(&p, berth_actions::Progress::Step(step) if step == "apply") {
            sim.set_faults(Faults {
                errors: vec![ErrorRule {
                    verb: Some("patch".into()),
                    resource: Some("statefulsets".into()),
                    code: 403,
                    rate: 1.0,
                    message: None,
                }],
                ..Faults::default()
            });
        }
    };
    env.install("redis", "cache", ns)
        .run(&sink)
        .await
        .unwrap_err();
    sim.set_faults(Faults::default());
    assert_eq!(env.history(ns, "cache")[0].status, RevisionStatus::Failed);

    let mut recover = Recover::new(&env.cfg, "cache");
    recover.namespace = Some(ns.to_owned());
    recover.rollback = true;
    let done = recover.run(&quiet).await.unwrap();
    assert_eq!(done.kind, RecoveryKind::Removed);
    assert_eq!(done.target_revision, None);
    assert_eq!(env.count("v1", "Service", ns, "cache").await, 0);
    assert_eq!(env.count("v1", "Secret", ns, "cache").await, 0);
    let history = env.history(ns, "cache");
    assert_eq!(
        (history[0].operation, history[0].status),
        (Operation::Recover, RevisionStatus::Succeeded)
    );
    // nothing left to recover
    assert!(recover.run(&quiet).await.unwrap_err().is_invalid_input());
    env.forget(ns, "cache", &keys);
    env.shutdown().await;
}
