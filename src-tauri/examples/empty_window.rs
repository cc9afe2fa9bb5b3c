//! An empty Tauri window: the same tauri version, features and window size as Berth, but a
//! one-paragraph page (from a custom URI scheme) instead of the UI and no Berth state. (Not `about:blank`: WebKitGTK shows
//! that without starting a web process, so the floor would leave out the process Berth's UI needs.) `scripts/bench-desktop.sh` measures its idle
//! memory the same way as the app's, as the floor Berth is compared with.
//!
//! `cargo build -p berth-desktop --release --features custom-protocol --example empty_window`

fn main() {
    let mut context = tauri::generate_context!();
    // no window from tauri.conf.json: one blank window is opened below
    context.config_mut().app.windows.clear();
    // a page served by a custom URI scheme, as Berth's own UI is (tauri's custom protocol); a
    // `data:` URL needs tauri's `webview-data-url` feature, which Berth does not use
    let url = tauri::WebviewUrl::CustomProtocol("empty://localhost/".parse().expect("a valid URL"));
    tauri::Builder::default()
        .register_uri_scheme_protocol("empty", |_ctx, _request| {
            tauri::http::Response::builder()
                .header("Content-Type", "text/html")
                .body(b"<!doctype html><title>Empty</title><p>empty</p>".to_vec())
                .expect("a valid response")
        })
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
