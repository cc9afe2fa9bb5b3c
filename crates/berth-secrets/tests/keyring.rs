//! The keyring against the real OS keyring. The test suite runs these inside
//! `scripts/with-keyring.sh`, which starts a private D-Bus session with gnome-keyring.

use berth_secrets::{Keyring, SecretsError, Sensitive};
use std::process::Command;

fn test_keyring(name: &str) -> Keyring {
    Keyring::with_namespace(format!("dev.berth.test.{name}.{}", std::process::id()))
}

#[test]
fn round_trip_through_the_real_keyring() {
    let keyring = test_keyring("roundtrip");
    let status = keyring.status();
    assert!(
        status.available,
        "no usable keyring: {:?} (run the tests through scripts/with-keyring.sh)",
        status.message
    );
    let handle = "instance/kind-dev/default/pg/admin";
    assert!(matches!(
        keyring.get(handle),
        Err(SecretsError::NotFound { .. })
    ));

    keyring
        .set(handle, &Sensitive::new("s3cr3t-1".to_owned()))
        .unwrap();
    assert_eq!(keyring.get(handle).unwrap().expose(), "s3cr3t-1");
    keyring
        .set(handle, &Sensitive::new("s3cr3t-2".to_owned()))
        .unwrap();
    assert_eq!(keyring.get(handle).unwrap().expose(), "s3cr3t-2");

    // namespaces are separate: a debug build never sees a release build's entries
    let other = test_keyring("other");
    assert!(matches!(
        other.get(handle),
        Err(SecretsError::NotFound { .. })
    ));

    assert!(keyring.delete(handle).unwrap());
    assert!(!keyring.delete(handle).unwrap());
    assert!(matches!(
        keyring.get(handle),
        Err(SecretsError::NotFound { .. })
    ));
}

#[test]
fn several_secrets_stored_at_once() {
    let keyring = test_keyring("setall");
    let entries: Vec<(String, Sensitive<String>)> = (0..4)
        .map(|i| {
            (
                format!("ctx/ns/pg/key-{i}"),
                Sensitive::new(format!("value-{i}")),
            )
        })
        .collect();
    keyring.set_all(&entries).unwrap();
    for (i, (handle, _)) in entries.iter().enumerate() {
        assert_eq!(keyring.get(handle).unwrap().expose(), &format!("value-{i}"));
        assert!(keyring.delete(handle).unwrap());
    }
    keyring.set_all(&[]).unwrap();
}

/// A prepared write (one session opened before the secrets are known) creates new entries and
/// replaces existing ones in place, so the ordinary calls find exactly one of each.
#[test]
fn a_prepared_write_creates_and_replaces_entries_the_others_find() {
    let keyring = test_keyring("prepared");
    keyring
        .set("ctx/ns/pg/old", &Sensitive::new("before".to_owned()))
        .unwrap();
    let prepared = keyring.prepare_set_all();
    let entries: Vec<(String, Sensitive<String>)> = ["old", "new-1", "new-2"]
        .iter()
        .map(|key| {
            (
                format!("ctx/ns/pg/{key}"),
                Sensitive::new(format!("value-{key}")),
            )
        })
        .collect();
    prepared.set_all(entries.clone()).unwrap();
    for (handle, value) in &entries {
        // a second item under one handle would make `get` fail as ambiguous
        assert_eq!(keyring.get(handle).unwrap().expose(), value.expose());
        assert!(keyring.delete(handle).unwrap());
        assert!(matches!(
            keyring.get(handle),
            Err(SecretsError::NotFound { .. })
        ));
    }
    keyring.prepare_set_all().set_all(Vec::new()).unwrap();

    // an early write stores only when no handle holds an item yet: it never overwrites
    let prepared = keyring.prepare_set_all();
    let fresh = vec![
        ("ctx/ns/pg2/a".to_owned(), Sensitive::new("a-1".to_owned())),
        ("ctx/ns/pg2/b".to_owned(), Sensitive::new("b-1".to_owned())),
    ];
    let early = prepared.store_if_new(fresh.clone());
    assert_eq!(early.handles(), ["ctx/ns/pg2/a", "ctx/ns/pg2/b"]);
    assert!(early.wait().unwrap());
    assert_eq!(keyring.get("ctx/ns/pg2/a").unwrap().expose(), "a-1");
    keyring.delete("ctx/ns/pg2/b").unwrap();
    let again = vec![
        ("ctx/ns/pg2/b".to_owned(), Sensitive::new("b-2".to_owned())),
        ("ctx/ns/pg2/a".to_owned(), Sensitive::new("a-2".to_owned())),
    ];
    assert!(!prepared.store_if_new(again.clone()).wait().unwrap());
    assert_eq!(keyring.get("ctx/ns/pg2/a").unwrap().expose(), "a-1");
    assert!(matches!(
        keyring.get("ctx/ns/pg2/b"),
        Err(SecretsError::NotFound { .. })
    ));
    // the same session then replaces them when asked to
    prepared.set_all(again).unwrap();
    assert_eq!(keyring.get("ctx/ns/pg2/a").unwrap().expose(), "a-2");
    assert_eq!(keyring.get("ctx/ns/pg2/b").unwrap().expose(), "b-2");
    keyring.delete("ctx/ns/pg2/a").unwrap();
    keyring.delete("ctx/ns/pg2/b").unwrap();
    // prepared and dropped unused: nothing written, nothing left waiting
    drop(keyring.prepare_set_all());
}

#[test]
fn secret_values_never_appear_in_errors_or_debug() {
    let keyring = test_keyring("redaction");
    let secret = Sensitive::new("do-not-print-me".to_owned());
    keyring.set("h", &secret).unwrap();
    let got = keyring.get("h").unwrap();
    assert!(!format!("{got:?} {keyring:?}").contains("do-not-print-me"));
    keyring.delete("h").unwrap();
}

/// Without a Secret Service the keyring reports `NoService` (never an in-memory fallback).
/// The D-Bus address is process-wide, so the check runs in a child copy of this test binary.
#[test]
fn no_secret_service_is_a_distinct_error() {
    if std::env::var_os("BERTH_TEST_NO_SERVICE_CHILD").is_some() {
        let err = test_keyring("noservice")
            .set("h", &Sensitive::new("x".to_owned()))
            .unwrap_err();
        assert!(matches!(err, SecretsError::NoService { .. }), "{err:?}");
        assert!(err.to_string().contains("no keyring service"), "{err}");
        let status = test_keyring("noservice").status();
        assert!(!status.available);
        let err = test_keyring("noservice")
            .prepare_set_all()
            .set_all(vec![("h".to_owned(), Sensitive::new("x".to_owned()))])
            .unwrap_err();
        assert!(matches!(err, SecretsError::NoService { .. }), "{err:?}");
        return;
    }
    run_child(
        "no_secret_service_is_a_distinct_error",
        "BERTH_TEST_NO_SERVICE_CHILD",
        "unix:path=/nonexistent/berth-no-bus",
    );
}

#[test]
fn a_call_that_hangs_times_out() {
    // A listener that accepts D-Bus connections and never answers stands in for a keyring blocked
    // on an unlock prompt; checked in a child process for the same reason as above.
    if std::env::var_os("BERTH_TEST_HANG_CHILD").is_some() {
        let keyring = test_keyring("hang").with_timeout(std::time::Duration::from_millis(500));
        let err = keyring.get("h").unwrap_err();
        assert!(matches!(err, SecretsError::Timeout { .. }), "{err:?}");
        let err = keyring
            .prepare_set_all()
            .set_all(vec![("h".to_owned(), Sensitive::new("x".to_owned()))])
            .unwrap_err();
        assert!(matches!(err, SecretsError::Timeout { .. }), "{err:?}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("bus");
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let _accept = std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().flatten() {
            held.push(conn); // keep it open, say nothing
        }
    });
    run_child(
        "a_call_that_hangs_times_out",
        "BERTH_TEST_HANG_CHILD",
        &format!("unix:path={}", socket.display()),
    );
}

/// Runs one test of this binary again in a child process with its own D-Bus address (the
/// address is process-wide), marked by `marker` so the child does the checking.
fn run_child(test: &str, marker: &str, bus: &str) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--nocapture"])
        .env(marker, "1")
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "child failed:\n{text}");
    assert!(text.contains("1 passed"), "child ran no test:\n{text}");
}
