// The Kubernetes versions and kinds of the strict schema check, shared by `kube.rs` and
// `build.rs` (which cuts one standalone schema per version and kind out of the bundles).

/// Kubernetes versions whose schemas every rendered object must satisfy.
pub const KUBE_VERSIONS: [&str; 2] = ["1.33", "1.37"];

/// `apiVersion/kind` pairs the catalog may render.
pub const KINDS: [&str; 8] = [
    "v1/ConfigMap",
    "v1/Secret",
    "v1/Service",
    "v1/ServiceAccount",
    "apps/v1/StatefulSet",
    "apps/v1/Deployment",
    "policy/v1/PodDisruptionBudget",
    "autoscaling/v2/HorizontalPodAutoscaler",
];
