//! Golden renders: every `catalog/<id>/testdata/<case>.yaml` renders to `<case>.expected.yaml`.
//! `BERTH_BLESS=1 cargo test -p berth-catalog --test golden` rewrites the expected files.

use std::path::PathBuf;

use berth_catalog::lint::{case_request, object_problems, read_case, test_cases};
use berth_catalog::{Catalog, CatalogSource};

fn catalog_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../catalog")
}

/// Golden renders first (rewritten under `BERTH_BLESS`), then the linter over the same files, in
/// one test so a bless never races the lint's own comparison with the expected files.
#[test]
fn golden_renders_match_and_the_catalog_lints_clean() {
    every_testdata_case_matches_its_golden_render();
    the_whole_catalog_lints_clean();
}

fn every_testdata_case_matches_its_golden_render() {
    let catalog = Catalog::load(&[CatalogSource::built_in(catalog_dir())]).expect("catalog loads");
    let bless = std::env::var_os("BERTH_BLESS").is_some();
    let mut failures = Vec::new();
    let mut cases = 0;
    for def in catalog.list() {
        let found = test_cases(def);
        assert!(
            found.len() >= 2,
            "{} needs at least two testdata cases",
            def.id()
        );
        for (case_path, expected_path) in found {
            cases += 1;
            let case = read_case(&case_path).expect("case reads");
            let rendered = match def.render(&case_request(def, &case)) {
                Ok(r) => r,
                Err(e) => {
                    failures.push(format!("{}: {e}", case_path.display()));
                    continue;
                }
            };
            let problems = object_problems(&rendered);
            if !problems.is_empty() {
                failures.push(format!("{}: {}", case_path.display(), problems.join("; ")));
            }
            let yaml = rendered.to_yaml();
            if bless {
                std::fs::write(&expected_path, &yaml).expect("write golden");
            } else {
                match std::fs::read_to_string(&expected_path) {
                    Ok(want) if want == yaml => {}
                    Ok(_) => failures.push(format!(
                        "{} differs (BERTH_BLESS=1 to rewrite)",
                        expected_path.display()
                    )),
                    Err(_) => failures.push(format!(
                        "{} is missing (BERTH_BLESS=1 to write)",
                        expected_path.display()
                    )),
                }
            }
        }
    }
    assert!(cases > 0);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn the_whole_catalog_lints_clean() {
    let report = berth_catalog::lint(&catalog_dir());
    let text: Vec<String> = report.findings.iter().map(ToString::to_string).collect();
    assert!(report.is_ok(), "{}", text.join("\n"));
    for id in [
        "postgres",
        "redis",
        "mysql",
        "mariadb",
        "valkey",
        "mongodb",
        "etcd",
        "nats",
        "memcached",
        "minio",
        "rabbitmq",
        "kafka",
        "cassandra",
        "opensearch",
    ] {
        assert!(
            report.checked.contains(&id.to_string()),
            "{id} was not linted"
        );
    }
}
