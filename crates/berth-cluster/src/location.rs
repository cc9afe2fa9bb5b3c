//! Where a cluster runs: on the user's laptop, in a public cloud, or in a private data centre.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where a cluster runs. Inferred from the context, cluster name and server URL; the user can
/// override it. Also a DTO of `berth-api` (hence `Serialize` and `TS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Location {
    /// A cluster on this machine (kind, k3d, minikube, Docker Desktop, ...).
    Laptop,
    /// A managed cluster in a public cloud (EKS, GKE, AKS, ...).
    Cloud,
    /// Anything else: a private data centre or a self-managed cluster.
    Private,
}

impl Location {
    /// Every location.
    pub const ALL: [Location; 3] = [Location::Laptop, Location::Cloud, Location::Private];

    /// `laptop`, `cloud` or `private`.
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Laptop => "laptop",
            Location::Cloud => "cloud",
            Location::Private => "private",
        }
    }

    /// Parses `laptop`, `cloud` or `private` (any case).
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Name prefixes of local cluster tools (context and cluster names).
const LAPTOP_NAMES: &[&str] = &[
    "kind-",
    "k3d-",
    "minikube",
    "docker-desktop",
    "docker-for-desktop",
    "rancher-desktop",
    "orbstack",
    "colima",
    "microk8s",
];

/// Host names that local cluster tools point kubeconfig at.
const LAPTOP_HOSTS: &[&str] = &[
    "localhost",
    "host.docker.internal",
    "kubernetes.docker.internal",
    "host.k3d.internal",
    "k8s.orb.local",
];

/// Host suffixes of managed Kubernetes services.
const CLOUD_HOST_SUFFIXES: &[&str] = &[
    ".eks.amazonaws.com",
    ".eks.amazonaws.com.cn",
    ".azmk8s.io",
    ".gke.goog",
    ".container.googleapis.com",
    ".k8s.ondigitalocean.com",
    ".linodelke.net",
    ".ovh.net",
    ".ovh.us",
    ".ovh.ca",
    ".scw.cloud",
    ".civo.com",
    ".oraclecloud.com",
    ".aliyuncs.com",
    ".tke.cloud.tencent.com",
    ".ibm.com",
    ".appdomain.cloud",
];

/// Name prefixes that managed services' own CLIs give contexts (`aws eks update-kubeconfig`,
/// `gcloud container clusters get-credentials`, `doctl`, ...).
const CLOUD_NAMES: &[&str] = &["arn:aws:eks:", "gke_", "do-", "lke", "civo-", "aks-"];

/// Infers a cluster's location from its context name, cluster name and server URL.
///
/// Laptop: a loopback or local-tool host, or a local tool's name (kind-*, k3d-*, minikube,
/// docker-desktop, rancher-desktop, orbstack...). Cloud: a managed service's API host (EKS, GKE,
/// AKS, DigitalOcean, Linode, OVH, Scaleway, Civo...) or the context names their CLIs write.
/// Private: the rest.
pub fn infer(context: &str, cluster: &str, server: Option<&str>) -> Location {
    let host = server.and_then(host_of).map(|h| h.to_ascii_lowercase());
    let names = [context.to_ascii_lowercase(), cluster.to_ascii_lowercase()];

    if let Some(host) = &host {
        let loopback = host
            .trim_matches(|c| c == '[' || c == ']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified());
        if loopback || LAPTOP_HOSTS.contains(&host.as_str()) || host.ends_with(".localhost") {
            return Location::Laptop;
        }
    }
    if names
        .iter()
        .any(|n| LAPTOP_NAMES.iter().any(|p| n.starts_with(p)))
    {
        return Location::Laptop;
    }
    if let Some(host) = &host
        && CLOUD_HOST_SUFFIXES.iter().any(|s| host.ends_with(s))
    {
        return Location::Cloud;
    }
    if names
        .iter()
        .any(|n| CLOUD_NAMES.iter().any(|p| n.starts_with(p)))
    {
        return Location::Cloud;
    }
    Location::Private
}

/// The host of a server URL (`https://host:port/path`), without brackets for IPv6.
pub(crate) fn host_of(server: &str) -> Option<&str> {
    let rest = server.split_once("://").map_or(server, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        authority.split(':').next()?
    };
    (!host.is_empty()).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn laptop_clusters() {
        for (ctx, cluster, server) in [
            ("kind-dev", "kind-dev", "https://127.0.0.1:6443"),
            ("anything", "anything", "https://[::1]:6443"),
            ("anything", "anything", "https://localhost:6443"),
            ("k3d-demo", "k3d-demo", "https://0.0.0.0:42311"),
            ("minikube", "minikube", "https://192.168.49.2:8443"),
            (
                "docker-desktop",
                "docker-desktop",
                "https://kubernetes.docker.internal:6443",
            ),
            (
                "rancher-desktop",
                "rancher-desktop",
                "https://10.1.2.3:6443",
            ),
            ("orbstack", "orbstack", "https://k8s.orb.local:26443"),
            ("ctx", "kind-other", "https://172.18.0.2:6443"),
        ] {
            assert_eq!(
                infer(ctx, cluster, Some(server)),
                Location::Laptop,
                "{ctx} {server}"
            );
        }
    }

    #[test]
    fn cloud_clusters() {
        for (ctx, cluster, server) in [
            (
                "arn:aws:eks:eu-west-1:123:cluster/prod",
                "arn:aws:eks:eu-west-1:123:cluster/prod",
                "https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com",
            ),
            (
                "prod",
                "prod",
                "https://prod-dns-1234.hcp.westeurope.azmk8s.io:443",
            ),
            (
                "gke_acme_europe-west1_prod",
                "gke_acme_europe-west1_prod",
                "https://34.77.1.2",
            ),
            (
                "do-ams3-k8s",
                "do-ams3-k8s",
                "https://1234-abcd.k8s.ondigitalocean.com",
            ),
            (
                "lke12345-ctx",
                "lke12345",
                "https://abc.eu-central-2.linodelke.net:443",
            ),
            ("ovh", "ovh", "https://xyz.c1.gra9.k8s.ovh.net"),
            ("scw", "scw", "https://abc.api.k8s.fr-par.scw.cloud:6443"),
            ("civo", "civo", "https://74.220.1.2:6443"),
            ("c", "c", "https://abc.k8s.civo.com:6443"),
        ] {
            let want = if ctx == "civo" {
                Location::Private
            } else {
                Location::Cloud
            };
            assert_eq!(infer(ctx, cluster, Some(server)), want, "{ctx} {server}");
        }
    }

    #[test]
    fn private_clusters() {
        for (ctx, server) in [
            ("prod", Some("https://k8s.corp.example:6443")),
            ("lab", Some("https://10.0.0.5:6443")),
            ("nothing", None),
            ("weird", Some("not a url")),
        ] {
            assert_eq!(infer(ctx, ctx, server), Location::Private, "{ctx}");
        }
    }

    #[test]
    fn hosts_are_extracted() {
        assert_eq!(
            host_of("https://user@Example.com:443/x"),
            Some("Example.com")
        );
        assert_eq!(host_of("https://[fe80::1]:6443"), Some("fe80::1"));
        assert_eq!(host_of("http://h"), Some("h"));
        assert_eq!(host_of("https://"), None);
    }

    #[test]
    fn locations_parse() {
        assert_eq!(Location::parse(" Cloud "), Some(Location::Cloud));
        assert_eq!(Location::parse("moon"), None);
        for l in Location::ALL {
            assert_eq!(Location::parse(l.as_str()), Some(l));
        }
    }
}
