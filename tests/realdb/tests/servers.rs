//! The harness itself: each server starts, takes the seed, and two servers seeded alike
//! have the same digest while a change shows in it.

use realdb::{Etcd, Mariadb, Postgres, Redis};

#[test]
fn postgres_seed_and_digest() {
    let (a, b) = (Postgres::start().unwrap(), Postgres::start().unwrap());
    a.seed(300).unwrap();
    b.seed(300).unwrap();
    assert_eq!(
        a.sql("shop", "SELECT count(*) FROM items").unwrap().trim(),
        "100"
    );
    assert_eq!(a.digest().unwrap(), b.digest().unwrap());
    b.sql("shop", "UPDATE items SET name = 'Grüße' WHERE id = 7")
        .unwrap();
    assert_ne!(a.digest().unwrap(), b.digest().unwrap());
    let backend = a.backend("apps", "app=db");
    assert_eq!(backend.env["PGPORT"], a.port().to_string());
    assert_eq!(backend.env["POSTGRES_USER"], "postgres");
}

#[test]
fn mariadb_seed_and_digest() {
    let (a, b) = (Mariadb::start().unwrap(), Mariadb::start().unwrap());
    a.seed(300).unwrap();
    b.seed(300).unwrap();
    assert_eq!(
        a.sql("SELECT count(*) FROM shop.items").unwrap().trim(),
        "100"
    );
    assert_eq!(a.digest().unwrap(), b.digest().unwrap());
    b.sql("UPDATE shop.items SET payload = X'00' WHERE id = 7")
        .unwrap();
    assert_ne!(a.digest().unwrap(), b.digest().unwrap());
}

#[test]
fn redis_seed_and_digest() {
    let (a, b) = (Redis::start().unwrap(), Redis::start().unwrap());
    a.seed(300).unwrap();
    b.seed(300).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&a.cli(0, &["DBSIZE"]).unwrap()).trim(),
        "240"
    );
    assert_eq!(a.digest().unwrap(), b.digest().unwrap());
    b.cli(3, &["DEL", "list:1"]).unwrap();
    assert_ne!(a.digest().unwrap(), b.digest().unwrap());
    let env = a.env();
    let out = realdb::run(&env, &["redis-cli".into(), "PING".into()], b"").unwrap();
    assert_eq!(out.text().trim(), "PONG", "{}", out.stderr);
}

#[test]
fn etcd_seed_and_digest() {
    let (a, b) = (Etcd::start().unwrap(), Etcd::start().unwrap());
    a.seed(300).unwrap();
    b.seed(300).unwrap();
    assert_eq!(a.digest().unwrap(), b.digest().unwrap());
    b.ctl(&["put", "/shop/items/0000001", "x"], None).unwrap();
    assert_ne!(a.digest().unwrap(), b.digest().unwrap());
}
