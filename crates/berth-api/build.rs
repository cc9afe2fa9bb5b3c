//! Records what `berth version` and the app's About box report about the build: the git commit
//! (`BERTH_GIT_COMMIT` when set, as a source tarball's build sets it, else `git rev-parse`), the
//! build date (`SOURCE_DATE_EPOCH` when set, for reproducible builds, else now) and the target triple.
//! Reruns when the checked-out commit changes, so the commit is never stale.

use std::process::Command;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && !text.is_empty()).then_some(text)
}

fn main() {
    println!("cargo::rerun-if-env-changed=BERTH_GIT_COMMIT");
    println!("cargo::rerun-if-env-changed=SOURCE_DATE_EPOCH");
    for name in ["HEAD", "packed-refs"] {
        if let Some(path) = git(&["rev-parse", "--git-path", name]) {
            println!("cargo::rerun-if-changed={path}");
        }
    }
    if let Some(head) = git(&["symbolic-ref", "-q", "HEAD"])
        && let Some(path) = git(&["rev-parse", "--git-path", &head])
    {
        println!("cargo::rerun-if-changed={path}");
    }
    let commit = std::env::var("BERTH_GIT_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_owned());
    let date = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse().ok())
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or_else(OffsetDateTime::now_utc)
        .replace_nanosecond(0)
        .unwrap_or_else(|_| OffsetDateTime::now_utc());
    let date = date
        .format(&Rfc3339)
        .unwrap_or_else(|_| "unknown".to_owned());
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".to_owned());
    println!("cargo::rustc-env=BERTH_GIT_COMMIT={commit}");
    println!("cargo::rustc-env=BERTH_BUILD_DATE={date}");
    println!("cargo::rustc-env=BERTH_TARGET={target}");
}
