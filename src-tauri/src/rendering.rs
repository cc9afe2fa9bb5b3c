//! How the webview draws: without a GPU, without WebKit's compositing.
//!
//! WebKitGTK composites pages with OpenGL. On a machine without a GPU render node (a VM, a
//! remote desktop, Xvfb: no `/dev/dri/renderD*`) that OpenGL is Mesa's llvmpipe, a software
//! rasterizer: it loads LLVM into the web process, keeps GL buffers for its layers and makes the
//! first frame wait while it compiles shaders. Berth's screens have no 3D, video or WebGL, so
//! there the shell sets the webview's hardware acceleration policy to *never*, WebKit's plain
//! software path (the same as `WEBKIT_DISABLE_COMPOSITING_MODE=1`): measured in
//! `docs/benchmarks.md` (Desktop), about 100 MiB less for the process tree and a first frame a
//! few hundred milliseconds sooner. With a GPU nothing changes; `WEBKIT_DISABLE_COMPOSITING_MODE`
//! set by the user (either way) is respected.
//!
//! For automation: WebKitWebDriver takes a screenshot after the page's next presentation update,
//! which a page at rest does not have in this mode, so the desktop e2e suite repaints a 1 px
//! element while it asks (`saveScreenshot` in `tests/e2e/desktop/fixtures.mjs`); another e2e test
//! captures the X screen to check that the window itself is painted and repainted.

/// The variable WebKitGTK reads to turn compositing off.
const DISABLE_COMPOSITING: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// How the webview should draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compositing {
    /// The user's environment says; left alone.
    AsSet,
    /// A GPU render node exists: WebKit composites on it.
    Gpu,
    /// No GPU render node: no compositing.
    OffWithoutGpu,
}

/// Picks the rendering path for this machine.
pub(crate) fn choose() -> Compositing {
    if !cfg!(target_os = "linux") || std::env::var_os(DISABLE_COMPOSITING).is_some() {
        Compositing::AsSet
    } else if has_gpu_render_node(std::path::Path::new("/dev/dri")) {
        Compositing::Gpu
    } else {
        Compositing::OffWithoutGpu
    }
}

/// Applies `choice` to a webview; called as soon as the window exists, before its first frame.
pub(crate) fn apply<R: tauri::Runtime>(webview: &tauri::WebviewWindow<R>, choice: Compositing) {
    if choice != Compositing::OffWithoutGpu {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        let applied = webview.with_webview(|platform| {
            use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
            if let Some(settings) = platform.inner().settings() {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
        });
        if let Err(error) = applied {
            tracing::warn!(%error, "could not set the webview's rendering");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = webview;
}

/// True when `dri` holds a render node (`renderD128`...), i.e. a GPU OpenGL can run on.
fn has_gpu_render_node(dri: &std::path::Path) -> bool {
    std::fs::read_dir(dri).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_render_node_means_a_gpu() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        assert!(
            !has_gpu_render_node(&dir.path().join("missing")),
            "no /dev/dri at all"
        );
        assert!(!has_gpu_render_node(dir.path()), "an empty /dev/dri");
        std::fs::write(dir.path().join("card0"), b"").expect("write");
        assert!(
            !has_gpu_render_node(dir.path()),
            "a display card without a render node"
        );
        std::fs::write(dir.path().join("renderD128"), b"").expect("write");
        assert!(has_gpu_render_node(dir.path()));
    }
}
