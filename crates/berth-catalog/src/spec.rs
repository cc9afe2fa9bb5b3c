//! The metadata of a definition, as written in `service.yaml`.

use serde::{Deserialize, Serialize};

/// What kind of software a definition wraps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Relational or document database.
    Database,
    /// In-memory cache or key-value store.
    Cache,
    /// Message broker or event streaming.
    Messaging,
    /// S3-compatible object storage.
    ObjectStorage,
    /// Search and analytics engine.
    Search,
    /// Coordination and configuration store.
    Coordination,
}

/// `service.yaml`: everything about a definition except its templates and parameter schema.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceSpec {
    /// Stable id, equal to the folder name (`postgres`).
    pub id: String,
    /// Display name (`PostgreSQL`).
    pub title: String,
    /// One line description.
    pub summary: String,
    /// A paragraph or two for the catalog page.
    pub description: String,
    /// Category.
    pub category: Category,
    /// Upstream homepage.
    pub homepage: String,
    /// Upstream licence (SPDX id when there is one).
    pub license: String,
    /// File name of the SVG icon inside the definition folder.
    pub icon: String,
    /// Versions on offer.
    pub versions: Vec<VersionSpec>,
    /// Generated secrets the templates read from `credentials` (Berth generates them, never defaults).
    #[serde(default)]
    pub credentials: Vec<CredentialSpec>,
    /// When the instance counts as ready.
    pub readiness: Vec<ReadinessRule>,
    /// How clients connect.
    pub connection: ConnectionSpec,
    /// What the definition supports.
    pub capabilities: Capabilities,
    /// Data operations run inside a pod.
    #[serde(default)]
    pub operations: Operations,
}

/// One offered version.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VersionSpec {
    /// Version id used in parameters and labels (`17`).
    pub id: String,
    /// Image repository, an upstream official image (`docker.io/library/postgres`).
    pub image: String,
    /// Pinned tag (never `latest`).
    pub tag: String,
    /// The version installed when none is asked for.
    #[serde(default)]
    pub default: bool,
    /// Versions this one can be upgraded to in place.
    #[serde(default)]
    pub upgradable_to: Vec<String>,
    /// Versions reachable only by copying the data into a new instance (e.g. a Postgres major).
    #[serde(default)]
    pub copy_upgradable_to: Vec<String>,
}

impl VersionSpec {
    /// `repository:tag`.
    pub fn image_ref(&self) -> String {
        format!("{}:{}", self.image, self.tag)
    }
}

/// A secret value Berth generates before rendering.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CredentialSpec {
    /// Key in `RenderRequest::credentials` and in the Secret (`admin-password`).
    pub key: String,
    /// What it is for.
    pub description: String,
    /// Length of a generated value.
    #[serde(default = "default_length")]
    pub length: usize,
    /// Also generate one per entry of `auth.users`, keyed `<key>-<user name>`.
    #[serde(default)]
    pub per_user: bool,
    /// Why `operations.rotate` cannot give it a new value in place (the replicas keep it in
    /// their own settings, say); unset for a credential the operation rotates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
}

fn default_length() -> usize {
    32
}

/// A readiness condition on one rendered workload.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReadinessRule {
    /// Workload kind (`StatefulSet`, `Deployment`).
    pub kind: String,
    /// Object name; `{instance}` is replaced by the instance name.
    pub name: String,
    /// What must hold.
    pub condition: ReadinessCondition,
    /// How long to wait before giving up.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
}

fn default_timeout() -> u64 {
    600
}

/// Readiness conditions Berth knows how to wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ReadinessCondition {
    /// `status.readyReplicas == spec.replicas` and the rollout is current.
    AllReplicasReady,
    /// Deployment `Available` condition is true.
    Available,
}

/// How clients reach the service.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConnectionSpec {
    /// Client Service name; `{instance}` is replaced by the instance name.
    pub service: String,
    /// Client port.
    pub port: u16,
    /// Protocol (`postgresql`, `redis`, `http`...).
    pub protocol: String,
    /// User name clients log in as, as a minijinja expression over `values` (e.g. `values.auth.username`); none when auth-less.
    #[serde(default)]
    pub user: Option<String>,
    /// Credential key holding that user's password.
    #[serde(default)]
    pub password_credential: Option<String>,
    /// URI template (minijinja) over `host`, `port`, `user`, `password` (only set when asked for), `values`.
    pub uri: String,
}

/// What the definition supports.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Capabilities {
    /// Can be scaled to zero and back.
    pub stop_start: bool,
    /// `replicas` may be changed after install.
    pub horizontal_scaling: bool,
    /// `autoscaling` is honoured (an HPA is rendered).
    pub autoscaling: bool,
    /// Version changes listed in `upgradableTo` are applied in place.
    pub in_place_upgrade: bool,
    /// `operations.export` exists.
    pub export: bool,
    /// `operations.import` exists.
    pub import: bool,
}

/// Data operations, each a command run in a container of the first pod.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Operations {
    /// Writes the data to stdout.
    #[serde(default)]
    pub export: Option<Operation>,
    /// Reads the data from stdin.
    #[serde(default)]
    pub import: Option<Operation>,
    /// Prints a digest equal on two instances holding the same data.
    #[serde(default)]
    pub verify: Option<Operation>,
    /// Prints the size of the data in bytes (one decimal integer) on stdout.
    #[serde(default)]
    pub size: Option<Operation>,
    /// Makes the engine refuse writes (read-only) while reads keep working.
    #[serde(default)]
    pub quiesce: Option<Operation>,
    /// Lifts what `quiesce` did: the engine takes writes again.
    #[serde(default)]
    pub unquiesce: Option<Operation>,
    /// The engine's own interactive client, logged in with the instance's credentials from
    /// the container's environment (`berth shell NAME --client`, Open client in the app).
    #[serde(default)]
    pub client: Option<Operation>,
    /// Makes the engine accept a new value for one credential (`berth credentials rotate`).
    /// Reads three lines on stdin: the credential key (`admin-password`, or a per-user key's
    /// base like `user-password`), the extra user it belongs to (empty for none), the new
    /// value; exits non-zero, changing nothing, for a key it cannot rotate.
    #[serde(default)]
    pub rotate: Option<Operation>,
}

impl Operations {
    /// Every declared operation with its field name, in a fixed order.
    pub fn declared(&self) -> Vec<(&'static str, &Operation)> {
        [
            ("export", &self.export),
            ("import", &self.import),
            ("verify", &self.verify),
            ("size", &self.size),
            ("quiesce", &self.quiesce),
            ("unquiesce", &self.unquiesce),
            ("client", &self.client),
            ("rotate", &self.rotate),
        ]
        .into_iter()
        .filter_map(|(name, op)| op.as_ref().map(|op| (name, op)))
        .collect()
    }
}

/// One command run through the exec API.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Operation {
    /// Container name in the pod.
    pub container: String,
    /// Pod name; `{instance}` is replaced by the instance name.
    pub pod: String,
    /// argv; credentials come from the container's environment, never from here.
    pub command: Vec<String>,
}
