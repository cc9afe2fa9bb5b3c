//! Discovery: `/version`, legacy `/api`, `/apis`, `/api/v1`, `/apis/{group}/{version}`,
//! and aggregated discovery (`apidiscovery.k8s.io/v2`, which kubectl 1.37 asks for first).

use serde_json::{Value, json};

use crate::resources::{Registry, ResourceType};

/// Kubernetes version kubesim reports.
pub(crate) const VERSION: (&str, &str) = ("1", "37");

/// `Content-Type` of an aggregated discovery response.
pub(crate) const AGGREGATED_CT: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// Whether the client's `Accept` asks for aggregated discovery v2.
pub(crate) fn wants_aggregated(accept: &str) -> bool {
    accept.split(',').any(|a| {
        a.contains("as=APIGroupDiscoveryList") && a.contains("v=v2") && !a.contains("v=v2beta1")
    })
}

/// `/version`.
pub(crate) fn version() -> Value {
    json!({
        "major": VERSION.0,
        "minor": VERSION.1,
        "emulationMajor": VERSION.0,
        "emulationMinor": VERSION.1,
        "minCompatibilityMajor": VERSION.0,
        "minCompatibilityMinor": "36",
        "gitVersion": format!("v{}.{}.1-kubesim", VERSION.0, VERSION.1),
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.25.0",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

/// `/api`.
pub(crate) fn api_versions(server: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server}],
    })
}

fn group_entry(group: &str, versions: &[String]) -> Value {
    let vs: Vec<Value> = versions
        .iter()
        .map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v}))
        .collect();
    json!({"name": group, "versions": vs, "preferredVersion": vs[0]})
}

/// `/apis`.
pub(crate) fn api_groups(reg: &Registry) -> Value {
    let groups: Vec<Value> = reg
        .groups()
        .into_iter()
        .filter(|(g, _)| !g.is_empty())
        .map(|(g, vs)| group_entry(&g, &vs))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `/apis/{group}`.
pub(crate) fn api_group(reg: &Registry, group: &str) -> Option<Value> {
    let (g, vs) = reg.groups().into_iter().find(|(g, _)| g == group)?;
    let mut v = group_entry(&g, &vs);
    v["kind"] = json!("APIGroup");
    v["apiVersion"] = json!("v1");
    Some(v)
}

/// The kind, group and version a subresource returns, and its verbs.
fn subresource_info(rt: &ResourceType, sub: &str) -> (String, String, String, Vec<&'static str>) {
    let same = (rt.group.clone(), rt.version.clone(), rt.kind.clone());
    let (g, v, k) = match sub {
        "scale" => ("autoscaling".into(), "v1".into(), "Scale".into()),
        "exec" => (String::new(), "v1".into(), "PodExecOptions".into()),
        "attach" => (String::new(), "v1".into(), "PodAttachOptions".into()),
        "portforward" => (String::new(), "v1".into(), "PodPortForwardOptions".into()),
        "eviction" => ("policy".into(), "v1".into(), "Eviction".into()),
        _ => same,
    };
    let verbs = match sub {
        "status" | "scale" => vec!["get", "patch", "update"],
        "log" => vec!["get"],
        "exec" | "attach" | "portforward" => vec!["create", "get"],
        "eviction" => vec!["create"],
        "finalize" => vec!["update"],
        _ => vec!["get"],
    };
    (g, v, k, verbs)
}

/// `/api/v1` or `/apis/{group}/{version}`.
pub(crate) fn resource_list(reg: &Registry, group: &str, version: &str) -> Option<Value> {
    let types = reg.in_group_version(group, version);
    if types.is_empty() {
        return None;
    }
    let mut resources = Vec::new();
    for t in &types {
        let mut r = json!({
            "name": t.plural,
            "singularName": t.singular,
            "namespaced": t.namespaced,
            "kind": t.kind,
            "verbs": t.verbs,
            "storageVersionHash": format!("{:x}", fnv(&t.qualified())),
        });
        if !t.short_names.is_empty() {
            r["shortNames"] = json!(t.short_names);
        }
        if !t.categories.is_empty() {
            r["categories"] = json!(t.categories);
        }
        resources.push(r);
        for sub in &t.subresources {
            let (g, v, k, verbs) = subresource_info(t, sub);
            let mut r = json!({
                "name": format!("{}/{}", t.plural, sub),
                "singularName": "",
                "namespaced": t.namespaced,
                "kind": k,
                "verbs": verbs,
            });
            if g != t.group || v != t.version {
                r["group"] = json!(g);
                r["version"] = json!(v);
            }
            resources.push(r);
        }
    }
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}),
    )
}

/// Aggregated discovery for the core group (`/api`) or the named groups (`/apis`).
pub(crate) fn aggregated(reg: &Registry, core: bool) -> Value {
    let mut items = Vec::new();
    for (group, versions) in reg.groups() {
        if group.is_empty() != core {
            continue;
        }
        let vs: Vec<Value> = versions
            .iter()
            .map(|v| {
                let resources: Vec<Value> = reg
                    .in_group_version(&group, v)
                    .iter()
                    .map(|t| {
                        let subs: Vec<Value> = t
                            .subresources
                            .iter()
                            .map(|s| {
                                let (g, ver, k, verbs) = subresource_info(t, s);
                                json!({
                                    "subresource": s,
                                    "responseKind": {"group": g, "version": ver, "kind": k},
                                    "verbs": verbs,
                                })
                            })
                            .collect();
                        let mut r = json!({
                            "resource": t.plural,
                            "responseKind": {"group": t.group, "version": t.version, "kind": t.kind},
                            "scope": if t.namespaced { "Namespaced" } else { "Cluster" },
                            "singularResource": t.singular,
                            "verbs": t.verbs,
                        });
                        if !t.short_names.is_empty() {
                            r["shortNames"] = json!(t.short_names);
                        }
                        if !t.categories.is_empty() {
                            r["categories"] = json!(t.categories);
                        }
                        if !subs.is_empty() {
                            r["subresources"] = json!(subs);
                        }
                        r
                    })
                    .collect();
                json!({"version": v, "resources": resources, "freshness": "Current"})
            })
            .collect();
        items.push(json!({"metadata": {"name": group}, "versions": vs}));
    }
    json!({
        "kind": "APIGroupDiscoveryList",
        "apiVersion": "apidiscovery.k8s.io/v2",
        "metadata": {},
        "items": items,
    })
}

/// FNV-1a, for stable short hashes.
pub(crate) fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}
