//! The kubeconfig kubesim writes for its clients.

use base64::Engine;

/// Renders a kubeconfig with one cluster, user and context, all named `context`.
pub(crate) fn render(server: &str, ca_pem: &str, token: &str, context: &str) -> String {
    let ca = base64::engine::general_purpose::STANDARD.encode(ca_pem);
    let doc = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Config",
        "preferences": {},
        "clusters": [{"name": context, "cluster": {"server": server, "certificate-authority-data": ca}}],
        "users": [{"name": context, "user": {"token": token}}],
        "contexts": [{"name": context, "context": {"cluster": context, "user": context, "namespace": "default"}}],
        "current-context": context,
    });
    serde_yaml::to_string(&doc).expect("kubeconfig serialises")
}
