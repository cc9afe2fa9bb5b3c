//! `Install`: the revision, the record, the credentials; a dry run; refusals that undo the
//! early keyring write; an apply that fails midway.

use berth_actions::{ActionError, Progress};
use berth_store::{Operation, RevisionStatus};
use kubesim::config::{ErrorRule, Faults};

use crate::support::{Env, quiet};

#[tokio::test(flavor = "multi_thread")]
async fn install_records_a_succeeded_revision_with_its_digest() {
    let env = Env::new("install").await;
    let ns = "act-install";
    let keys = env.credential_keys("redis");
    assert!(!keys.is_empty());
    let done = env.install("redis", "cache", ns).run(&quiet).await.unwrap();
    assert_eq!((done.revision, done.ready, done.dry_run), (1, true, false));

    let history = env.history(ns, "cache");
    assert_eq!(history.len(), 1);
    let rev = &history[0];
    assert_eq!(
        (rev.operation, rev.status),
        (Operation::Install, RevisionStatus::Succeeded)
    );
    let digest = rev.manifest_digest.as_deref().expect("a manifest digest");
    assert!(
        digest.starts_with("sha256:") && digest.len() == 71,
        "{digest}"
    );

    let record = env.record(ns, "cache").await.expect("the record");
    assert_eq!((record.revision, record.definition.as_str()), (1, "redis"));
    assert_eq!(record.credentials, keys);
    for key in &keys {
        let value = env
            .credential(ns, "cache", key)
            .expect("kept in the keyring");
        assert!(value.len() >= 16, "{key}");
    }
    assert!(
        env.object("apps/v1", "StatefulSet", ns, "cache")
            .await
            .is_some()
    );
    env.forget(ns, "cache", &keys);
    env.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_writes_nothing() {
    let env = Env::new("dry-run").await;
    let ns = "act-dry-run";
    let keys = env.credential_keys("redis");
    let mut install = env.install("redis", "cache", ns);
    install.dry_run = true;
    let done = install.run(&quiet).await.unwrap();
    assert!(done.dry_run && done.created_namespace);
    assert_eq!(done.revision, 0);
    assert!(done.objects.iter().any(|o| o["kind"] == "StatefulSet"));
    // a Secret is shown without its values
    for secret in done.objects.iter().filter(|o| o["kind"] == "Secret") {
        for field in ["data", "stringData"] {
            for value in secret[field]
                .as_object()
                .into_iter()
                .flat_map(|m| m.values())
            {
                assert_eq!(value, "<redacted>", "{secret}");
            }
        }
    }

    assert!(env.history(ns, "cache").is_empty(), "no revision");
    for key in &keys {
        assert_eq!(env.credential(ns, "cache", key), None, "{key} not stored");
    }
    assert!(!env.cfg.cluster.namespace_exists(ns).await.unwrap());
    assert!(env.record(ns, "cache").await.is_none());
    env.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_are_removed_when_a_check_refuses() {
    let env = Env::new("refused").await;
    let ns = "act-missing-namespace";
    let keys = env.credential_keys("redis");
    // the credentials are written while the cluster is asked; the missing namespace refuses
    let mut install = env.install("redis", "cache", ns);
    install.create_namespace = false;
    let err = install.run(&quiet).await.unwrap_err();
    assert!(matches!(err, ActionError::InvalidInput(_)), "{err}");
    assert!(err.to_string().contains("--create-namespace"), "{err}");
    for key in &keys {
        assert_eq!(env.credential(ns, "cache", key), None, "{key} removed");
    }
    assert!(env.history(ns, "cache").is_empty());
    env.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_are_removed_when_the_dry_run_refuses() {
    let env = Env::new("dry-run-refused").await;
    let Some(sim) = env.sim() else { return };
    let ns = "act-dry-run-refused";
    let keys = env.credential_keys("redis");
    // the namespace exists, so every object goes through the server-side dry-run
    env.install("redis", "first", ns).run(&quiet).await.unwrap();
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
    let err = env
        .install("redis", "cache", ns)
        .run(&quiet)
        .await
        .unwrap_err();
    sim.set_faults(Faults::default());
    assert!(err.to_string().contains("statefulsets"), "{err}");
    for key in &keys {
        assert_eq!(env.credential(ns, "cache", key), None, "{key} removed");
    }
    assert!(
        env.history(ns, "cache").is_empty(),
        "refused before any revision"
    );
    assert!(env.record(ns, "cache").await.is_none());
    assert_eq!(
        env.count("v1", "Secret", ns, "cache").await,
        0,
        "nothing applied"
    );
    assert_eq!(
        env.count("v1", "Service", ns, "cache").await,
        0,
        "nothing applied"
    );
    env.forget(ns, "first", &keys);
    env.shutdown().await;
}

/// Workloads fail to apply once the apply has begun (the dry-run passed): the first wave is
/// in the cluster, the revision is failed, the credentials stay for `recover`, which then
/// completes the install.
#[tokio::test(flavor = "multi_thread")]
async fn an_apply_that_fails_midway_fails_the_revision_and_recover_resumes_it() {
    let env = Env::new("apply-fails").await;
    let Some(sim) = env.sim() else { return };
    let ns = "act-apply-fails";
    let keys = env.credential_keys("redis");
    let refuse_workloads = || {
        sim.set_faults(Faults {
            errors: vec![ErrorRule {
                verb: Some("patch".into()),
                resource: Some("statefulsets".into()),
                code: 403,
                rate: 1.0,
                message: None,
            }],
            ..Faults::default()
        })
    };
    let sink = move |p: Progress| {
        if matches!(&p, Progress::Step(step) if step == "apply") {
            refuse_workloads();
        }
    };
    let err = env
        .install("redis", "cache", ns)
        .run(&sink)
        .await
        .unwrap_err();
    sim.set_faults(Faults::default());
    assert!(err.to_string().contains("statefulsets"), "{err}");

    let history = env.history(ns, "cache");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].status, RevisionStatus::Failed);
    assert!(
        history[0]
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("statefulsets")
    );
    assert!(history[0].manifest_digest.is_some());
    // the first wave was applied, the workload was not
    assert!(env.count("v1", "Service", ns, "cache").await > 0);
    assert_eq!(env.count("apps/v1", "StatefulSet", ns, "cache").await, 0);
    for key in &keys {
        assert!(
            env.credential(ns, "cache", key).is_some(),
            "{key} kept for recover"
        );
    }

    let mut recover = berth_actions::Recover::new(&env.cfg, "cache");
    recover.namespace = Some(ns.to_owned());
    recover.timeout = std::time::Duration::from_secs(60);
    let recovered = recover.run(&quiet).await.unwrap();
    assert_eq!(recovered.kind, berth_actions::RecoveryKind::Resumed);
    assert!(recovered.ready);
    let history = env.history(ns, "cache");
    assert_eq!(
        (history[0].operation, history[0].status),
        (Operation::Recover, RevisionStatus::Succeeded)
    );
    assert_eq!(history[0].manifest_digest, history[1].manifest_digest);
    assert_eq!(env.count("apps/v1", "StatefulSet", ns, "cache").await, 1);
    env.forget(ns, "cache", &keys);
    env.shutdown().await;
}
