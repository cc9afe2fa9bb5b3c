//! The resource types kubesim serves: built-in kinds plus the kinds that stored
//! CustomResourceDefinitions define.

use std::sync::{Arc, RwLock};

use serde_json::Value;

/// One served resource type (a group/version/resource with its kind).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResourceType {
    /// API group, empty for the core group.
    pub(crate) group: String,
    /// API version inside the group.
    pub(crate) version: String,
    /// Plural resource name used in URLs.
    pub(crate) plural: String,
    /// Singular name.
    pub(crate) singular: String,
    /// Kind of the objects.
    pub(crate) kind: String,
    /// Whether the objects live in namespaces.
    pub(crate) namespaced: bool,
    /// Short names kubectl accepts.
    pub(crate) short_names: Vec<String>,
    /// Categories (`all`).
    pub(crate) categories: Vec<String>,
    /// Subresources served under each object.
    pub(crate) subresources: Vec<String>,
    /// Verbs served on the resource.
    pub(crate) verbs: Vec<String>,
}

impl ResourceType {
    /// `group/version`, or `version` for the core group.
    pub(crate) fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The storage key of this resource (versions share storage).
    pub(crate) fn group_resource(&self) -> GroupResource {
        GroupResource {
            group: self.group.clone(),
            resource: self.plural.clone(),
        }
    }

    /// `plural` or `plural.group`, as Kubernetes names resources in messages.
    pub(crate) fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// Whether the resource has the given subresource.
    pub(crate) fn has_subresource(&self, sub: &str) -> bool {
        self.subresources.iter().any(|s| s == sub)
    }
}

/// Storage key of a resource: its group and plural name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct GroupResource {
    /// API group.
    pub(crate) group: String,
    /// Plural resource name.
    pub(crate) resource: String,
}

impl GroupResource {
    /// Builds a key.
    pub(crate) fn new(group: &str, resource: &str) -> Self {
        Self {
            group: group.to_string(),
            resource: resource.to_string(),
        }
    }
}

const ALL_VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

#[allow(clippy::too_many_arguments)]
fn rt(
    group: &str,
    version: &str,
    plural: &str,
    kind: &str,
    namespaced: bool,
    short: &[&str],
    categories: &[&str],
    subresources: &[&str],
) -> ResourceType {
    ResourceType {
        group: group.into(),
        version: version.into(),
        plural: plural.into(),
        singular: kind.to_lowercase(),
        kind: kind.into(),
        namespaced,
        short_names: short.iter().map(|s| s.to_string()).collect(),
        categories: categories.iter().map(|s| s.to_string()).collect(),
        subresources: subresources.iter().map(|s| s.to_string()).collect(),
        verbs: ALL_VERBS.iter().map(|s| s.to_string()).collect(),
    }
}

fn builtin() -> Vec<ResourceType> {
    let all = &["all"][..];
    let mut v = vec![
        rt(
            "",
            "v1",
            "namespaces",
            "Namespace",
            false,
            &["ns"],
            &[],
            &["status", "finalize"],
        ),
        rt(
            "",
            "v1",
            "pods",
            "Pod",
            true,
            &["po"],
            all,
            &["status", "log", "exec", "portforward", "attach", "eviction"],
        ),
        rt(
            "",
            "v1",
            "services",
            "Service",
            true,
            &["svc"],
            all,
            &["status"],
        ),
        rt("", "v1", "endpoints", "Endpoints", true, &["ep"], &[], &[]),
        rt("", "v1", "configmaps", "ConfigMap", true, &["cm"], &[], &[]),
        rt("", "v1", "secrets", "Secret", true, &[], &[], &[]),
        rt(
            "",
            "v1",
            "serviceaccounts",
            "ServiceAccount",
            true,
            &["sa"],
            &[],
            &[],
        ),
        rt(
            "",
            "v1",
            "persistentvolumeclaims",
            "PersistentVolumeClaim",
            true,
            &["pvc"],
            &[],
            &["status"],
        ),
        rt(
            "",
            "v1",
            "persistentvolumes",
            "PersistentVolume",
            false,
            &["pv"],
            &[],
            &["status"],
        ),
        rt("", "v1", "events", "Event", true, &["ev"], &[], &[]),
        rt("", "v1", "nodes", "Node", false, &["no"], &[], &["status"]),
        rt(
            "",
            "v1",
            "replicationcontrollers",
            "ReplicationController",
            true,
            &["rc"],
            all,
            &["status", "scale"],
        ),
        rt(
            "",
            "v1",
            "resourcequotas",
            "ResourceQuota",
            true,
            &["quota"],
            &[],
            &["status"],
        ),
        rt(
            "",
            "v1",
            "limitranges",
            "LimitRange",
            true,
            &["limits"],
            &[],
            &[],
        ),
        rt(
            "apps",
            "v1",
            "deployments",
            "Deployment",
            true,
            &["deploy"],
            all,
            &["status", "scale"],
        ),
        rt(
            "apps",
            "v1",
            "statefulsets",
            "StatefulSet",
            true,
            &["sts"],
            all,
            &["status", "scale"],
        ),
        rt(
            "apps",
            "v1",
            "replicasets",
            "ReplicaSet",
            true,
            &["rs"],
            all,
            &["status", "scale"],
        ),
        rt(
            "apps",
            "v1",
            "daemonsets",
            "DaemonSet",
            true,
            &["ds"],
            all,
            &["status"],
        ),
        rt(
            "apps",
            "v1",
            "controllerrevisions",
            "ControllerRevision",
            true,
            &[],
            &[],
            &[],
        ),
        rt("batch", "v1", "jobs", "Job", true, &[], all, &["status"]),
        rt(
            "batch",
            "v1",
            "cronjobs",
            "CronJob",
            true,
            &["cj"],
            all,
            &["status"],
        ),
        rt(
            "autoscaling",
            "v2",
            "horizontalpodautoscalers",
            "HorizontalPodAutoscaler",
            true,
            &["hpa"],
            all,
            &["status"],
        ),
        rt(
            "policy",
            "v1",
            "poddisruptionbudgets",
            "PodDisruptionBudget",
            true,
            &["pdb"],
            &[],
            &["status"],
        ),
        rt(
            "networking.k8s.io",
            "v1",
            "networkpolicies",
            "NetworkPolicy",
            true,
            &["netpol"],
            &[],
            &[],
        ),
        rt(
            "networking.k8s.io",
            "v1",
            "ingresses",
            "Ingress",
            true,
            &["ing"],
            &[],
            &["status"],
        ),
        rt(
            "networking.k8s.io",
            "v1",
            "ingressclasses",
            "IngressClass",
            false,
            &[],
            &[],
            &[],
        ),
        rt(
            "rbac.authorization.k8s.io",
            "v1",
            "roles",
            "Role",
            true,
            &[],
            &[],
            &[],
        ),
        rt(
            "rbac.authorization.k8s.io",
            "v1",
            "rolebindings",
            "RoleBinding",
            true,
            &[],
            &[],
            &[],
        ),
        rt(
            "rbac.authorization.k8s.io",
            "v1",
            "clusterroles",
            "ClusterRole",
            false,
            &[],
            &[],
            &[],
        ),
        rt(
            "rbac.authorization.k8s.io",
            "v1",
            "clusterrolebindings",
            "ClusterRoleBinding",
            false,
            &[],
            &[],
            &[],
        ),
        rt(
            "coordination.k8s.io",
            "v1",
            "leases",
            "Lease",
            true,
            &[],
            &[],
            &[],
        ),
        rt(
            "storage.k8s.io",
            "v1",
            "storageclasses",
            "StorageClass",
            false,
            &["sc"],
            &[],
            &[],
        ),
        rt(
            "discovery.k8s.io",
            "v1",
            "endpointslices",
            "EndpointSlice",
            true,
            &[],
            &[],
            &[],
        ),
        rt(
            "events.k8s.io",
            "v1",
            "events",
            "Event",
            true,
            &["ev"],
            &[],
            &[],
        ),
        rt(
            "scheduling.k8s.io",
            "v1",
            "priorityclasses",
            "PriorityClass",
            false,
            &["pc"],
            &[],
            &[],
        ),
        rt(
            "apiextensions.k8s.io",
            "v1",
            "customresourcedefinitions",
            "CustomResourceDefinition",
            false,
            &["crd", "crds"],
            &[],
            &["status"],
        ),
    ];
    for (sub, kind) in [
        ("selfsubjectaccessreviews", "SelfSubjectAccessReview"),
        ("selfsubjectrulesreviews", "SelfSubjectRulesReview"),
    ] {
        let mut r = rt(
            "authorization.k8s.io",
            "v1",
            sub,
            kind,
            false,
            &[],
            &[],
            &[],
        );
        r.verbs = vec!["create".into()];
        v.push(r);
    }
    for (plural, kind, namespaced) in [
        ("pods", "PodMetrics", true),
        ("nodes", "NodeMetrics", false),
    ] {
        let mut r = rt(
            "metrics.k8s.io",
            "v1beta1",
            plural,
            kind,
            namespaced,
            &[],
            &[],
            &[],
        );
        r.verbs = vec!["get".into(), "list".into()];
        v.push(r);
    }
    let mut ssr = rt(
        "authentication.k8s.io",
        "v1",
        "selfsubjectreviews",
        "SelfSubjectReview",
        false,
        &[],
        &[],
        &[],
    );
    ssr.verbs = vec!["create".into()];
    v.push(ssr);
    v
}

/// Preferred group order in discovery, as a real server lists them.
const GROUP_ORDER: &[&str] = &[
    "",
    "apps",
    "events.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "networking.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "scheduling.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "apiextensions.k8s.io",
];

/// The registry of served resource types; CRDs add to it at run time.
#[derive(Debug, Clone)]
pub(crate) struct Registry {
    types: Arc<RwLock<Vec<Arc<ResourceType>>>>,
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

impl Registry {
    /// A registry holding the built-in resource types.
    pub(crate) fn new() -> Self {
        Self {
            types: Arc::new(RwLock::new(builtin().into_iter().map(Arc::new).collect())),
        }
    }

    /// Stops serving every type of a group (a cluster without metrics-server).
    pub(crate) fn remove_group(&self, group: &str) {
        self.types
            .write()
            .expect("registry lock")
            .retain(|t| t.group != group);
    }

    /// Every served type.
    pub(crate) fn all(&self) -> Vec<Arc<ResourceType>> {
        self.types.read().expect("registry lock").clone()
    }

    /// Looks a type up by group, version and plural.
    pub(crate) fn find(
        &self,
        group: &str,
        version: &str,
        plural: &str,
    ) -> Option<Arc<ResourceType>> {
        self.types
            .read()
            .expect("registry lock")
            .iter()
            .find(|t| t.group == group && t.version == version && t.plural == plural)
            .cloned()
    }

    /// Served group names with their versions, in discovery order.
    pub(crate) fn groups(&self) -> Vec<(String, Vec<String>)> {
        let types = self.types.read().expect("registry lock");
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for t in types.iter() {
            match out.iter_mut().find(|(g, _)| *g == t.group) {
                Some((_, versions)) => {
                    if !versions.contains(&t.version) {
                        versions.push(t.version.clone())
                    }
                }
                None => out.push((t.group.clone(), vec![t.version.clone()])),
            }
        }
        out.sort_by_key(|(g, _)| {
            GROUP_ORDER
                .iter()
                .position(|x| x == g)
                .unwrap_or(GROUP_ORDER.len())
        });
        out
    }

    /// Types served in one group version.
    pub(crate) fn in_group_version(&self, group: &str, version: &str) -> Vec<Arc<ResourceType>> {
        self.types
            .read()
            .expect("registry lock")
            .iter()
            .filter(|t| t.group == group && t.version == version)
            .cloned()
            .collect()
    }

    /// Replaces the types a CRD defines (call with the CRD object, or `None` to remove).
    pub(crate) fn sync_crd(&self, crd_name: &str, crd: Option<&Value>) {
        let mut types = self.types.write().expect("registry lock");
        let Some((plural, group)) = crd_name.split_once('.') else {
            return;
        };
        types.retain(|t| !(t.group == group && t.plural == plural));
        let Some(crd) = crd else { return };
        let spec = &crd["spec"];
        let names = &spec["names"];
        let kind = names["kind"].as_str().unwrap_or_default().to_string();
        let singular = names["singular"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| kind.to_lowercase());
        let namespaced = spec["scope"].as_str() != Some("Cluster");
        let strs = |v: &Value| -> Vec<String> {
            v.as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        for version in spec["versions"].as_array().into_iter().flatten() {
            if version["served"].as_bool() == Some(false) {
                continue;
            }
            let mut subresources = Vec::new();
            if version["subresources"]["status"].is_object() {
                subresources.push("status".to_string());
            }
            if version["subresources"]["scale"].is_object() {
                subresources.push("scale".to_string());
            }
            types.push(Arc::new(ResourceType {
                group: group.to_string(),
                version: version["name"].as_str().unwrap_or("v1").to_string(),
                plural: plural.to_string(),
                singular: singular.clone(),
                kind: kind.clone(),
                namespaced,
                short_names: strs(&names["shortNames"]),
                categories: strs(&names["categories"]),
                subresources,
                verbs: ALL_VERBS.iter().map(|s| s.to_string()).collect(),
            }));
        }
    }
}
