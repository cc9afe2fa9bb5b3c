//! Generates the Tauri context and one `allow-<command>` permission per Berth command, and
//! writes the capability file granting exactly these and nothing else. The commands come from
//! the one list in `src/command_list.rs`.

include!("src/command_list.rs");

fn main() {
    println!("cargo:rerun-if-changed=src/command_list.rs");
    let capability = std::path::Path::new("capabilities/default.json");
    let text = capability_json(COMMANDS);
    // written only when it differs, so a build does not keep touching a committed file
    if std::fs::read_to_string(capability).ok().as_deref() != Some(text.as_str()) {
        std::fs::write(capability, text).expect("cannot write capabilities/default.json");
    }
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri-build failed: check tauri.conf.json and capabilities/");
}
