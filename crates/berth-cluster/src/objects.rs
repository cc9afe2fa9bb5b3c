//! Acting on a cluster's objects: server-side apply (field manager `berth`, with dry-run and
//! conflict detection), get, list by label and delete, for objects given as JSON — the shape
//! catalog templates render to. The built-in kinds Berth renders or reads have a fixed resource
//! name and scope (taken from `k8s-openapi`), so they cost no discovery request; other kinds
//! are found through API discovery, cached per connection.

use std::collections::HashMap;
use std::time::Duration;

use kube::Client;
use kube::api::{
    Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PropagationPolicy,
};
use kube::core::GroupVersionKind;
use kube::discovery::{ApiResource, Scope};
use serde_json::Value;
use tokio::sync::Mutex;

use crate::{ClusterError, LoadedKubeconfig};

/// Berth's field manager for server-side apply.
pub const FIELD_MANAGER: &str = "berth";

/// How long one API request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A connection to one context's API server.
pub struct Cluster {
    context: String,
    namespace: String,
    /// Where requests go, for the sentences that describe their failures.
    endpoint: crate::failure::Endpoint,
    client: Client,
    resources: Mutex<HashMap<GroupVersionKind, (ApiResource, Scope)>>,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("context", &self.context)
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

/// How to apply.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApplyOptions {
    /// Ask the server to validate and default without persisting (`dryRun=All`).
    pub dry_run: bool,
    /// Take over fields another manager owns instead of failing with a conflict.
    pub force_conflicts: bool,
}

/// Which object: kind, name and namespace, as messages name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRef {
    /// `apps/v1`.
    pub api_version: String,
    /// `StatefulSet`.
    pub kind: String,
    /// The namespace, for namespaced kinds.
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
}

impl ObjectRef {
    /// Reads the reference out of an object.
    pub fn of(object: &Value) -> Result<Self, ClusterError> {
        let field = |path: &[&str]| -> Option<String> {
            let mut v = object;
            for key in path {
                v = v.get(key)?;
            }
            v.as_str().map(str::to_owned)
        };
        let invalid =
            |what: &str| ClusterError::InvalidObject(format!("object without {what}: {object}"));
        Ok(Self {
            api_version: field(&["apiVersion"]).ok_or_else(|| invalid("apiVersion"))?,
            kind: field(&["kind"]).ok_or_else(|| invalid("kind"))?,
            namespace: field(&["metadata", "namespace"]),
            name: field(&["metadata", "name"]).ok_or_else(|| invalid("metadata.name"))?,
        })
    }

    /// The objects of one kind in `namespace` (or cluster-wide): a reference without a name, for
    /// listing.
    pub(crate) fn kind_in(api_version: &str, kind: &str, namespace: Option<&str>) -> Self {
        Self {
            api_version: api_version.to_owned(),
            kind: kind.to_owned(),
            namespace: namespace.map(str::to_owned),
            name: String::new(),
        }
    }

    fn gvk(&self) -> GroupVersionKind {
        let (group, version) = self
            .api_version
            .split_once('/')
            .unwrap_or(("", &self.api_version));
        GroupVersionKind::gvk(group, version, &self.kind)
    }
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // a list names no object: "ConfigMap objects in namespace shop"
        match (&self.namespace, self.name.is_empty()) {
            (Some(ns), false) => write!(f, "{} {}/{}", self.kind, ns, self.name),
            (None, false) => write!(f, "{} {}", self.kind, self.name),
            (Some(ns), true) => write!(f, "{} objects in namespace {ns}", self.kind),
            (None, true) => write!(f, "{} objects", self.kind),
        }
    }
}

/// The resource and scope of the built-in kinds Berth touches. The Kubernetes API fixes them
/// (`k8s-openapi` carries them) and every supported version serves them, so they need no
/// discovery request: a short-lived CLI process would otherwise spend one round trip per API
/// group before its first real request. Other kinds (CRDs) are discovered.
fn built_in(gvk: &GroupVersionKind) -> Option<(ApiResource, Scope)> {
    use k8s_openapi::api::{
        apps::v1 as apps, autoscaling::v2 as autoscaling, batch::v1 as batch, core::v1 as core,
        policy::v1 as policy,
    };
    fn namespaced<K: kube::Resource<DynamicType = ()>>() -> (ApiResource, Scope) {
        (ApiResource::erase::<K>(&()), Scope::Namespaced)
    }
    let found = match (gvk.group.as_str(), gvk.version.as_str(), gvk.kind.as_str()) {
        ("", "v1", "Namespace") => (ApiResource::erase::<core::Namespace>(&()), Scope::Cluster),
        ("", "v1", "ConfigMap") => namespaced::<core::ConfigMap>(),
        ("", "v1", "Secret") => namespaced::<core::Secret>(),
        ("", "v1", "Service") => namespaced::<core::Service>(),
        ("", "v1", "ServiceAccount") => namespaced::<core::ServiceAccount>(),
        ("", "v1", "Pod") => namespaced::<core::Pod>(),
        ("", "v1", "PersistentVolumeClaim") => namespaced::<core::PersistentVolumeClaim>(),
        ("apps", "v1", "StatefulSet") => namespaced::<apps::StatefulSet>(),
        ("apps", "v1", "Deployment") => namespaced::<apps::Deployment>(),
        ("batch", "v1", "Job") => namespaced::<batch::Job>(),
        ("policy", "v1", "PodDisruptionBudget") => namespaced::<policy::PodDisruptionBudget>(),
        ("autoscaling", "v2", "HorizontalPodAutoscaler") => {
            namespaced::<autoscaling::HorizontalPodAutoscaler>()
        }
        _ => return None,
    };
    Some(found)
}

impl Cluster {
    /// Connects to `context` (the kubeconfig's current context when `None`). Nothing is sent
    /// until the first request.
    pub async fn connect(
        kubeconfig: &LoadedKubeconfig,
        context: Option<&str>,
    ) -> Result<Self, ClusterError> {
        crate::install_crypto_provider();
        let context = match context {
            Some(c) => c.to_owned(),
            None => kubeconfig
                .merged
                .current_context
                .clone()
                .filter(|c| !c.is_empty())
                .ok_or(ClusterError::NoCurrentContext)?,
        };
        let entry = kubeconfig.context(&context)?;
        let mut config = kubeconfig.client_config(&context).await?;
        config.read_timeout = Some(REQUEST_TIMEOUT);
        // kube-rs' own retry layer backs off up to 1000 s per request, blind to the operation's
        // deadline; Berth retries in `crate::retry` instead
        config.default_retry = false;
        let endpoint = kubeconfig.endpoint(&entry);
        let client = Client::try_from(config).map_err(|e| {
            let (kind, message) = crate::failure::classify(&e, &endpoint);
            ClusterError::Unreachable {
                context: context.clone(),
                kind,
                message,
            }
        })?;
        Ok(Self {
            namespace: entry.namespace.unwrap_or_else(|| "default".to_owned()),
            endpoint,
            context,
            client,
            resources: Mutex::new(HashMap::new()),
        })
    }

    /// The context name.
    pub fn context(&self) -> &str {
        &self.context
    }

    /// The context's default namespace (`default` when it names none).
    pub fn default_namespace(&self) -> &str {
        &self.namespace
    }

    /// The kube-rs client, for what this module does not cover (wrap its calls in
    /// [`Cluster::retry`]).
    pub fn client(&self) -> Client {
        self.client.clone()
    }

    /// How long a request failing now may still be retried ([`crate::retry::budget`]).
    pub fn retry_budget(&self) -> Duration {
        crate::retry::budget()
    }

    /// Runs one kube-rs request, retrying transient failures within the retry budget.
    pub async fn retry<T, F, Fut>(&self, what: &str, request: F) -> Result<T, kube::Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, kube::Error>>,
    {
        crate::retry::with_retries(self.retry_budget(), what, request).await
    }

    /// The resource (plural) and scope of a kind: fixed for the built-in kinds, discovered once
    /// per connection for the others.
    pub(crate) async fn resource(
        &self,
        target: &ObjectRef,
    ) -> Result<(ApiResource, Scope), ClusterError> {
        let gvk = target.gvk();
        if let Some(known) = built_in(&gvk) {
            return Ok(known);
        }
        if let Some(found) = self.resources.lock().await.get(&gvk) {
            return Ok(found.clone());
        }
        let (resource, caps) = self
            .retry("discover", || {
                kube::discovery::pinned_kind(&self.client, &gvk)
            })
            .await
            .map_err(|e| self.api_error("discover", target, e))?;
        let found = (resource, caps.scope);
        self.resources.lock().await.insert(gvk, found.clone());
        Ok(found)
    }

    async fn api(&self, target: &ObjectRef) -> Result<Api<DynamicObject>, ClusterError> {
        let (resource, scope) = self.resource(target).await?;
        Ok(match scope {
            Scope::Namespaced => {
                let ns = target.namespace.as_deref().unwrap_or(&self.namespace);
                Api::namespaced_with(self.client.clone(), ns, &resource)
            }
            Scope::Cluster => Api::all_with(self.client.clone(), &resource),
        })
    }

    /// Server-side applies one object as field manager `berth` and returns what the server holds
    /// (or would hold, with `dry_run`).
    #[tracing::instrument(level = "debug", skip(self, object), fields(context = %self.context))]
    pub async fn apply(
        &self,
        object: &Value,
        options: ApplyOptions,
    ) -> Result<Value, ClusterError> {
        let target = ObjectRef::of(object)?;
        let api = self.api(&target).await?;
        let mut params = PatchParams::apply(FIELD_MANAGER);
        if options.force_conflicts {
            params = params.force();
        }
        if options.dry_run {
            params = params.dry_run();
        }
        let patch = Patch::Apply(object);
        let applied = self
            .retry("apply", || api.patch(&target.name, &params, &patch))
            .await
            .map_err(|e| self.api_error("apply", &target, e))?;
        serde_json::to_value(applied).map_err(|e| ClusterError::InvalidObject(e.to_string()))
    }

    /// One object, or `None` when it does not exist.
    pub async fn get(&self, target: &ObjectRef) -> Result<Option<Value>, ClusterError> {
        let api = self.api(target).await?;
        let found = self
            .retry("get", || api.get_opt(&target.name))
            .await
            .map_err(|e| self.api_error("get", target, e))?;
        found
            .map(|o| {
                serde_json::to_value(o).map_err(|e| ClusterError::InvalidObject(e.to_string()))
            })
            .transpose()
    }

    /// The objects of one kind matching a label selector, in a namespace (or cluster-wide for
    /// cluster-scoped kinds).
    pub async fn list(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        label_selector: &str,
    ) -> Result<Vec<Value>, ClusterError> {
        let target = ObjectRef::kind_in(api_version, kind, namespace);
        let api = self.api(&target).await?;
        let params = ListParams::default().labels(label_selector);
        let list = self
            .retry("list", || api.list(&params))
            .await
            .map_err(|e| self.api_error("list", &target, e))?;
        list.items
            .into_iter()
            .map(|o| {
                serde_json::to_value(o).map_err(|e| ClusterError::InvalidObject(e.to_string()))
            })
            .collect()
    }

    /// Deletes one object, its dependents in the background; `Ok(false)` when it was not there.
    pub async fn delete(&self, target: &ObjectRef) -> Result<bool, ClusterError> {
        let api = self.api(target).await?;
        let params = DeleteParams {
            propagation_policy: Some(PropagationPolicy::Background),
            ..DeleteParams::default()
        };
        match self
            .retry("delete", || api.delete(&target.name, &params))
            .await
        {
            Ok(_) => Ok(true),
            Err(kube::Error::Api(status)) if status.code == 404 => Ok(false),
            Err(e) => Err(self.api_error("delete", target, e)),
        }
    }

    /// Whether a namespace exists.
    pub async fn namespace_exists(&self, name: &str) -> Result<bool, ClusterError> {
        let target = ObjectRef {
            api_version: "v1".into(),
            kind: "Namespace".into(),
            namespace: None,
            name: name.to_owned(),
        };
        Ok(self.get(&target).await?.is_some())
    }

    /// The context's failure when `err` says the context cannot be used (a transport failure,
    /// a failing credential plugin, refused credentials) rather than anything about the request;
    /// `None` for the server's answers about the request.
    pub fn unusable(&self, err: &kube::Error) -> Option<ClusterError> {
        let about_the_request = matches!(err, kube::Error::Api(s) if s.code != 401)
            || matches!(
                err,
                kube::Error::SerdeError(_)
                    | kube::Error::BuildRequest(_)
                    | kube::Error::Discovery(_)
                    | kube::Error::LinesCodecMaxLineLengthExceeded
            );
        if about_the_request {
            return None;
        }
        let (kind, message) = crate::failure::classify(err, &self.endpoint);
        Some(ClusterError::Unreachable {
            context: self.context.clone(),
            kind,
            message,
        })
    }

    pub(crate) fn api_error(
        &self,
        verb: &'static str,
        target: &ObjectRef,
        err: kube::Error,
    ) -> ClusterError {
        if let Some(unusable) = self.unusable(&err) {
            return unusable;
        }
        match err {
            kube::Error::Api(status) => ClusterError::Api {
                context: self.context.clone(),
                verb,
                object: target.to_string(),
                code: status.code,
                reason: status.reason.clone(),
                remedy: crate::hints::remedy(&self.context, verb, target, &status).map(Box::new),
                message: status.message,
            },
            other => ClusterError::Unreachable {
                context: self.context.clone(),
                kind: crate::failure::ProbeFailureKind::Other,
                message: format!("cannot {verb} {target}: {other}"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in table says what discovery says, on kubesim (or the real cluster of
    /// `BERTH_TEST_KUBECONFIG`).
    #[tokio::test]
    async fn built_in_kinds_match_discovery() {
        let sim = kubesim::testing::cluster().await.unwrap();
        let kubeconfig = LoadedKubeconfig::load(&[sim.kubeconfig().to_owned()]);
        let cluster = Cluster::connect(&kubeconfig, sim.context()).await.unwrap();
        let kinds = [
            ("", "v1", "Namespace"),
            ("", "v1", "ConfigMap"),
            ("", "v1", "Secret"),
            ("", "v1", "Service"),
            ("", "v1", "ServiceAccount"),
            ("", "v1", "Pod"),
            ("", "v1", "PersistentVolumeClaim"),
            ("apps", "v1", "StatefulSet"),
            ("apps", "v1", "Deployment"),
            ("batch", "v1", "Job"),
            ("policy", "v1", "PodDisruptionBudget"),
            ("autoscaling", "v2", "HorizontalPodAutoscaler"),
        ];
        for (group, version, kind) in kinds {
            let gvk = GroupVersionKind::gvk(group, version, kind);
            let (known, scope) = built_in(&gvk).unwrap_or_else(|| panic!("{kind} is built in"));
            let (found, caps) = kube::discovery::pinned_kind(&cluster.client, &gvk)
                .await
                .unwrap_or_else(|e| panic!("discover {kind}: {e}"));
            assert_eq!(known, found, "{kind}");
            assert_eq!(scope, caps.scope, "{kind}");
        }
        assert!(built_in(&GroupVersionKind::gvk("example.com", "v1", "Widget")).is_none());
    }
}
