//! The desktop UI's mock Backend serves the real catalog: `ui/src/ipc/mock-catalog.json` holds
//! what `catalog_list`, `catalog_show` and `catalog_render` (defaults) answer for the built-in
//! catalog. This test fails when it drifted; `BERTH_BLESS=1` rewrites it.

use std::path::PathBuf;

#[test]
fn the_mock_catalog_fixture_is_current() {
    let home = tempfile::tempdir().unwrap();
    let api = berth_api::Api::open(Some(home.path())).unwrap();
    let list = api.catalog_list().unwrap();
    assert!(list.problems.is_empty(), "{:?}", list.problems);
    let mut details = serde_json::Map::new();
    let mut renders = serde_json::Map::new();
    for service in &list.services {
        let detail = api.catalog_show(&service.id).unwrap();
        details.insert(service.id.clone(), serde_json::to_value(&detail).unwrap());
        let rendered = api
            .catalog_render(&berth_api::RenderInput {
                service: service.id.clone(),
                ..Default::default()
            })
            .unwrap();
        renders.insert(service.id.clone(), serde_json::to_value(&rendered).unwrap());
    }
    let fixture = serde_json::json!({
        "list": list,
        "details": details,
        "renders": renders,
    });
    check_fixture("mock-catalog.json", &fixture, "the catalog");
}

/// Compares `value` with the committed `ui/src/ipc/<name>` (pretty JSON); `BERTH_BLESS=1`
/// rewrites it.
fn check_fixture(name: &str, value: &impl serde::Serialize, source: &str) {
    let text = serde_json::to_string_pretty(value).unwrap() + "\n";
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../ui/src/ipc")
        .join(name);
    if std::env::var_os("BERTH_BLESS").is_some() {
        std::fs::write(&path, &text).unwrap();
    } else {
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == text,
            "ui/src/ipc/{name} drifted from {source}: run \
             `BERTH_BLESS=1 cargo test -p berth-api --test mock_catalog` and commit the result"
        );
    }
}

/// The mock Backend's unreachable contexts carry the core's own hints: `ui/src/ipc/failure-hints.json`
/// holds the hint of every failure kind. `BERTH_BLESS=1` rewrites it.
#[test]
fn the_failure_hints_fixture_is_current() {
    let hints: serde_json::Map<String, serde_json::Value> = berth_api::ProbeFailureKind::ALL
        .into_iter()
        .map(|k| {
            let name = serde_json::to_value(k)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned();
            (name, berth_cluster::failure::hint(k).into())
        })
        .collect();
    check_fixture("failure-hints.json", &hints, "the core's hints");
}
