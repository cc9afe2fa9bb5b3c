//! The committed TypeScript bindings must match the Rust DTOs. Run with `BERTH_BLESS=1` to
//! rewrite them after changing a DTO.

use std::path::PathBuf;

#[test]
fn typescript_bindings_are_current() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/ipc/bindings");
    let bless = std::env::var_os("BERTH_BLESS").is_some();
    let mut stale = Vec::new();
    let bindings = berth_api::dto::typescript_bindings();
    for (file, text) in &bindings {
        let path = dir.join(file);
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(file.clone());
        }
    }
    // no leftover bindings for DTOs that no longer exist, in any subfolder
    for name in ts_files(&dir, &dir) {
        if !bindings.iter().any(|(f, _)| *f == name) {
            if bless {
                std::fs::remove_file(dir.join(&name)).unwrap();
            } else {
                stale.push(format!("{name} (no such DTO)"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "TypeScript bindings in ui/src/ipc/bindings drifted from the Rust DTOs: {stale:?}. \
         Run `BERTH_BLESS=1 cargo test -p berth-api --test bindings` and commit the result."
    );
}

#[test]
fn errors_serialise_as_code_and_message() {
    let e = berth_api::ApiError::new(berth_api::ErrorCode::InvalidInput, "bad");
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        serde_json::json!({"code": "invalidInput", "message": "bad"})
    );
}

/// The `.ts` files below `dir`, as paths relative to `root` with `/` separators.
fn ts_files(root: &std::path::Path, dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(ts_files(root, &path));
        } else if path.extension().is_some_and(|e| e == "ts") {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push(rel);
        }
    }
    out
}
