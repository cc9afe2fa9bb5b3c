//! Generates the Tauri context and one `allow-<command>` permission per Berth command, so the
//! capability file can grant exactly these and nothing else.

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(&[
        "list_contexts",
        "probe_context",
        "set_context_location",
        "set_context_favourite",
        "app_info",
        "report_first_paint",
        "instance_logs",
        "stop_instance_logs",
        "start_port_forward",
        "stop_port_forward",
        "port_forwards",
        "reveal_connection_uri",
        "instance_metrics",
        "catalog_list",
        "catalog_show",
        "catalog_render",
        "preview_reconfigure",
        "storage_classes",
        "list_namespaces",
        "get_settings",
        "set_settings",
        "local_cluster_tools",
        "create_local_cluster",
        "start_operation",
        "list_operations",
        "list_context_instances",
        "instance_status",
        "instance_details",
        "service_versions",
        "history",
        "instance_usage",
        "reveal_credential",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri-build failed: check tauri.conf.json and capabilities/");
}
