//! The store against real SQLite files in temporary folders.

use berth_store::{NewRevision, Operation, RevisionStatus, SCHEMA_VERSION, Store, StoreError};
use rusqlite::Connection;
use serde_json::json;

fn user_version(path: &std::path::Path) -> usize {
    Connection::open(path)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

#[test]
fn migrates_an_empty_folder_to_the_latest_schema() {
    let home = tempfile::tempdir().unwrap();
    let nested = home.path().join("a/b");
    let store = Store::open_in(&nested).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert!(nested.join("berth.db").is_file());
    let mode: String = Connection::open(store.path())
        .unwrap()
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn upgrades_from_every_earlier_version_keeping_data() {
    for from in 0..SCHEMA_VERSION {
        let home = tempfile::tempdir().unwrap();
        let path = home.path().join("berth.db");
        {
            let old = Store::open_at_version(&path, from).unwrap();
            assert_eq!(old.schema_version().unwrap(), from);
            if from >= 1 {
                old.set_favourite("kind-dev", true).unwrap();
            }
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(
            store.schema_version().unwrap(),
            SCHEMA_VERSION,
            "from {from}"
        );
        if from >= 1 {
            assert!(
                store.context("kind-dev").unwrap().unwrap().favourite,
                "from {from}"
            );
        }
        // the newest tables work after the upgrade
        store
            .set_location_override("kind-dev", Some("cloud"))
            .unwrap();
        let params = json!({});
        let rev = store
            .begin_revision(&new_rev(&params, Operation::Install))
            .unwrap();
        assert_eq!(rev.revision, 1);
    }
}

#[test]
fn refuses_a_database_from_a_newer_berth_and_leaves_it_alone() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("berth.db");
    drop(Store::open(&path).unwrap());
    let newer = SCHEMA_VERSION + 3;
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", newer)
        .unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(err, StoreError::TooNew { found, supported, .. } if found == newer && supported == SCHEMA_VERSION)
    );
    let message = err.to_string();
    assert!(message.contains("newer Berth"), "{message}");
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert_eq!(user_version(&path), newer);
}

#[test]
fn a_failed_migration_changes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("berth.db");
    // A table in the way of migration 2 makes it fail; migration 1 must roll back with it.
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE revisions (x INTEGER);")
            .unwrap();
    }
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Migrate { .. }), "{err}");
    assert_eq!(user_version(&path), 0);
    let contexts_exists: i64 = Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'contexts'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(contexts_exists, 0, "migration 1 was not rolled back");
}

#[test]
fn context_tags_round_trip() {
    let home = tempfile::tempdir().unwrap();
    let store = Store::open_in(home.path()).unwrap();
    assert_eq!(store.context("prod").unwrap(), None);
    store
        .set_location_override("prod", Some("private"))
        .unwrap();
    let r = store.set_favourite("prod", true).unwrap();
    assert_eq!(r.location_override.as_deref(), Some("private"));
    assert!(r.favourite);
    let seen = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap();
    let r = store
        .record_reachable("prod", Some("v1.37.1"), seen)
        .unwrap();
    assert_eq!(r.last_seen, Some(seen));
    assert_eq!(r.server_version.as_deref(), Some("v1.37.1"));
    assert!(r.favourite, "recording a probe keeps the tags");
    let r = store.set_location_override("prod", None).unwrap();
    assert_eq!(r.location_override, None);
    // the CHECK constraint keeps nonsense out
    assert!(store.set_location_override("prod", Some("moon")).is_err());
    assert_eq!(store.contexts().unwrap().len(), 1);
    assert!(store.forget_context("prod").unwrap());
    assert!(store.contexts().unwrap().is_empty());
}

#[test]
fn two_handles_on_one_file_see_each_other() {
    let home = tempfile::tempdir().unwrap();
    let a = Store::open_in(home.path()).unwrap();
    let b = Store::open_in(home.path()).unwrap();
    a.set_favourite("shared", true).unwrap();
    assert!(b.context("shared").unwrap().unwrap().favourite);
}

fn new_rev<'a>(params: &'a serde_json::Value, operation: Operation) -> NewRevision<'a> {
    NewRevision {
        context: "kind-dev",
        namespace: "default",
        instance: "pg",
        definition: "postgres",
        version: "17",
        operation,
        parameters: params,
        manifest_digest: Some("sha256:abc"),
    }
}

#[test]
fn revisions_are_pending_first_then_get_an_outcome() {
    let home = tempfile::tempdir().unwrap();
    let store = Store::open_in(home.path()).unwrap();
    let params = json!({"replicas": 2});
    let first = store
        .begin_revision(&new_rev(&params, Operation::Install))
        .unwrap();
    assert_eq!((first.revision, first.status), (1, RevisionStatus::Pending));
    assert_eq!(first.parameters, params);
    assert!(!first.os_user.is_empty());
    assert_eq!(store.pending_revisions().unwrap().len(), 1);

    let first = store.finish_revision(first.id, Ok(())).unwrap();
    assert_eq!(first.status, RevisionStatus::Succeeded);
    assert!(first.finished_at.is_some());

    let second = store
        .begin_revision(&new_rev(&params, Operation::Stop))
        .unwrap();
    assert_eq!(second.revision, 2);
    let failed = store.finish_revision(second.id, Err("timed out")).unwrap();
    assert_eq!(failed.status, RevisionStatus::Failed);
    assert_eq!(failed.error.as_deref(), Some("timed out"));
    assert_eq!(
        store.revision(first.id).unwrap().unwrap().status,
        RevisionStatus::Succeeded
    );

    let third = store
        .begin_revision(&new_rev(&params, Operation::Stop))
        .unwrap();
    store.finish_revision(third.id, Ok(())).unwrap();
    assert_eq!(
        store.revision(first.id).unwrap().unwrap().status,
        RevisionStatus::Superseded
    );

    // an outcome is given once
    assert!(matches!(
        store.finish_revision(third.id, Ok(())),
        Err(StoreError::NotFound(_))
    ));

    let history = store.revisions("kind-dev", "default", "pg").unwrap();
    assert_eq!(
        history.iter().map(|r| r.revision).collect::<Vec<_>>(),
        [3, 2, 1]
    );
    assert!(
        store
            .revisions("kind-dev", "default", "other")
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.history(2).unwrap().len(), 2);
    assert!(store.pending_revisions().unwrap().is_empty());

    // the instances of a context known to this history, in one query
    let known = store.instances_with_history("kind-dev").unwrap();
    assert_eq!(
        known.into_iter().collect::<Vec<_>>(),
        [("default".to_owned(), "pg".to_owned())]
    );
    assert!(store.instances_with_history("other").unwrap().is_empty());
}

#[test]
fn every_operation_and_status_is_accepted_by_the_schema() {
    let home = tempfile::tempdir().unwrap();
    let store = Store::open_in(home.path()).unwrap();
    let params = json!({});
    for op in Operation::ALL {
        let r = store.begin_revision(&new_rev(&params, *op)).unwrap();
        assert_eq!(r.operation, *op);
    }
    assert_eq!(RevisionStatus::ALL.len(), 4);
}

#[test]
fn settings_are_stored_replaced_and_forgotten() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    assert_eq!(store.setting("theme").unwrap(), None);
    store.set_setting("theme", Some("\"dark\"")).unwrap();
    store
        .set_setting("defaultNamespace", Some("\"apps\""))
        .unwrap();
    store.set_setting("theme", Some("\"light\"")).unwrap();
    assert_eq!(
        store.setting("theme").unwrap().as_deref(),
        Some("\"light\"")
    );
    // a second open of the same file sees them
    let again = Store::open_in(dir.path()).unwrap();
    assert_eq!(
        again.settings().unwrap(),
        vec![
            ("defaultNamespace".to_owned(), "\"apps\"".to_owned()),
            ("theme".to_owned(), "\"light\"".to_owned())
        ]
    );
    again.set_setting("theme", None).unwrap();
    assert_eq!(store.setting("theme").unwrap(), None);
}

#[test]
fn threads_opening_a_brand_new_home_at_once_all_succeed() {
    // several rounds: the race needs the openers to meet inside the first migration
    for _ in 0..5 {
        let home = tempfile::tempdir().unwrap();
        let openers = 8;
        let start = std::sync::Arc::new(std::sync::Barrier::new(openers));
        let handles: Vec<_> = (0..openers)
            .map(|_| {
                let start = start.clone();
                let home = home.path().join("home");
                std::thread::spawn(move || {
                    start.wait();
                    let store = Store::open_in(&home)?;
                    store.schema_version()
                })
            })
            .collect();
        for handle in handles {
            let version = handle.join().unwrap().unwrap();
            assert_eq!(version, SCHEMA_VERSION);
        }
        let store = Store::open_in(&home.path().join("home")).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        // the tables are there and usable
        assert!(store.history(10).unwrap().is_empty());
    }
}

#[test]
fn handles_writing_revisions_at_once_never_see_database_is_locked() {
    // Each thread is its own connection, as two Berth processes are. A deferred transaction that
    // reads then writes fails at once with "database is locked" in WAL mode when another writer got
    // in between; the store's write transactions take the write lock up front instead.
    let home = tempfile::tempdir().unwrap();
    Store::open_in(home.path()).unwrap();
    let writers = 6;
    let rounds = 10;
    let start = std::sync::Arc::new(std::sync::Barrier::new(writers));
    let handles: Vec<_> = (0..writers)
        .map(|_| {
            let start = start.clone();
            let home = home.path().to_owned();
            std::thread::spawn(move || -> Result<(), StoreError> {
                let store = Store::open_in(&home)?;
                let params = json!({"replicas": 1});
                start.wait();
                for i in 0..rounds {
                    let rev = store.begin_revision(&new_rev(&params, Operation::Reconfigure))?;
                    let outcome = if i % 2 == 0 { Ok(()) } else { Err("failed") };
                    store.finish_revision(rev.id, outcome)?;
                }
                Ok(())
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap().unwrap();
    }
    let store = Store::open_in(home.path()).unwrap();
    let mut numbers: Vec<u32> = store
        .history(1000)
        .unwrap()
        .iter()
        .map(|r| r.revision)
        .collect();
    numbers.sort_unstable();
    // one revision per write, numbered without gaps or repeats
    assert_eq!(numbers, (1..=(writers * rounds) as u32).collect::<Vec<_>>());
}

/// Closing does not checkpoint (see the crate docs, "Durability"): the commits stay in the WAL,
/// where the next opener reads them, and a process that dies without closing loses nothing.
#[test]
fn commits_outlive_a_close_without_checkpoint_and_a_crash() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("berth.db");
    let params = json!({});
    {
        let store = Store::open(&path).unwrap();
        store
            .begin_revision(&new_rev(&params, Operation::Install))
            .unwrap();
    }
    let wal = home.path().join("berth.db-wal");
    assert!(wal.metadata().unwrap().len() > 0, "the WAL is kept");
    let crashed = Store::open(&path).unwrap();
    let pending = crashed
        .begin_revision(&new_rev(&params, Operation::Upgrade))
        .unwrap();
    // as if killed: the connection is never closed
    std::mem::forget(crashed);
    let store = Store::open(&path).unwrap();
    let revisions = store.revisions("kind-dev", "default", "pg").unwrap();
    assert_eq!(revisions.len(), 2);
    assert_eq!(revisions[0].id, pending.id);
    assert_eq!(revisions[0].status, RevisionStatus::Pending);
    // a plain SQLite reader sees them too
    let count: i64 = Connection::open(&path)
        .unwrap()
        .query_row("SELECT count(*) FROM revisions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 2);
}

#[test]
fn history_is_filtered_and_limited_in_the_query() {
    let home = tempfile::tempdir().unwrap();
    let store = Store::open_in(home.path()).unwrap();
    let params = json!({});
    for (context, instance) in [("a", "pg"), ("a", "cache"), ("b", "pg"), ("a", "pg")] {
        store
            .begin_revision(&NewRevision {
                context,
                instance,
                ..new_rev(&params, Operation::Install)
            })
            .unwrap();
    }
    let names = |rows: Vec<berth_store::Revision>| {
        rows.into_iter()
            .map(|r| format!("{}/{}/{}", r.context, r.instance, r.revision))
            .collect::<Vec<_>>()
    };
    let all = store.history_of(None, None, None, 10).unwrap();
    assert_eq!(names(all), ["a/pg/2", "b/pg/1", "a/cache/1", "a/pg/1"]);
    let pg = store.history_of(Some("pg"), None, None, 10).unwrap();
    assert_eq!(names(pg), ["a/pg/2", "b/pg/1", "a/pg/1"]);
    let in_a = store
        .history_of(Some("pg"), Some("a"), Some("default"), 1)
        .unwrap();
    assert_eq!(names(in_a), ["a/pg/2"]);
    assert!(
        store
            .history_of(None, None, Some("other"), 10)
            .unwrap()
            .is_empty()
    );
}
