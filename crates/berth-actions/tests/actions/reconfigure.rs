//! `Reconfigure`: a change, a diff that writes nothing, a rollback; each revision's digest.

use berth_actions::Reconfigure;
use berth_store::{Operation, RevisionStatus};

use crate::support::{Env, quiet};

#[tokio::test(flavor = "multi_thread")]
async fn reconfigure_diff_and_rollback_record_their_digests() {
    let env = Env::new("reconfigure").await;
    let ns = "act-reconfigure";
    let keys = env.credential_keys("redis");
    env.install("redis", "cache", ns).run(&quiet).await.unwrap();
    let installed = env.credential(ns, "cache", &keys[0]).unwrap();

    let change = |diff_only: bool| {
        let mut r = Reconfigure::new(&env.cfg, "cache");
        r.namespace = Some(ns.to_owned());
        r.set = vec!["resources.memory=768Mi".into()];
        r.diff_only = diff_only;
        r.timeout = std::time::Duration::from_secs(60);
        r
    };
    // a diff changes nothing and records nothing
    let diff = change(true).run(&quiet).await.unwrap();
    assert_eq!(diff.revision, None);
    assert!(
        diff.changes.iter().any(
            |c| c.object == "StatefulSet cache" && c.fields.iter().any(|f| f.contains("768Mi"))
        ),
        "{:?}",
        diff.changes
    );
    assert_eq!(env.history(ns, "cache").len(), 1);

    let done = change(false).run(&quiet).await.unwrap();
    assert_eq!(
        (done.operation, done.revision),
        (Operation::Reconfigure, Some(2))
    );
    let history = env.history(ns, "cache");
    assert_eq!(history[0].status, RevisionStatus::Succeeded);
    assert_eq!(history[1].status, RevisionStatus::Superseded);
    let (first, second) = (
        history[1].manifest_digest.clone().unwrap(),
        history[0].manifest_digest.clone().unwrap(),
    );
    assert_ne!(first, second, "other objects, another digest");
    assert_eq!(env.record(ns, "cache").await.unwrap().revision, 2);
    // the credentials in force are kept
    assert_eq!(env.credential(ns, "cache", &keys[0]).unwrap(), installed);

    let mut back = Reconfigure::new(&env.cfg, "cache");
    back.namespace = Some(ns.to_owned());
    back.rollback = Some(None);
    back.timeout = std::time::Duration::from_secs(60);
    let rolled = back.run(&quiet).await.unwrap();
    assert_eq!(
        (rolled.operation, rolled.revision),
        (Operation::Rollback, Some(3))
    );
    let history = env.history(ns, "cache");
    assert_eq!(
        history[0].manifest_digest.as_deref(),
        Some(first.as_str()),
        "the objects of revision 1 again, the same digest"
    );
    env.forget(ns, "cache", &keys);
    env.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_change_records_nothing() {
    let env = Env::new("reconfigure-refused").await;
    let ns = "act-reconfigure-refused";
    let keys = env.credential_keys("redis");
    env.install("redis", "cache", ns).run(&quiet).await.unwrap();
    let mut r = Reconfigure::new(&env.cfg, "cache");
    r.namespace = Some(ns.to_owned());
    r.set = vec!["resources.memory=lots".into()];
    let err = r.run(&quiet).await.unwrap_err();
    assert!(err.is_invalid_input(), "{err}");
    assert_eq!(env.history(ns, "cache").len(), 1);
    env.forget(ns, "cache", &keys);
    env.shutdown().await;
}
