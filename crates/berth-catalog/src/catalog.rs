//! The set of definitions Berth knows: the built-in catalog plus user folders.

use std::path::{Path, PathBuf};

use crate::definition::{Definition, Origin};
use crate::error::CatalogError;

/// Environment variable naming the built-in catalog folder (overrides the lookup next to the executable).
pub const CATALOG_DIR_ENV: &str = "BERTH_CATALOG_DIR";
/// Environment variable listing extra catalog folders, colon separated; later folders win.
pub const CATALOG_PATH_ENV: &str = "BERTH_CATALOG_PATH";

/// A folder of definitions (`<folder>/<id>/service.yaml`) and what it counts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogSource {
    /// The folder holding one sub-folder per definition.
    pub dir: PathBuf,
    /// Built-in or a user folder.
    pub origin: Origin,
}

impl CatalogSource {
    /// The built-in catalog at `dir`.
    pub fn built_in(dir: impl Into<PathBuf>) -> Self {
        CatalogSource {
            dir: dir.into(),
            origin: Origin::BuiltIn,
        }
    }

    /// A user catalog folder.
    pub fn folder(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        CatalogSource {
            origin: Origin::Folder(dir.clone()),
            dir,
        }
    }
}

/// Loaded definitions, sorted by id, at most one per id.
#[derive(Debug, Default)]
pub struct Catalog {
    definitions: Vec<Definition>,
}

/// Finds the built-in catalog folder: `BERTH_CATALOG_DIR`, else `catalog/` next to the executable
/// or in one of its ancestors (covers `target/debug/berth` in a checkout), else `../share/berth/catalog`,
/// else the catalog compiled into the binary, unpacked into the user's cache folder.
pub fn built_in_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(CATALOG_DIR_ENV) {
        return Some(PathBuf::from(dir));
    }
    let exe = std::env::current_exe().ok()?;
    for ancestor in exe.ancestors().skip(1) {
        let candidate = ancestor.join("catalog");
        if candidate.join("postgres/service.yaml").is_file() {
            return Some(candidate);
        }
        let share = ancestor.join("share/berth/catalog");
        if share.is_dir() {
            return Some(share);
        }
    }
    crate::embedded::unpacked()
}

/// True when `dir` itself is one definition folder.
pub fn is_definition_dir(dir: &Path) -> bool {
    dir.join("service.yaml").is_file()
}

/// Definition folders in a catalog folder, sorted.
pub fn definition_dirs(dir: &Path) -> Result<Vec<PathBuf>, CatalogError> {
    let entries = std::fs::read_dir(dir).map_err(|source| CatalogError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| is_definition_dir(p))
        .collect();
    dirs.sort();
    Ok(dirs)
}

impl Catalog {
    /// The sources in force: the built-in catalog (when found) and the folders of
    /// `BERTH_CATALOG_PATH`, in that order, so user folders override built-ins by id.
    pub fn default_sources() -> Vec<CatalogSource> {
        let mut sources = Vec::new();
        if let Some(dir) = built_in_dir() {
            sources.push(CatalogSource::built_in(dir));
        }
        if let Some(path) = std::env::var_os(CATALOG_PATH_ENV) {
            for dir in std::env::split_paths(&path) {
                if !dir.as_os_str().is_empty() {
                    sources.push(CatalogSource::folder(dir));
                }
            }
        }
        sources
    }

    /// Loads the built-in catalog and the folders of `BERTH_CATALOG_PATH` (which override built-ins by id).
    pub fn load_default() -> Result<Catalog, CatalogError> {
        Catalog::load(&Catalog::default_sources())
    }

    /// Loads the sources in order; a definition with an id already loaded replaces the earlier one.
    /// A source may also be a single definition folder. Fails on the first broken definition.
    pub fn load(sources: &[CatalogSource]) -> Result<Catalog, CatalogError> {
        let (catalog, mut errors) = Catalog::load_lenient(sources);
        if errors.is_empty() {
            Ok(catalog)
        } else {
            Err(errors.remove(0))
        }
    }

    /// Like [`Catalog::load`], but skips what cannot be loaded (a missing user folder, a broken
    /// definition) and returns those errors next to everything that did load — what the app
    /// wants, so one broken user definition does not hide the catalog.
    pub fn load_lenient(sources: &[CatalogSource]) -> (Catalog, Vec<CatalogError>) {
        Catalog::load_filtered(sources, None)
    }

    /// Like [`Catalog::load_lenient`], but loads only the definitions with these ids (a
    /// definition's folder is named by its id, so the other folders are not even read): what
    /// an operation on one service needs, without parsing and compiling the whole catalog.
    pub fn load_lenient_only(
        sources: &[CatalogSource],
        ids: &[&str],
    ) -> (Catalog, Vec<CatalogError>) {
        Catalog::load_filtered(sources, Some(ids))
    }

    fn load_filtered(
        sources: &[CatalogSource],
        ids: Option<&[&str]>,
    ) -> (Catalog, Vec<CatalogError>) {
        let wanted = |dir: &Path| {
            ids.is_none_or(|ids| {
                dir.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| ids.contains(&n))
            })
        };
        let mut definitions: Vec<Definition> = Vec::new();
        let mut errors = Vec::new();
        for source in sources {
            let mut dirs = if is_definition_dir(&source.dir) {
                vec![source.dir.clone()]
            } else if let Some(ids) = ids {
                // only the folders named by the ids, when they exist
                if !source.dir.is_dir() {
                    errors.push(CatalogError::Io {
                        path: source.dir.clone(),
                        source: std::io::Error::from(std::io::ErrorKind::NotFound),
                    });
                    continue;
                }
                ids.iter()
                    .map(|id| source.dir.join(id))
                    .filter(|d| is_definition_dir(d))
                    .collect()
            } else {
                match definition_dirs(&source.dir) {
                    Ok(dirs) => dirs,
                    Err(e) => {
                        errors.push(e);
                        continue;
                    }
                }
            };
            dirs.retain(|d| wanted(d));
            for dir in dirs {
                let def = match Definition::load(&dir, source.origin.clone()) {
                    Ok(def) => def,
                    Err(e) => {
                        tracing::warn!(dir = %dir.display(), error = %e, "skipping a broken definition");
                        errors.push(e);
                        continue;
                    }
                };
                if let Some(pos) = definitions.iter().position(|d| d.id() == def.id()) {
                    tracing::info!(id = def.id(), origin = %def.origin, "definition overrides an earlier one");
                    definitions[pos] = def;
                } else {
                    definitions.push(def);
                }
            }
        }
        definitions.sort_by(|a, b| a.id().cmp(b.id()));
        (Catalog { definitions }, errors)
    }

    /// All definitions, sorted by id.
    pub fn list(&self) -> &[Definition] {
        &self.definitions
    }

    /// One definition by id.
    pub fn get(&self, id: &str) -> Option<&Definition> {
        self.definitions.iter().find(|d| d.id() == id)
    }

    /// One definition by id, or [`CatalogError::NotFound`].
    pub fn require(&self, id: &str) -> Result<&Definition, CatalogError> {
        self.get(id)
            .ok_or_else(|| CatalogError::NotFound(id.to_string()))
    }
}
