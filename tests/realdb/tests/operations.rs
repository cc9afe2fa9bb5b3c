//! The catalog definitions' data operations against real servers: the rendered `export`
//! of a seeded server piped into `import` on a second, empty server gives the same
//! `verify` output on both and the same content digest as the seed.

use berth_catalog::spec::Operation;
use berth_catalog::{Definition, Origin};
use realdb::{Etcd, Mariadb, Postgres, Redis};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Rows or keys seeded: enough for several batches, small enough for CI.
const SEED: usize = 3_000;

fn operations(service: &str) -> berth_catalog::spec::Operations {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../catalog")
        .join(service);
    Definition::load(&dir, Origin::BuiltIn)
        .unwrap()
        .spec
        .operations
}

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
    run(ops.import.as_ref().expect("import"), b, &dump);
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
fn etcd_verify_is_equal_on_equal_data() {
    let (a, b) = (Etcd::start().unwrap(), Etcd::start().unwrap());
    a.seed(SEED).unwrap();
    b.seed(SEED).unwrap();
    let verify = operations("etcd").verify.expect("verify");
    let (va, vb) = (run(&verify, &a.env(), b""), run(&verify, &b.env(), b""));
    assert_eq!(va, vb);
    assert_eq!(a.digest().unwrap(), b.digest().unwrap());
    b.ctl(&["put", "/shop/items/0000002", "changed"], None)
        .unwrap();
    assert_ne!(run(&verify, &b.env(), b""), va);
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
