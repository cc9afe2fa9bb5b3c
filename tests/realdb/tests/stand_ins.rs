//! The data operations of the definitions whose servers have no Debian package here (MongoDB,
//! MinIO), run as rendered in a real shell against stand-ins for their tools: small scripts
//! that take the real tools' arguments, check the credentials, and act on files. They show
//! what the commands around the tools do (arguments, credentials from the environment, the
//! bytes passed through unchanged, exit codes, MinIO's staging directory and its cleanup),
//! not that the real tools behave as the stand-ins do: that needs the real servers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use berth_catalog::spec::Operation;
use support::operations;

mod support;

/// Writes an executable script into `bin`.
fn tool(bin: &Path, name: &str, script: &str) {
    use std::os::unix::fs::PermissionsExt;
    let path = bin.join(name);
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The environment of a pod whose tools are the stand-ins in `bin`.
fn pod_env(bin: &Path, vars: &[(&str, &Path)], more: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut env = BTreeMap::from([(
        "PATH".to_owned(),
        format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        ),
    )]);
    for (k, v) in vars {
        env.insert((*k).to_owned(), v.display().to_string());
    }
    for (k, v) in more {
        env.insert((*k).to_owned(), (*v).to_owned());
    }
    env
}

fn run(op: &Operation, env: &BTreeMap<String, String>, stdin: &[u8]) -> realdb::Output {
    realdb::run(env, &op.command, stdin).unwrap()
}

/// Bytes no text filter passes unchanged: every byte value, NULs and CRs included.
fn binary(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

// A password a careless command would split or expand.
const PASSWORD: &str = "p4ss w$rd'\"*";

/// MinIO's client over a directory (`FAKE_STORE`, a subdirectory per bucket, the objects as
/// files): `alias set`, `mirror` (either way; objects only, as an object store has no empty
/// folders), `mb`, `rb --force`, and `ls --json` (buckets, or every object with
/// `--recursive`). `FAKE_FAIL`
/// names a subcommand that fails.
const MC: &str = r#"#!/bin/sh
set -e
cmd=$1; shift
if [ "${FAKE_FAIL:-}" = "$cmd" ]; then echo "mc: $cmd failed" >&2; exit 1; fi
[ -n "${MC_CONFIG_DIR:-}" ] || { echo "mc: no MC_CONFIG_DIR" >&2; exit 1; }
case $cmd in
  alias)
    [ "$1 $2 $3 $4" = "set --quiet local http://127.0.0.1:9000" ] || { echo "mc alias: $*" >&2; exit 2; }
    [ "$5" = "$FAKE_USER" ] && [ "$6" = "$FAKE_PASS" ] || { echo "mc: the access key or secret key is wrong" >&2; exit 1; }
    mkdir -p "$MC_CONFIG_DIR"; echo local > "$MC_CONFIG_DIR/aliases" ;;
  mirror)
    grep -qx local "$MC_CONFIG_DIR/aliases"
    [ "$1" = --quiet ] || { echo "mc mirror: $*" >&2; exit 2; }; shift
    [ "$1" = --overwrite ] && shift
    if [ "$1" = local ]; then from=$FAKE_STORE; to=$2; else from=$1; to=$FAKE_STORE; [ "$2" = local ] || exit 2; fi
    (cd "$from" && find . -type f) | while IFS= read -r f; do
      bucket=$(echo "$f" | cut -d/ -f2)
      if [ "$to" = "$FAKE_STORE" ] && [ ! -d "$to/$bucket" ]; then echo "mc: bucket $bucket does not exist" >&2; exit 1; fi
      mkdir -p "$to/$(dirname "$f")"; cp "$from/$f" "$to/$f"
    done ;;
  mb)
    grep -qx local "$MC_CONFIG_DIR/aliases"
    [ "$1 $2" = "--ignore-existing --quiet" ] || { echo "mc mb: $*" >&2; exit 2; }
    mkdir -p "$FAKE_STORE/${3#local/}" ;;
  rb)
    grep -qx local "$MC_CONFIG_DIR/aliases"
    [ "$1 $2" = "--force --quiet" ] || { echo "mc rb: $*" >&2; exit 2; }
    [ -d "$FAKE_STORE/${3#local/}" ] || { echo "mc rb: no bucket $3" >&2; exit 1; }
    rm -rf "$FAKE_STORE/${3#local/}" ;;
  ls)
    grep -qx local "$MC_CONFIG_DIR/aliases"
    if [ "$1" = --recursive ]; then
      (cd "$FAKE_STORE" && find . -type f | sort) | while IFS= read -r f; do
        printf '{"status":"success","type":"file","lastModified":"2026-12-06T00:00:00Z","size":%s,"key":"%s","etag":"e","url":"http://127.0.0.1:9000/","versionOrdinal":1}\n' \
          "$(wc -c < "$FAKE_STORE/$f" | tr -d ' ')" "${f#./}"
      done
    else
      for b in "$FAKE_STORE"/*/; do
        [ -d "$b" ] || continue
        printf '{"status":"success","type":"folder","lastModified":"2026-12-06T00:00:00Z","size":0,"key":"%s/","etag":"","url":"http://127.0.0.1:9000/","versionOrdinal":1}\n' "$(basename "$b")"
      done
    fi ;;
  *) echo "mc: unknown command $cmd" >&2; exit 2 ;;
esac
"#;

/// The staging directories MinIO's export and import leave in /tmp.
fn staged() -> Vec<PathBuf> {
    std::fs::read_dir("/tmp")
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with("berth-export.") || name.starts_with("berth-import.")
        })
        .collect()
}

/// Every file under `dir` with its size and sha256, and every directory (empty buckets count).
fn tree(dir: &Path) -> BTreeMap<String, Option<(usize, String)>> {
    use sha2::{Digest, Sha256};
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                out.insert(rel, None);
                stack.push(p);
            } else {
                let bytes = std::fs::read(&p).unwrap();
                out.insert(
                    rel,
                    Some((bytes.len(), format!("{:x}", Sha256::digest(&bytes)))),
                );
            }
        }
    }
    out
}

/// One test: the checks share /tmp's staging directories, so they run one after another.
#[test]
fn minio_moves_buckets_and_objects_and_leaves_no_staging_behind() {
    let ops = operations("minio");
    let (export, import, verify) = (
        ops.export.as_ref().expect("export"),
        ops.import.as_ref().expect("import"),
        ops.verify.as_ref().expect("verify"),
    );
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    tool(&bin, "mc", MC);
    let server = |name: &str| {
        let store = dir.path().join(name);
        let home = dir.path().join(format!("{name}-home"));
        std::fs::create_dir_all(&store).unwrap();
        std::fs::create_dir_all(&home).unwrap();
        let env = pod_env(
            &bin,
            &[
                ("FAKE_STORE", &store),
                ("HOME", &home),
                ("MC_CONFIG_DIR", &home.join(".mc")),
            ],
            &[
                ("MINIO_ROOT_USER", "berth"),
                ("MINIO_ROOT_PASSWORD", PASSWORD),
                ("FAKE_USER", "berth"),
                ("FAKE_PASS", PASSWORD),
            ],
        );
        (store, env)
    };
    let (source, source_env) = server("source");
    for (path, bytes) in [
        ("photos/2026/cat.jpg", binary(300_000)),
        (
            "photos/notes/read me.txt",
            "日本語のテキスト\n".as_bytes().to_vec(),
        ),
        ("logs/app.log", b"line 1\nline 2\n".to_vec()),
    ] {
        let p = source.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    std::fs::create_dir(source.join("empty")).unwrap();
    let before = staged();

    let archive = run(export, &source_env, b"");
    assert!(archive.success(), "export: {}", archive.stderr);
    assert_eq!(staged(), before, "the export left its staging directory");

    // the target holds data the import replaces: a bucket the source lacks, and an object
    let (target, target_env) = server("target");
    for stale in ["stale/old.txt", "photos/gone.jpg"] {
        let p = target.join(stale);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, b"stale").unwrap();
    }
    let imported = run(import, &target_env, &archive.stdout);
    assert!(imported.success(), "import: {}", imported.stderr);
    assert_eq!(staged(), before, "the import left its staging directory");
    assert_eq!(
        tree(&target),
        tree(&source),
        "the target differs from the source"
    );
    let digests = [&source_env, &target_env].map(|env| {
        let out = run(verify, env, b"");
        assert!(out.success(), "verify: {}", out.stderr);
        String::from_utf8(out.stdout).unwrap()
    });
    assert_eq!(digests[0], digests[1]);
    assert_eq!(digests[0].trim().len(), 64, "{}", digests[0]);

    // one object changed: verify tells the two apart
    std::fs::write(target.join("logs/app.log"), b"line 1\n").unwrap();
    let changed = String::from_utf8(run(verify, &target_env, b"").stdout).unwrap();
    assert_ne!(changed, digests[0]);

    // two exports from one pod at once each stream the whole store
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| run(export, &source_env, b""));
        let b = s.spawn(|| run(export, &source_env, b""));
        (a.join().unwrap(), b.join().unwrap())
    });
    for (i, out) in [&a, &b].into_iter().enumerate() {
        assert!(out.success(), "{}", out.stderr);
        let (copy, copy_env) = server(&format!("copy-{i}"));
        assert!(run(import, &copy_env, &out.stdout).success());
        assert_eq!(tree(&copy), tree(&source));
    }

    // a failed mirror fails the export, and nothing is left staged
    let mut failing = source_env.clone();
    failing.insert("FAKE_FAIL".into(), "mirror".into());
    let out = run(export, &failing, b"");
    assert!(!out.success(), "an export whose mirror failed exited 0");
    assert!(out.stderr.contains("mirror failed"), "{}", out.stderr);
    assert_eq!(
        staged(),
        before,
        "a failed export left its staging directory"
    );

    // wrong credentials fail before anything is read
    let mut wrong = source_env.clone();
    wrong.insert("MINIO_ROOT_PASSWORD".into(), "nope".into());
    let out = run(export, &wrong, b"");
    assert!(!out.success() && out.stdout.is_empty(), "{}", out.stderr);

    // a cut archive fails the import before it changes anything, and nothing is left staged
    let (cut, cut_env) = server("cut");
    std::fs::create_dir(cut.join("kept")).unwrap();
    std::fs::write(cut.join("kept/data.bin"), b"kept").unwrap();
    let held = tree(&cut);
    let out = run(
        import,
        &cut_env,
        &archive.stdout[..archive.stdout.len() / 3],
    );
    assert!(!out.success(), "an import of a cut archive exited 0");
    assert_eq!(
        staged(),
        before,
        "a failed import left its staging directory"
    );
    assert_eq!(tree(&cut), held, "a failed import changed the target");
}

const MONGODUMP: &str = r#"#!/bin/sh
printf '%s\n' "$@" > "$FAKE_LOG/mongodump.args"
cat "$FAKE_ARCHIVE"
exit "${FAKE_RC:-0}"
"#;

const MONGORESTORE: &str = r#"#!/bin/sh
printf '%s\n' "$@" > "$FAKE_LOG/mongorestore.args"
cat > "$FAKE_LOG/restored"
exit "${FAKE_RC:-0}"
"#;

/// Keeps the script given to `--eval`, for a syntax check.
const MONGOSH: &str = r#"#!/bin/sh
printf '%s\n' "$@" > "$FAKE_LOG/mongosh.args"
while [ $# -gt 0 ]; do
  if [ "$1" = --eval ]; then printf '%s\n' "$2" > "$FAKE_LOG/eval.js"; fi
  shift
done
echo 0
"#;

/// Whether `args` (one per line) holds `want` in that order, side by side.
fn has_run(args: &str, want: &[&str]) -> bool {
    let lines: Vec<&str> = args.lines().collect();
    lines.windows(want.len()).any(|w| w == want)
}

#[test]
fn mongodb_passes_the_archive_through_with_the_pods_credentials() {
    let ops = operations("mongodb");
    let dir = tempfile::tempdir().unwrap();
    let (bin, log) = (dir.path().join("bin"), dir.path().join("log"));
    std::fs::create_dir(&bin).unwrap();
    std::fs::create_dir(&log).unwrap();
    tool(&bin, "mongodump", MONGODUMP);
    tool(&bin, "mongorestore", MONGORESTORE);
    tool(&bin, "mongosh", MONGOSH);
    let archive = dir.path().join("archive");
    let bytes = binary(1 << 20);
    std::fs::write(&archive, &bytes).unwrap();
    let env = pod_env(
        &bin,
        &[("FAKE_LOG", &log), ("FAKE_ARCHIVE", &archive)],
        &[
            ("MONGO_INITDB_ROOT_USERNAME", "root user"),
            ("MONGO_INITDB_ROOT_PASSWORD", PASSWORD),
        ],
    );
    let read = |name: &str| std::fs::read_to_string(log.join(name)).unwrap();
    let credentials = [
        ["--host", "127.0.0.1"],
        ["--authenticationDatabase", "admin"],
        ["-u", "root user"],
        ["-p", PASSWORD],
    ];

    let export = ops.export.as_ref().expect("export");
    let out = run(export, &env, b"");
    assert!(out.success(), "{}", out.stderr);
    assert!(out.stdout == bytes, "the export changed the archive");
    let args = read("mongodump.args");
    assert!(has_run(&args, &["--archive"]), "{args}");
    for pair in credentials {
        assert!(has_run(&args, &pair), "{pair:?} in {args}");
    }

    let import = ops.import.as_ref().expect("import");
    let out = run(import, &env, &bytes);
    assert!(out.success(), "{}", out.stderr);
    assert!(
        std::fs::read(log.join("restored")).unwrap() == bytes,
        "the import changed the archive"
    );
    let args = read("mongorestore.args");
    for want in [
        &["--archive"][..],
        &["--drop"],
        &["--nsExclude", "admin.*"],
        &["--nsExclude", "config.*"],
    ] {
        assert!(has_run(&args, want), "{want:?} in {args}");
    }
    for pair in credentials {
        assert!(has_run(&args, &pair), "{pair:?} in {args}");
    }

    // the tools' exit codes are the operations' (a dump cut short is a failed export)
    let mut failing = env.clone();
    failing.insert("FAKE_RC".into(), "1".into());
    assert!(!run(export, &failing, b"").success());
    assert!(!run(import, &failing, &bytes).success());

    // verify and size: the credentials, and a script node can parse
    for op in [&ops.verify, &ops.size] {
        let op = op.as_ref().expect("verify and size");
        let out = run(op, &env, b"");
        assert!(out.success(), "{}", out.stderr);
        let args = read("mongosh.args");
        for pair in credentials {
            assert!(has_run(&args, &pair), "{pair:?} in {args}");
        }
        let check = std::process::Command::new("node")
            .arg("--check")
            .arg(log.join("eval.js"))
            .output()
            .expect("node (scripts/system-deps.sh installs it)");
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stderr)
        );
    }
}
