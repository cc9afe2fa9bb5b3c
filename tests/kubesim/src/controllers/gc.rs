//! Garbage collection through ownerReferences: dependents of deleted owners go
//! (background), `foregroundDeletion` owners wait for their dependents, `orphan` owners
//! release theirs.

use std::collections::HashMap;

use serde_json::json;

use super::objects::{delete, terminating};
use crate::fields::Scope;
use crate::handlers::write;
use crate::resources::GroupResource;
use crate::server::State;

struct Owner {
    gr: GroupResource,
    ns: String,
    name: String,
    finalizers: Vec<String>,
}

/// One garbage collection pass over every object.
pub(crate) fn reconcile(state: &State) {
    let mut objects: Vec<(GroupResource, crate::store::Shared)> = Vec::new();
    for gr in state.store.resources() {
        if gr.resource == "events" {
            continue;
        }
        for o in state.store.list(&gr, None).0 {
            objects.push((gr.clone(), o));
        }
    }
    let mut owners: HashMap<String, Owner> = HashMap::new();
    for (gr, o) in &objects {
        let (ns, name) = crate::store::key_of(o);
        if let Some(uid) = o["metadata"]["uid"].as_str() {
            owners.insert(
                uid.to_string(),
                Owner {
                    gr: gr.clone(),
                    ns,
                    name,
                    finalizers: o["metadata"]["finalizers"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|f| f.as_str().map(str::to_string))
                        .collect(),
                },
            );
        }
    }
    let mut has_dependents: HashMap<String, bool> = HashMap::new();
    for (gr, o) in &objects {
        let Some(refs) = o["metadata"]["ownerReferences"].as_array() else {
            continue;
        };
        if refs.is_empty() {
            continue;
        }
        let (ns, name) = crate::store::key_of(o);
        let mut live = 0;
        let mut orphan_from: Vec<String> = Vec::new();
        let mut foreground = false;
        for r in refs {
            let uid = r["uid"].as_str().unwrap_or_default();
            match owners.get(uid) {
                None => {}
                Some(owner) => {
                    live += 1;
                    if owner.finalizers.iter().any(|f| f == "orphan") {
                        orphan_from.push(uid.to_string());
                    } else if owner.finalizers.iter().any(|f| f == "foregroundDeletion") {
                        foreground = true;
                        has_dependents.insert(uid.to_string(), true);
                    } else {
                        has_dependents.insert(uid.to_string(), true);
                    }
                }
            }
        }
        if !orphan_from.is_empty() {
            let _ = write::update_object(
                state,
                &rt_of(state, gr),
                &ns,
                &name,
                Scope::Main,
                Some("kube-controller-manager"),
                false,
                |old| {
                    let mut new = old.clone();
                    if let Some(a) = new["metadata"]["ownerReferences"].as_array_mut() {
                        a.retain(|r| !orphan_from.iter().any(|u| r["uid"] == u.as_str()));
                    }
                    if let Some(m) = new["metadata"].as_object_mut() {
                        m.remove("resourceVersion");
                    }
                    Ok(new)
                },
            );
            continue;
        }
        if (live == 0 || foreground) && !terminating(o) {
            let policy = if foreground {
                "Foreground"
            } else {
                "Background"
            };
            delete(state, &gr.group, &gr.resource, &ns, &name, policy);
        }
    }
    // Owners waiting on dependents: drop their GC finalizer once none are left.
    for (uid, owner) in &owners {
        let gc_finalizer = owner
            .finalizers
            .iter()
            .find(|f| *f == "foregroundDeletion" || *f == "orphan")
            .cloned();
        let Some(fin) = gc_finalizer else { continue };
        if fin == "foregroundDeletion" && has_dependents.get(uid).copied().unwrap_or(false) {
            continue;
        }
        let _ = write::update_object(
            state,
            &rt_of(state, &owner.gr),
            &owner.ns,
            &owner.name,
            Scope::Main,
            Some("kube-controller-manager"),
            false,
            |old| {
                let mut new = old.clone();
                if let Some(a) = new["metadata"]["finalizers"].as_array_mut() {
                    a.retain(|f| f != &json!(fin));
                }
                if let Some(m) = new["metadata"].as_object_mut() {
                    m.remove("resourceVersion");
                }
                Ok(new)
            },
        );
    }
}

fn rt_of(state: &State, gr: &GroupResource) -> std::sync::Arc<crate::resources::ResourceType> {
    state
        .registry
        .all()
        .into_iter()
        .find(|t| t.group == gr.group && t.plural == gr.resource)
        .expect("stored resources have a type")
}
