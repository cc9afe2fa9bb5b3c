//! The worked example of docs/catalog.md is a real definition: it lints clean, renders, and a
//! user folder holding it shows up in the catalog with its origin.

use std::path::{Path, PathBuf};

use berth_catalog::{Catalog, CatalogSource, Origin, lint};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The fenced block that follows the line naming `file` in the worked example.
fn block_after(doc: &str, file: &str) -> String {
    let start = doc
        .find("## Worked example")
        .expect("worked example section");
    let rest = &doc[start..];
    let at = rest
        .find(&format!("`catalog/tinycache/{file}`"))
        .unwrap_or_else(|| panic!("{file} in docs"));
    let rest = &rest[at..];
    let open = rest.find("```").unwrap();
    let body_start = open + rest[open..].find('\n').unwrap() + 1;
    let close = body_start + rest[body_start..].find("\n```").unwrap();
    rest[body_start..close].to_string() + "\n"
}

fn write(dir: &Path, file: &str, text: &str) {
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn the_documented_example_is_a_valid_definition() {
    let doc = std::fs::read_to_string(repo().join("docs/catalog.md")).unwrap();
    let user = tempfile::tempdir().unwrap();
    let dir = user.path().join("tinycache");
    for file in [
        "service.yaml",
        "values.schema.json",
        "templates/all.yaml.j2",
    ] {
        write(&dir, file, &block_after(&doc, file));
    }
    write(
        &dir,
        "icon.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
    );
    write(&dir, "README.md", "# Tiny cache\n");
    write(&dir, "testdata/defaults.yaml", "values: {}\n");
    let report = lint(&dir);
    let text: Vec<String> = report.findings.iter().map(ToString::to_string).collect();
    assert!(report.is_ok(), "{}", text.join("\n"));

    let catalog = Catalog::load(&[
        CatalogSource::built_in(repo().join("catalog")),
        CatalogSource::folder(user.path()),
    ])
    .unwrap();
    let def = catalog.get("tinycache").expect("user definition listed");
    assert_eq!(def.origin, Origin::Folder(user.path().to_path_buf()));
    assert_eq!(def.origin.to_string(), user.path().display().to_string());
    assert_eq!(
        catalog.get("valkey").unwrap().origin.to_string(),
        "built-in"
    );
}
