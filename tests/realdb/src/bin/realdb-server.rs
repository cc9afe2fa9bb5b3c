//! `realdb-server postgres --namespace NS --selector SEL [--seed ROWS]`: a real PostgreSQL
//! server for suites written in other languages (the desktop end-to-end tests). It starts the
//! server as the Rust tests do, seeds it, and prints one JSON line: `{"backend": ...,
//! "digest": ...}` (the kubesim config backend binding the selected pods to it, and the content
//! digest). Then each `digest` line on stdin is answered with the current digest; when stdin
//! closes, the server stops and is removed.

use std::io::{BufRead, Write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    if args.first().map(String::as_str) != Some("postgres") {
        return Err(
            "usage: realdb-server postgres --namespace NS --selector SEL [--seed ROWS]".into(),
        );
    }
    let namespace = flag("--namespace").ok_or("--namespace is required")?;
    let selector = flag("--selector").ok_or("--selector is required")?;
    let seed: usize = flag("--seed").map(|s| s.parse()).transpose()?.unwrap_or(0);

    let db = realdb::Postgres::start()?;
    if seed > 0 {
        db.seed(seed)?;
    }
    let mut out = std::io::stdout().lock();
    let first = serde_json::json!({
        "backend": db.backend(&namespace, &selector),
        "digest": db.digest()?,
    });
    writeln!(out, "{first}")?;
    out.flush()?;
    for line in std::io::stdin().lock().lines() {
        if line?.trim() == "digest" {
            writeln!(out, "{}", serde_json::json!({ "digest": db.digest()? }))?;
            out.flush()?;
        }
    }
    Ok(())
}
