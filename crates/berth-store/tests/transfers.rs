//! The transfer journal against a real SQLite file: steps survive a reopen (a killed process),
//! resume takes a transfer over, outcomes and updates are kept.

use berth_store::{NewTransfer, StepStatus, Store, TransferKind, TransferStatus, TransferUpdate};
use serde_json::json;

#[test]
fn a_journaled_transfer_survives_its_process_and_resumes() {
    let home = tempfile::tempdir().unwrap();
    let options = json!({"deleteSource": false, "storageClassMap": {"fast": "standard"}});
    let id = {
        let store = Store::open_in(home.path()).unwrap();
        let t = store
            .begin_transfer(&NewTransfer {
                kind: TransferKind::Move,
                parent_id: None,
                source: ("laptop", "default", "pg"),
                target: ("cloud", "data", "pg"),
                definition: "postgres",
                version: "17",
                target_version: "17",
                options: &options,
                expected_bytes: Some(1000),
            })
            .unwrap();
        assert_eq!(t.status, TransferStatus::Running);
        assert_eq!(t.pid, Some(std::process::id()));
        store.begin_transfer_step(t.id, "provision").unwrap();
        store
            .finish_transfer_step(t.id, "provision", Some(&json!({"revision": 1})), Ok(()))
            .unwrap();
        store.begin_transfer_step(t.id, "stream").unwrap();
        store
            .update_transfer(
                t.id,
                &TransferUpdate {
                    fenced: Some(true),
                    bytes: Some(512),
                    ..Default::default()
                },
            )
            .unwrap();
        t.id
    };
    // a new process opens the same home: the transfer is still unfinished, its stream running
    let store = Store::open_in(home.path()).unwrap();
    let unfinished = store.unfinished_transfers().unwrap();
    assert_eq!(unfinished.len(), 1);
    let t = &unfinished[0];
    assert_eq!(t.id, id);
    assert!(t.fenced);
    assert_eq!(t.bytes, 512);
    assert_eq!(t.expected_bytes, Some(1000));
    assert_eq!(t.options, options);
    let steps: Vec<(&str, StepStatus)> = t
        .steps
        .iter()
        .map(|s| (s.step.as_str(), s.status))
        .collect();
    assert_eq!(
        steps,
        [
            ("provision", StepStatus::Succeeded),
            ("stream", StepStatus::Running)
        ]
    );
    assert_eq!(t.steps[0].detail, Some(json!({"revision": 1})));

    store.finish_transfer(id, Err("stream cut")).unwrap();
    let failed = store.transfer(id).unwrap().unwrap();
    assert_eq!(failed.status, TransferStatus::Failed);
    assert_eq!(failed.error.as_deref(), Some("stream cut"));

    // resume: running again, the stream step repeated
    let resumed = store.claim_transfer(id).unwrap();
    assert_eq!(resumed.status, TransferStatus::Running);
    assert_eq!(resumed.error, None);
    store.begin_transfer_step(id, "stream").unwrap();
    store
        .finish_transfer_step(id, "stream", None, Err("again"))
        .unwrap();
    let t = store.transfer(id).unwrap().unwrap();
    assert_eq!(t.steps.len(), 2, "a repeated step is one row");
    assert_eq!(t.steps[1].error.as_deref(), Some("again"));

    store
        .finish_transfer(id, Ok(TransferStatus::Aborted))
        .unwrap();
    assert!(store.unfinished_transfers().unwrap().is_empty());
    assert_eq!(
        store.transfers(10).unwrap()[0].status,
        TransferStatus::Aborted
    );
    assert!(store.transfer(id + 1).unwrap().is_none());
}
