//! Namespaces: new ones get the `default` ServiceAccount and `kube-root-ca.crt`;
//! terminating ones are emptied, then removed.

use serde_json::json;

use super::objects::{create, delete, list, terminating};
use crate::resources::GroupResource;
use crate::server::State;
use crate::store::Write;

/// Reconciles every namespace.
pub(crate) fn reconcile(state: &State) {
    for ns in list(state, "", "namespaces", None) {
        let name = ns["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if !terminating(&ns) {
            let sa = GroupResource::new("", "serviceaccounts");
            if state.store.get(&sa, &name, "default").is_none() {
                create(
                    state,
                    "",
                    "serviceaccounts",
                    &name,
                    json!({"metadata": {"name": "default"}}),
                );
            }
            let cm = GroupResource::new("", "configmaps");
            if state.store.get(&cm, &name, "kube-root-ca.crt").is_none() {
                create(
                    state,
                    "",
                    "configmaps",
                    &name,
                    json!({"metadata": {"name": "kube-root-ca.crt",
                        "annotations": {"kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."}},
                        "data": {"ca.crt": "kubesim"}}),
                );
            }
            continue;
        }
        let mut remaining = 0;
        for gr in state.store.resources() {
            let namespaced = state
                .registry
                .all()
                .iter()
                .any(|t| t.group == gr.group && t.plural == gr.resource && t.namespaced);
            if !namespaced {
                continue;
            }
            for obj in state.store.list(&gr, Some(&name)).0 {
                remaining += 1;
                if !terminating(&obj) {
                    let oname = obj["metadata"]["name"].as_str().unwrap_or_default();
                    delete(state, &gr.group, &gr.resource, &name, oname, "Background");
                } else if obj["metadata"]["finalizers"].as_array().is_some_and(|f| {
                    f.iter()
                        .all(|x| x.as_str().is_some_and(|s| s.starts_with("kubernetes.io/")))
                }) {
                    // Built-in protection finalizers (pvc/pv-protection) are released by
                    // their controllers once nothing uses the object: the pods are gone here.
                    let oname = obj["metadata"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string();
                    let _ = state
                        .store
                        .transact(&gr, &name, &oname, |cur, _| match cur {
                            Some(_) => Ok(Write::Delete),
                            None => Ok(Write::Nothing),
                        });
                }
            }
        }
        if remaining == 0 {
            let _ = state.store.transact(
                &GroupResource::new("", "namespaces"),
                "",
                &name,
                |cur, _| match cur {
                    Some(_) => Ok(Write::Delete),
                    None => Ok(Write::Nothing),
                },
            );
        }
    }
}
