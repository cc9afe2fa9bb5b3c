//! `Uninstall`: data and credentials kept, then reused by a new install of the name; removed
//! with `delete_data`.

use berth_actions::Uninstall;
use berth_store::Operation;

use crate::support::{Env, quiet};

#[tokio::test(flavor = "multi_thread")]
async fn uninstall_keeps_data_for_a_reinstall_and_deletes_it_when_asked() {
    let env = Env::new("uninstall").await;
    let ns = "act-uninstall";
    let keys = env.credential_keys("redis");
    env.install("redis", "cache", ns).run(&quiet).await.unwrap();
    let password = env.credential(ns, "cache", &keys[0]).unwrap();

    let mut uninstall = Uninstall::new(&env.cfg, "cache");
    uninstall.namespace = Some(ns.to_owned());
    let removed = uninstall.run().await.unwrap();
    assert_eq!(removed.revision, 2);
    assert!(env.record(ns, "cache").await.is_none());
    assert_eq!(env.count("apps/v1", "StatefulSet", ns, "cache").await, 0);
    assert_eq!(env.history(ns, "cache")[0].operation, Operation::Uninstall);
    assert_eq!(
        env.credential(ns, "cache", &keys[0]).as_ref(),
        Some(&password)
    );

    // the kept volumes were made with the kept credentials: a new install uses them
    let volumes = removed.kept_volumes.clone();
    env.install("redis", "cache", ns).run(&quiet).await.unwrap();
    if !volumes.is_empty() {
        assert_eq!(
            env.credential(ns, "cache", &keys[0]).as_ref(),
            Some(&password)
        );
    }

    uninstall.delete_data = true;
    uninstall.run().await.unwrap();
    for key in &keys {
        assert_eq!(env.credential(ns, "cache", key), None, "{key} deleted");
    }
    env.shutdown().await;
}
