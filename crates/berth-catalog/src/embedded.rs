//! The built-in catalog compiled into the binary, so an installed `berth` or desktop app needs no
//! files beside it.
//!
//! `build.rs` embeds every file of the workspace's `catalog/` folder. When no catalog folder is
//! found next to the executable (an installed package), [`unpacked`] writes the files once into
//! the user's cache folder (`~/.cache/berth/catalog/<digest>` on Linux) and the catalog loads from
//! there like any folder, so definitions keep real paths for their templates and icons. The folder
//! is named by [`CATALOG_DIGEST`]: a new build with a changed catalog unpacks next to the old one
//! and never reads stale files. Unpacking goes to a temporary folder renamed into place, so two
//! processes starting at once cannot see a half-written catalog.

use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/embedded_catalog.rs"));

/// The built-in catalog's version: a hash of every path and content in it (16 hex digits).
pub const CATALOG_DIGEST: &str = env!("BERTH_CATALOG_DIGEST");

/// Written last into an unpacked catalog: its presence means every file is there.
const COMPLETE_MARKER: &str = ".complete";

/// The embedded catalog unpacked into the user's cache folder (unpacking it when needed), or
/// `None` when the platform has no cache folder or it cannot be written.
pub(crate) fn unpacked() -> Option<PathBuf> {
    let base = directories::ProjectDirs::from("dev", "berth", "berth")?
        .cache_dir()
        .join("catalog");
    match unpack_into(&base) {
        Ok(dir) => Some(dir),
        Err(error) => {
            tracing::warn!(folder = %base.display(), %error, "cannot unpack the built-in catalog");
            None
        }
    }
}

/// Unpacks the embedded catalog into `base/<digest>` unless it is there already; returns that folder.
pub fn unpack_into(base: &Path) -> std::io::Result<PathBuf> {
    let dir = base.join(CATALOG_DIGEST);
    if dir.join(COMPLETE_MARKER).is_file() {
        return Ok(dir);
    }
    let partial = base.join(format!(".{CATALOG_DIGEST}.{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&partial);
    let written = write_files(&partial).and_then(|()| std::fs::rename(&partial, &dir));
    match written {
        Ok(()) => Ok(dir),
        // another process unpacked the same catalog first
        Err(_) if dir.join(COMPLETE_MARKER).is_file() => {
            let _ = std::fs::remove_dir_all(&partial);
            Ok(dir)
        }
        Err(error) => {
            let _ = std::fs::remove_dir_all(&partial);
            Err(error)
        }
    }
}

fn write_files(dir: &Path) -> std::io::Result<()> {
    for (relative, bytes) in FILES {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, bytes)?;
    }
    std::fs::write(dir.join(COMPLETE_MARKER), CATALOG_DIGEST)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpacks_every_file_of_the_catalog_folder_once() {
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog");
        let base = tempfile::tempdir().unwrap();
        let dir = unpack_into(base.path()).unwrap();
        assert!(dir.ends_with(CATALOG_DIGEST));
        assert!(FILES.len() > 10, "{} files embedded", FILES.len());
        for (relative, _) in FILES {
            assert_eq!(
                std::fs::read(dir.join(relative)).unwrap(),
                std::fs::read(source.join(relative)).unwrap(),
                "{relative}"
            );
        }
        let catalog = crate::Catalog::load(&[crate::CatalogSource::built_in(&dir)]).unwrap();
        assert!(catalog.get("postgres").is_some());

        // a second run finds it complete and rewrites nothing
        std::fs::write(dir.join("postgres/README.md"), "changed").unwrap();
        assert_eq!(unpack_into(base.path()).unwrap(), dir);
        assert_eq!(
            std::fs::read_to_string(dir.join("postgres/README.md")).unwrap(),
            "changed"
        );
        assert_eq!(
            std::fs::read_dir(base.path()).unwrap().count(),
            1,
            "no partial folder left"
        );
    }
}
