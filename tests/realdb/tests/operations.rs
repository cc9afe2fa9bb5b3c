//! The catalog definitions' data operations against real servers: the rendered `export`
//! of a seeded server piped into `import` on a second, empty server gives the same
//! `verify` output on both and the same content digest as the seed.

use berth_catalog::spec::Operation;
use realdb::{Etcd, Mariadb, Postgres, Redis};
use std::collections::BTreeMap;
use support::operations;

mod support;

/// Rows or keys seeded: enough for several batches, small enough for CI.
const SEED: usize = 3_000;

fn run(op: &Operation, env: &BTreeMap<String, String>, stdin: &[u8]) -> Vec<u8> {
    let out = realdb::run(env, &op.command, stdin).unwrap();
    assert!(
        out.success(),
        "{:?} exited {:?}: {}",
        op.command,
        out.code,
        out.stderr
    );
    out.stdout
}

/// export on `a`, import on `b`, verify on both; returns the two verify outputs.
fn round_trip(
    service: &str,
    a: &BTreeMap<String, String>,
    b: &BTreeMap<String, String>,
) -> (String, String) {
    let ops = operations(service);
    let dump = run(ops.export.as_ref().expect("export"), a, b"");
    assert!(
        dump.len() > 10_000,
        "{service}: export wrote only {} bytes",
        dump.len()
    );
    let import = realdb::run(b, &ops.import.as_ref().expect("import").command, &dump).unwrap();
    assert!(
        import.success(),
        "{service}: import exited {:?}: {}",
        import.code,
        import.stderr
    );
    // an error the engine's client reports but does not exit on is still a failed import
    assert!(
        !import.stderr.contains("ERROR"),
        "{service}: import reported errors: {}",
        import.stderr
    );
    let verify = ops.verify.as_ref().expect("verify");
    let (va, vb) = (run(verify, a, b""), run(verify, b, b""));
    (
        String::from_utf8_lossy(&va).into_owned(),
        String::from_utf8_lossy(&vb).into_owned(),
    )
}

#[test]
fn postgres_export_import_verify() {
    let a = Postgres::start().unwrap();
    a.seed(SEED).unwrap();
    let b = Postgres::start().unwrap();
    let (va, vb) = round_trip("postgres", &a.env(), &b.env());
    assert_eq!(va, vb);
    assert!(!va.trim().is_empty());
    assert_eq!(a.digest().unwrap(), b.digest().unwrap());
    assert_eq!(
        b.sql("shop", "SELECT name FROM items WHERE id = 1")
            .unwrap()
            .trim(),
        "日本語のテキスト #1"
    );
}

#[test]
fn mariadb_and_mysql_export_import_verify() {
    for service in ["mariadb", "mysql"] {
        let a = Mariadb::start().unwrap();
        a.seed(SEED).unwrap();
        let b = Mariadb::start().unwrap();
        let (va, vb) = round_trip(service, &a.env(), &b.env());
        assert_eq!(va, vb, "{service}");
        assert_eq!(a.digest().unwrap(), b.digest().unwrap(), "{service}");
        assert_eq!(
            b.sql("SELECT HEX(payload) FROM shop.items WHERE id = 0")
                .unwrap()
                .trim(),
            "00FF0D0ACFCD208495D565EF66E7DFF9F98764DA",
            "{service}"
        );
    }
}

#[test]
fn redis_and_valkey_export_import_verify() {
    for service in ["redis", "valkey"] {
        let a = Redis::start().unwrap();
        a.seed(SEED).unwrap();
        let b = Redis::start().unwrap();
        let (va, vb) = round_trip(service, &a.env(), &b.env());
        assert_eq!(va, vb, "{service}");
        assert!(
            va.contains(&format!("keys={}", SEED * 4 / 5)),
            "{service}: {va}"
        );
        assert_eq!(a.digest().unwrap(), b.digest().unwrap(), "{service}");
    }
}

#[test]
fn etcd_export_import_verify_under_busybox() {
    let tools = realdb::etcd_pod_tools().unwrap();
    let in_pod = |e: &Etcd| e.pod_env(tools.path());
    let a = Etcd::start().unwrap();
    a.seed(SEED).unwrap();
    a.ctl(&["put", "/shop/empty", ""], None).unwrap();
    let grant = String::from_utf8(a.ctl(&["lease", "grant", "600"], None).unwrap()).unwrap();
    let lease = grant
        .split_whitespace()
        .nth(1)
        .expect("a lease id")
        .to_owned();
    a.ctl(&["put", "/session/leader", "a", "--lease", &lease], None)
        .unwrap();
    // the target keeps etcd's own limits (128 operations, 1.5 MiB a request); it holds a key
    // the import must replace
    let b = Etcd::start_with_env(&BTreeMap::from([("ETCD_NAME".into(), "b".into())])).unwrap();
    b.ctl(&["put", "/stale", "x"], None).unwrap();

    let (va, vb) = round_trip("etcd", &in_pod(&a), &in_pod(&b));
    assert_eq!(va, vb);
    // the seed, the empty value; not the leased key
    assert!(
        va.starts_with(&format!("keys={} sha256=", SEED + 1)),
        "{va}"
    );
    for gone in ["/session/leader", "/stale"] {
        assert!(
            b.ctl(&["get", gone], None).unwrap().is_empty(),
            "{gone} is on the target"
        );
    }
    a.ctl(&["lease", "revoke", &lease], None).unwrap();
    assert_eq!(a.digest().unwrap(), b.digest().unwrap());
    assert!(size("etcd", &in_pod(&a)) > 100_000);

    // a changed value is a different digest
    b.ctl(&["put", "/shop/items/0000002", "changed"], None)
        .unwrap();
    let verify = operations("etcd").verify.expect("verify");
    assert_ne!(String::from_utf8_lossy(&run(&verify, &in_pod(&b), b"")), va);

    // an unreachable etcd fails each operation, none waits forever on it
    let mut down = in_pod(&b);
    let closed = format!("http://127.0.0.1:{}", realdb::free_port().unwrap());
    down.insert("ETCDCTL_ENDPOINTS".into(), closed);
    let ops = operations("etcd");
    for (name, op) in [("export", &ops.export), ("verify", &ops.verify)] {
        let out = realdb::run(&down, &op.as_ref().unwrap().command, b"").unwrap();
        assert!(!out.success(), "{name} against a closed port exited 0");
    }

    // an export cut short, or one that lost a line, fails the import
    let dump = run(ops.export.as_ref().unwrap(), &in_pod(&a), b"");
    let text = String::from_utf8(dump).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for (broken, why) in [
        (lines[..lines.len() - 1].join("\n"), "ended early"),
        (
            [&lines[..10], &lines[11..]].concat().join("\n"),
            "the import read",
        ),
        ("not base64 at all\n".to_owned(), "not an etcd export"),
    ] {
        let out = realdb::run(
            &in_pod(&b),
            &ops.import.as_ref().unwrap().command,
            broken.as_bytes(),
        )
        .unwrap();
        assert!(!out.success(), "{why}: the import exited 0");
        assert!(out.stderr.contains(why), "{why}: {}", out.stderr);
    }
}

/// `size` prints one positive integer.
fn size(service: &str, env: &BTreeMap<String, String>) -> u64 {
    let out = run(operations(service).size.as_ref().expect("size"), env, b"");
    let text = String::from_utf8_lossy(&out);
    text.trim()
        .parse()
        .unwrap_or_else(|_| panic!("{service}: size printed {text:?}"))
}

#[test]
fn postgres_size_and_quiesce() {
    let pg = Postgres::start().unwrap();
    pg.seed(300).unwrap();
    assert!(size("postgres", &pg.env()) > 1_000_000);
    let ops = operations("postgres");
    run(ops.quiesce.as_ref().unwrap(), &pg.env(), b"");
    let refused = pg
        .sql("shop", "INSERT INTO notes (item, body) VALUES (1, 'x')")
        .unwrap_err();
    assert!(
        refused.to_string().contains("read-only transaction"),
        "{refused}"
    );
    assert_eq!(
        pg.sql("shop", "SELECT count(*) FROM items").unwrap().trim(),
        "100"
    );
    run(ops.unquiesce.as_ref().unwrap(), &pg.env(), b"");
    pg.sql("shop", "INSERT INTO notes (item, body) VALUES (1, 'x')")
        .unwrap();
}

#[test]
fn mariadb_size_and_quiesce() {
    let db = Mariadb::start().unwrap();
    db.seed(300).unwrap();
    assert!(size("mariadb", &db.env()) > 10_000);
    assert_eq!(size("mariadb", &db.env()), size("mysql", &db.env()));
    let ops = operations("mariadb");
    run(ops.quiesce.as_ref().unwrap(), &db.env(), b"");
    assert_eq!(db.sql("SELECT @@global.read_only").unwrap().trim(), "1");
    run(ops.unquiesce.as_ref().unwrap(), &db.env(), b"");
    assert_eq!(db.sql("SELECT @@global.read_only").unwrap().trim(), "0");
}

#[test]
fn redis_size_and_quiesce() {
    for service in ["redis", "valkey"] {
        let r = Redis::start().unwrap();
        r.seed(300).unwrap();
        assert!(size(service, &r.env()) > 10_000, "{service}");
        let ops = operations(service);
        run(ops.quiesce.as_ref().unwrap(), &r.env(), b"");
        let refused = r
            .cli(0, &["SET", "k", "v"])
            .map(|o| String::from_utf8_lossy(&o).into_owned());
        assert!(
            format!("{refused:?}").contains("NOPERM"),
            "{service}: {refused:?}"
        );
        assert_eq!(
            String::from_utf8_lossy(&r.cli(0, &["GET", "text:1"]).unwrap()).trim(),
            "日本語のテキスト #1"
        );
        run(ops.unquiesce.as_ref().unwrap(), &r.env(), b"");
        assert_eq!(
            String::from_utf8_lossy(&r.cli(0, &["SET", "k", "v"]).unwrap()).trim(),
            "OK"
        );
    }
}
