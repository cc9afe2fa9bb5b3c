//! The data types that cross the API boundary. Each derives `Serialize` (camelCase) and
//! `ts_rs::TS`; the TypeScript declarations live in `ui/src/ipc/bindings/`.

use serde::Serialize;
use ts_rs::TS;

pub use berth_cluster::{Location, ProbeFailureKind};

/// One kubeconfig context with Berth's tags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ContextInfo {
    /// The context name.
    pub name: String,
    /// The cluster entry it points at.
    pub cluster: String,
    /// The API server URL.
    pub server: Option<String>,
    /// The user entry it points at.
    pub user: Option<String>,
    /// Its default namespace.
    pub namespace: Option<String>,
    /// The kubeconfig file that defines it.
    pub source_file: String,
    /// Whether it is the kubeconfig's current context.
    pub current: bool,
    /// Where the cluster runs: the user's choice, else inferred.
    pub location: Location,
    /// Whether `location` was inferred (`false`: the user set it).
    pub location_inferred: bool,
    /// Whether the user starred it.
    pub favourite: bool,
    /// When a probe last reached it (RFC 3339).
    pub last_seen: Option<String>,
    /// The server version the last successful probe saw.
    pub server_version: Option<String>,
}

/// A kubeconfig file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KubeconfigProblem {
    /// The file.
    pub file: String,
    /// What is wrong with it.
    pub message: String,
}

/// Every context, from the kubeconfig files in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ContextList {
    /// The contexts, in kubeconfig order.
    pub contexts: Vec<ContextInfo>,
    /// The kubeconfig files considered, in order (some may not exist).
    pub kubeconfig_files: Vec<String>,
    /// Files that exist but could not be used.
    pub problems: Vec<KubeconfigProblem>,
}

/// A failed probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProbeFailure {
    /// The kind, to branch on.
    pub kind: ProbeFailureKind,
    /// What happened.
    pub message: String,
    /// What the user can do about it.
    pub hint: String,
}

/// The outcome of probing one context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ContextProbe {
    /// The context name.
    pub name: String,
    /// Whether the server answered and accepted the credentials.
    pub reachable: bool,
    /// The server version, when it answered.
    pub server_version: Option<String>,
    /// How long the probe took, in milliseconds.
    pub latency_ms: u32,
    /// Why it cannot be used.
    pub failure: Option<ProbeFailure>,
    /// When a probe last reached it (RFC 3339), this one included.
    pub last_seen: Option<String>,
}

/// Whether the OS keyring can be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KeyringStatus {
    /// A keyring answered.
    pub available: bool,
    /// The platform store (`secret-service`, `keychain`, `credential-manager`).
    pub backend: String,
    /// Why it is not available.
    pub message: Option<String>,
}

/// Facts about this Berth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// Berth's version.
    pub version: String,
    /// The Berth home folder.
    pub home: String,
    /// The keyring's status.
    pub keyring: KeyringStatus,
    /// What was built: commit, date, target, supported Kubernetes versions, catalog version.
    pub build: BuildInfo,
}

/// How this Berth was built (`berth version`, the app's About box).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BuildInfo {
    /// Berth's version (`0.1.0`).
    pub version: String,
    /// The git commit built (12 hex digits), or `unknown` outside a checkout.
    pub git_commit: String,
    /// When it was built (RFC 3339, UTC).
    pub build_date: String,
    /// The target triple (`x86_64-unknown-linux-gnu`).
    pub target: String,
    /// The Kubernetes versions whose API schemas every rendered object is checked against.
    pub kubernetes_versions: Vec<String>,
    /// The built-in catalog's version: a digest of its files.
    pub catalog_version: String,
}

/// Every DTO's TypeScript declaration as `(path relative to ui/src/ipc/bindings/, contents)`.
/// Types from other crates that DTOs use (`serde_json::Value`) are included where ts-rs puts them.
pub fn typescript_bindings() -> Vec<(String, String)> {
    use binding as one;
    let mut all = vec![
        one::<serde_json::Value>(),
        one::<Location>(),
        one::<ContextInfo>(),
        one::<KubeconfigProblem>(),
        one::<ContextList>(),
        one::<ProbeFailureKind>(),
        one::<ProbeFailure>(),
        one::<ContextProbe>(),
        one::<KeyringStatus>(),
        one::<AppInfo>(),
        one::<BuildInfo>(),
        one::<crate::ServiceCategory>(),
        one::<crate::ServiceVersion>(),
        one::<crate::ServiceCapabilities>(),
        one::<crate::ServiceSummary>(),
        one::<crate::CatalogProblem>(),
        one::<crate::CatalogList>(),
        one::<crate::ServiceDetail>(),
        one::<crate::RenderInput>(),
        one::<crate::RenderedManifests>(),
        one::<crate::LintFinding>(),
        one::<crate::LintOutcome>(),
        one::<crate::InstallInput>(),
        one::<crate::InstallResult>(),
        one::<crate::ProgressEvent>(),
        one::<crate::HealthState>(),
        one::<crate::InstanceSummary>(),
        one::<crate::UnreachableContext>(),
        one::<crate::TerminalOpen>(),
        one::<crate::TerminalEvent>(),
        one::<crate::InstanceList>(),
        one::<crate::ContextInstances>(),
        one::<crate::InstanceRef>(),
        one::<crate::StopStartResult>(),
        one::<crate::WorkloadReplicas>(),
        one::<crate::UninstallInput>(),
        one::<crate::UninstallResult>(),
        one::<crate::RevisionInfo>(),
        one::<crate::RevisionOperation>(),
        one::<crate::RevisionStatus>(),
        one::<crate::ParameterChange>(),
        one::<crate::RecoverInput>(),
        one::<crate::RecoverResult>(),
        one::<crate::AdoptResult>(),
        one::<crate::ReconfigureInput>(),
        one::<crate::ObjectChange>(),
        one::<crate::ReconfigureResult>(),
        one::<crate::RestartResult>(),
        one::<crate::PodInfo>(),
        one::<crate::EventInfo>(),
        one::<crate::VolumeInfo>(),
        one::<crate::InstanceDetails>(),
        one::<crate::StorageClassInfo>(),
        one::<crate::Theme>(),
        one::<crate::AppSettings>(),
        one::<crate::LocalClusterTool>(),
        one::<crate::LocalClusterToolInfo>(),
        one::<crate::CreateLocalClusterInput>(),
        one::<crate::LocalClusterCreated>(),
        one::<crate::OperationRequest>(),
        one::<crate::OperationKind>(),
        one::<crate::OperationTarget>(),
        one::<crate::OperationState>(),
        one::<crate::OperationUpdate>(),
        one::<crate::OperationResult>(),
        one::<crate::ErrorCode>(),
        one::<crate::ApiError>(),
    ];
    all.extend(crate::observe::typescript_bindings());
    all.extend(crate::usage::typescript_bindings());
    all.extend(crate::credentials::typescript_bindings());
    all.extend(crate::transfers::typescript_bindings());
    all.extend(crate::standbys::typescript_bindings());
    all.extend(crate::metrics_history::typescript_bindings());
    all.push(instance_name_rule());
    all
}

/// The core's instance-name rule as a TypeScript module (`InstanceName.ts`), so the desktop
/// app's forms check names exactly as the core will: values from berth-catalog, not copies.
fn instance_name_rule() -> (String, String) {
    use berth_catalog::render::{DNS1123_LABEL_PATTERN, MAX_INSTANCE_NAME};
    let text = format!(
        "// Generated from berth-catalog's instance-name rule by berth-api (dto.rs). Do not edit this file manually.\n\
         \n\
         /** Longest instance name: pod and derived object names must stay within a label value's 63 characters. */\n\
         export const MAX_INSTANCE_NAME = {MAX_INSTANCE_NAME};\n\
         \n\
         /** An instance name is a DNS-1123 label: lower-case letters, digits and '-', a letter or digit at both ends. */\n\
         export const INSTANCE_NAME_PATTERN = {pattern};\n\
         \n\
         /** True when the core accepts `name` as an instance name. */\n\
         export function isInstanceName(name: string): boolean {{\n\
         \x20 return name.length <= MAX_INSTANCE_NAME && new RegExp(INSTANCE_NAME_PATTERN).test(name);\n\
         }}\n",
        pattern = serde_json::to_string(DNS1123_LABEL_PATTERN).expect("a string serialises"),
    );
    ("InstanceName.ts".to_owned(), text)
}

/// The path and text of one DTO's TypeScript declaration.
pub(crate) fn binding<T: TS + 'static>() -> (String, String) {
    let cfg = ts_rs::Config::new();
    let text = T::export_to_string(&cfg).expect("every DTO exports to TypeScript");
    let path = T::output_path()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_else(|| format!("{}.ts", T::name(&cfg)));
    (path, text)
}
