//! The service catalog: what can be installed, and what it would render to.

use berth_catalog::{Catalog, CatalogError, Definition, RenderRequest, spec};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Api, ApiError, ErrorCode};

/// What kind of software a service is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ServiceCategory {
    /// Relational or document database.
    Database,
    /// In-memory cache or key-value store.
    Cache,
    /// Message broker or event streaming.
    Messaging,
    /// S3-compatible object storage.
    ObjectStorage,
    /// Search and analytics.
    Search,
    /// Coordination and configuration store.
    Coordination,
}

/// One version of a service on offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ServiceVersion {
    /// Version id (`17`).
    pub id: String,
    /// Image repository.
    pub image: String,
    /// Pinned image tag.
    pub tag: String,
    /// Installed when no version is asked for.
    pub default: bool,
    /// Versions it upgrades to in place.
    pub upgradable_to: Vec<String>,
    /// Versions reachable only by copying the data into a new instance.
    pub copy_upgradable_to: Vec<String>,
}

/// What a service supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ServiceCapabilities {
    /// Can be stopped (scaled to zero) and started keeping its data.
    pub stop_start: bool,
    /// Replicas may change after install.
    pub horizontal_scaling: bool,
    /// Autoscaling is supported.
    pub autoscaling: bool,
    /// Some upgrades happen in place.
    pub in_place_upgrade: bool,
    /// Its data can be exported (moves and copies).
    pub export: bool,
    /// Data can be imported into it.
    pub import: bool,
    /// Whether the definition declares the engine's own client (Open client, `berth shell
    /// --client`).
    pub client: bool,
    /// Whether the definition can rotate credentials in the engine (`operations.rotate`).
    pub rotate: bool,
}

/// A catalog entry, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ServiceSummary {
    /// Stable id (`postgres`).
    pub id: String,
    /// Display name.
    pub title: String,
    /// One line.
    pub summary: String,
    /// Category.
    pub category: ServiceCategory,
    /// Where the definition comes from: `built-in` or a folder.
    pub source: String,
    /// Versions on offer, the default marked.
    pub versions: Vec<ServiceVersion>,
    /// What it supports.
    pub capabilities: ServiceCapabilities,
}

/// A catalog folder or definition that could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CatalogProblem {
    /// What went wrong, naming the file.
    pub message: String,
}

/// The catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CatalogList {
    /// Every service, by id.
    pub services: Vec<ServiceSummary>,
    /// Definitions that could not be loaded (the others still list).
    pub problems: Vec<CatalogProblem>,
}

/// Everything about one service.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ServiceDetail {
    /// The listing facts.
    pub service: ServiceSummary,
    /// A paragraph or two.
    pub description: String,
    /// Upstream homepage.
    pub homepage: String,
    /// Upstream licence.
    pub license: String,
    /// The user README (Markdown).
    pub readme: Option<String>,
    /// The SVG icon.
    pub icon_svg: Option<String>,
    /// The JSON Schema (2020-12) of the parameters.
    pub parameters_schema: serde_json::Value,
}

/// What to render: a service with parameters, as `berth catalog render` or the install form's
/// preview asks for it.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct RenderInput {
    /// The service id.
    pub service: String,
    /// The instance name (default: the service id).
    pub instance: Option<String>,
    /// The namespace (default: `default`).
    pub namespace: Option<String>,
    /// The version (default: the service's default).
    pub version: Option<String>,
    /// Parameter values (a JSON object), before `set`.
    pub values: Option<serde_json::Value>,
    /// `path=value` assignments applied over `values` (`resources.memory=2Gi`).
    pub set: Vec<String>,
}

/// The objects a service would be installed as.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RenderedManifests {
    /// The service id.
    pub service: String,
    /// The instance name.
    pub instance: String,
    /// The namespace.
    pub namespace: String,
    /// The version rendered.
    pub version: String,
    /// The parameters in force (defaults applied).
    pub values: serde_json::Value,
    /// The objects, in apply order.
    pub objects: Vec<serde_json::Value>,
}

/// What stands in for generated credentials in a preview: real ones exist only at install.
pub const PREVIEW_CREDENTIAL: &str = "generated-at-install";

impl Api {
    pub(crate) fn catalog(&self) -> Result<(Catalog, Vec<CatalogError>), ApiError> {
        Ok(Catalog::load_lenient(&self.catalog_sources()?))
    }

    /// Like [`Api::catalog`], with only the definitions of these ids loaded (what an operation
    /// on one service needs: the others are not read, parsed or compiled).
    pub(crate) fn catalog_only(&self, ids: &[&str]) -> Result<Catalog, ApiError> {
        Ok(Catalog::load_lenient_only(&self.catalog_sources()?, ids).0)
    }

    /// The built-in catalog, then the user's folders.
    fn catalog_sources(&self) -> Result<Vec<berth_catalog::CatalogSource>, ApiError> {
        let mut sources = Catalog::default_sources();
        if sources.is_empty() {
            return Err(ApiError::new(
                ErrorCode::Internal,
                "the built-in catalog was not found next to the executable: set BERTH_CATALOG_DIR to its folder",
            ));
        }
        sources.extend(
            self.settings_catalog_folders()
                .into_iter()
                .map(berth_catalog::CatalogSource::folder),
        );
        Ok(sources)
    }

    /// Every service in the catalog (built-in plus `BERTH_CATALOG_PATH` folders).
    #[tracing::instrument(level = "debug", skip(self))]
    pub fn catalog_list(&self) -> Result<CatalogList, ApiError> {
        let (catalog, errors) = self.catalog()?;
        Ok(CatalogList {
            services: catalog.list().iter().map(summary).collect(),
            problems: errors
                .into_iter()
                .map(|e| CatalogProblem {
                    message: e.to_string(),
                })
                .collect(),
        })
    }

    /// One service with its description, README, icon and parameter schema.
    #[tracing::instrument(level = "debug", skip(self))]
    pub fn catalog_show(&self, id: &str) -> Result<ServiceDetail, ApiError> {
        let catalog = self.catalog_only(&[id])?;
        let def = catalog.require(id).map_err(catalog_error)?;
        Ok(ServiceDetail {
            service: summary(def),
            description: def.spec.description.clone(),
            homepage: def.spec.homepage.clone(),
            license: def.spec.license.clone(),
            readme: def.readme.clone(),
            icon_svg: std::fs::read_to_string(def.icon_path()).ok(),
            parameters_schema: def.schema.clone(),
        })
    }

    /// Validates parameters and renders a service's objects without touching any cluster.
    /// Credentials are shown as [`PREVIEW_CREDENTIAL`].
    #[tracing::instrument(level = "debug", skip(self, input), fields(service = %input.service))]
    pub fn catalog_render(&self, input: &RenderInput) -> Result<RenderedManifests, ApiError> {
        let catalog = self.catalog_only(&[input.service.as_str()])?;
        let def = catalog.require(&input.service).map_err(catalog_error)?;
        let mut values = input
            .values
            .clone()
            .unwrap_or_else(|| serde_json::json!({}));
        if !values.is_object() {
            return Err(ApiError::new(
                ErrorCode::InvalidInput,
                "parameter values must be a JSON/YAML object",
            ));
        }
        for set in &input.set {
            def.apply_set(&mut values, set).map_err(catalog_error)?;
        }
        let effective = def.validate_values(&values).map_err(catalog_error)?;
        let credentials = def
            .required_credentials(&effective)
            .into_iter()
            .map(|k| (k, PREVIEW_CREDENTIAL.to_owned()))
            .collect();
        let instance = input
            .instance
            .clone()
            .unwrap_or_else(|| def.id().to_owned());
        let namespace = input
            .namespace
            .clone()
            .unwrap_or_else(|| "default".to_owned());
        let version = input
            .version
            .clone()
            .unwrap_or_else(|| def.default_version().id.clone());
        let rendered = def
            .render(&RenderRequest {
                instance: instance.clone(),
                namespace: namespace.clone(),
                version: Some(version.clone()),
                values,
                credentials,
                revision: None,
            })
            .map_err(catalog_error)?;
        Ok(RenderedManifests {
            service: def.id().to_owned(),
            instance,
            namespace,
            version,
            values: rendered.values,
            objects: rendered.objects,
        })
    }
}

fn summary(def: &Definition) -> ServiceSummary {
    let s = &def.spec;
    ServiceSummary {
        id: s.id.clone(),
        title: s.title.clone(),
        summary: s.summary.clone(),
        category: match s.category {
            spec::Category::Database => ServiceCategory::Database,
            spec::Category::Cache => ServiceCategory::Cache,
            spec::Category::Messaging => ServiceCategory::Messaging,
            spec::Category::ObjectStorage => ServiceCategory::ObjectStorage,
            spec::Category::Search => ServiceCategory::Search,
            spec::Category::Coordination => ServiceCategory::Coordination,
        },
        source: def.origin.to_string(),
        versions: s
            .versions
            .iter()
            .map(|v| ServiceVersion {
                id: v.id.clone(),
                image: v.image.clone(),
                tag: v.tag.clone(),
                default: v.default,
                upgradable_to: v.upgradable_to.clone(),
                copy_upgradable_to: v.copy_upgradable_to.clone(),
            })
            .collect(),
        capabilities: ServiceCapabilities {
            stop_start: s.capabilities.stop_start,
            horizontal_scaling: s.capabilities.horizontal_scaling,
            autoscaling: s.capabilities.autoscaling,
            in_place_upgrade: s.capabilities.in_place_upgrade,
            export: s.capabilities.export,
            import: s.capabilities.import,
            client: s.operations.client.is_some(),
            rotate: s.operations.rotate.is_some(),
        },
    }
}

/// Catalog errors: bad parameters and unknown ids are the caller's input; a broken definition is Berth's.
pub(crate) fn catalog_error(e: CatalogError) -> ApiError {
    let code = match e {
        CatalogError::NotFound(_) => ErrorCode::NotFound,
        CatalogError::UnknownVersion { .. }
        | CatalogError::InvalidParameters(_)
        | CatalogError::InvalidSet { .. }
        | CatalogError::MissingCredential(_) => ErrorCode::InvalidInput,
        _ => ErrorCode::Internal,
    };
    ApiError::new(code, e.to_string())
}

/// One problem the catalog linter found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LintFinding {
    /// The file at fault.
    pub file: String,
    /// The 1-based line, when known.
    pub line: Option<u32>,
    /// `error` (must not ship) or `warning`.
    pub severity: String,
    /// What is wrong.
    pub message: String,
}

/// What the catalog linter found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LintOutcome {
    /// The folder that was checked.
    pub dir: String,
    /// The definitions checked.
    pub checked: Vec<String>,
    /// Every finding, errors and warnings.
    pub findings: Vec<LintFinding>,
    /// No errors (warnings allowed).
    pub ok: bool,
}

impl Api {
    /// Lints a catalog folder, or one definition folder; the built-in catalog when `None`.
    #[tracing::instrument(level = "debug", skip(self))]
    pub fn catalog_lint(&self, dir: Option<&std::path::Path>) -> Result<LintOutcome, ApiError> {
        let dir = match dir {
            Some(d) => d.to_owned(),
            None => berth_catalog::built_in_dir().ok_or_else(|| {
                ApiError::new(
                    ErrorCode::NotFound,
                    "the built-in catalog was not found: name a folder to lint",
                )
            })?,
        };
        if !dir.is_dir() {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("{} is not a folder", dir.display()),
            ));
        }
        let report = berth_catalog::lint(&dir);
        Ok(LintOutcome {
            dir: dir.display().to_string(),
            ok: report.is_ok(),
            checked: report.checked,
            findings: report
                .findings
                .into_iter()
                .map(|f| LintFinding {
                    file: f.file.display().to_string(),
                    line: f.line.and_then(|l| u32::try_from(l).ok()),
                    severity: match f.severity {
                        berth_catalog::Severity::Error => "error".into(),
                        berth_catalog::Severity::Warning => "warning".into(),
                    },
                    message: f.message,
                })
                .collect(),
        })
    }
}
