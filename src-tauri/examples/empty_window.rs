//! An empty Tauri window: the same tauri version, features and window size as Berth, but a
//! one-paragraph page instead of the UI and no Berth state. (Not `about:blank`: WebKitGTK shows
//! that without starting a web process, so the floor would leave out the process Berth's UI needs.) `scripts/bench-desktop.sh` measures its idle
//! memory the same way as the app's, as the floor Berth is compared with.
//!
//! `cargo build -p berth-desktop --release --features custom-protocol --example empty_window`

fn main() {
    let mut context = tauri::generate_context!();
    // no window from tauri.conf.json: one blank window is opened below
    context.config_mut().app.windows.clear();
    let url = tauri::WebviewUrl::External(
        "data:text/html,<!doctype html><title>Empty</title><p>empty</p>"
            .parse()
            .expect("a valid URL"),
    );
    tauri::Builder::default()
        .setup(move |app| {
            tauri::WebviewWindowBuilder::new(app, "main", url)
                .title("Empty")
                .inner_size(1180.0, 800.0)
                .build()?;
            Ok(())
        })
        .run(context)
        .expect("the empty window runs");
}
