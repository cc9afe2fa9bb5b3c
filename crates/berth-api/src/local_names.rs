//! Names a shell completes (`berth status <Tab>`), read from local files only: no network, no
//! database created, nothing written to the home. Each function returns what it finds and nothing
//! on an error: a completion shows fewer candidates, never an error message.

use std::path::Path;

/// The instance names in the history of the Berth home (`home`, else `BERTH_HOME`, else the
/// platform folder), sorted.
pub fn known_instance_names(home: Option<&Path>) -> Vec<String> {
    berth_store::resolve_home(home)
        .and_then(|home| berth_store::read_only::instance_names(&home).ok())
        .unwrap_or_default()
}

/// The context names in the kubeconfig files in force (`KUBECONFIG`, else `~/.kube/config`).
pub fn known_context_names() -> Vec<String> {
    berth_cluster::LoadedKubeconfig::load_default()
        .map(|kubeconfig| kubeconfig.contexts().into_iter().map(|c| c.name).collect())
        .unwrap_or_default()
}

/// The service ids of the catalog in force (built-in and `BERTH_CATALOG_PATH` folders), sorted,
/// each once. Lists folders only; no definition is parsed.
pub fn known_service_ids() -> Vec<String> {
    let mut ids: Vec<String> = berth_catalog::Catalog::default_sources()
        .iter()
        .filter_map(|source| berth_catalog::definition_dirs(&source.dir).ok())
        .flatten()
        .filter_map(|dir| Some(dir.file_name()?.to_str()?.to_owned()))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}
