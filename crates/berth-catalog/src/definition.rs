//! One service definition: a `catalog/<id>/` folder loaded and compiled.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::{CatalogError, ParamError};
use crate::kube;
use crate::render::{self, MAX_INSTANCE_NAME, RenderRequest, Rendered};
use crate::spec::{ServiceSpec, VersionSpec};
use crate::values;

/// Where a definition was loaded from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "path", rename_all = "camelCase")]
pub enum Origin {
    /// The catalog shipped with Berth.
    BuiltIn,
    /// A user catalog folder (from `BERTH_CATALOG_PATH` or the app's settings).
    Folder(PathBuf),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::BuiltIn => f.write_str("built-in"),
            Origin::Folder(p) => write!(f, "{}", p.display()),
        }
    }
}

/// A loaded, compiled service definition.
pub struct Definition {
    /// The metadata from `service.yaml`.
    pub spec: ServiceSpec,
    /// The definition folder.
    pub dir: PathBuf,
    /// Where it came from.
    pub origin: Origin,
    /// `values.schema.json`.
    pub schema: Value,
    /// The user README, when present.
    pub readme: Option<String>,
    validator: jsonschema::Validator,
    env: minijinja::Environment<'static>,
    uri_env: minijinja::Environment<'static>,
    templates: Vec<String>,
}

impl fmt::Debug for Definition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Definition")
            .field("id", &self.spec.id)
            .field("dir", &self.dir)
            .field("origin", &self.origin)
            .field("templates", &self.templates)
            .finish_non_exhaustive()
    }
}

fn read(path: &Path) -> Result<String, CatalogError> {
    std::fs::read_to_string(path).map_err(|source| CatalogError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn broken(file: &Path, line: Option<usize>, message: impl Into<String>) -> CatalogError {
    CatalogError::Definition {
        file: file.to_path_buf(),
        line,
        message: message.into(),
    }
}

/// Best-effort line of a JSON pointer in a JSON text: the line of the last key of the pointer.
pub(crate) fn line_of_pointer(text: &str, pointer: &str) -> Option<usize> {
    let key = pointer
        .rsplit('/')
        .find(|s| !s.is_empty() && s.parse::<usize>().is_err())?;
    let needle = format!("\"{key}\"");
    text.lines()
        .position(|l| l.contains(&needle))
        .map(|i| i + 1)
}

impl Definition {
    /// Loads the definition in `dir` (which holds `service.yaml`).
    pub fn load(dir: &Path, origin: Origin) -> Result<Definition, CatalogError> {
        let spec_path = dir.join("service.yaml");
        let spec_text = read(&spec_path)?;
        let spec: ServiceSpec = serde_yaml::from_str(&spec_text)
            .map_err(|e| broken(&spec_path, e.location().map(|l| l.line()), e.to_string()))?;
        let folder = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if spec.id != folder {
            let line = spec_text
                .lines()
                .position(|l| l.starts_with("id:"))
                .map(|i| i + 1);
            return Err(broken(
                &spec_path,
                line,
                format!("id `{}` differs from the folder name `{folder}`", spec.id),
            ));
        }
        if spec.versions.iter().filter(|v| v.default).count() != 1 {
            let line = spec_text
                .lines()
                .position(|l| l.starts_with("versions:"))
                .map(|i| i + 1);
            return Err(broken(
                &spec_path,
                line,
                "exactly one version must be `default: true`",
            ));
        }

        let schema_path = dir.join("values.schema.json");
        let schema_text = read(&schema_path)?;
        let schema: Value = serde_json::from_str(&schema_text)
            .map_err(|e| broken(&schema_path, Some(e.line()), e.to_string()))?;
        if let Err(e) = jsonschema::draft202012::meta::validate(&schema) {
            let pointer = e.instance_path().to_string();
            return Err(broken(
                &schema_path,
                line_of_pointer(&schema_text, &pointer),
                format!("not a valid JSON Schema 2020-12: {e} at `{pointer}`"),
            ));
        }
        let validator = jsonschema::draft202012::new(&schema).map_err(|e| {
            let pointer = e.instance_path().to_string();
            broken(
                &schema_path,
                line_of_pointer(&schema_text, &pointer),
                format!("schema does not compile: {e}"),
            )
        })?;

        let mut env = render::environment();
        let mut templates = Vec::new();
        let tdir = dir.join("templates");
        let entries = std::fs::read_dir(&tdir).map_err(|source| CatalogError::Io {
            path: tdir.clone(),
            source,
        })?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.to_str().is_some_and(|s| s.ends_with(".yaml.j2")))
            .collect();
        files.sort();
        for file in files {
            let name = format!(
                "templates/{}",
                file.file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default()
            );
            let source = read(&file)?;
            env.add_template_owned(name.clone(), source).map_err(|e| {
                broken(
                    &file,
                    e.line(),
                    e.detail().unwrap_or(&e.to_string()).to_string(),
                )
            })?;
            templates.push(name);
        }
        if templates.is_empty() {
            return Err(broken(&tdir, None, "no templates (*.yaml.j2)"));
        }
        let mut uri_env = render::uri_environment();
        uri_env
            .add_template_owned("connection.uri", spec.connection.uri.clone())
            .map_err(|e| broken(&spec_path, None, format!("connection.uri: {e}")))?;
        let readme = std::fs::read_to_string(dir.join("README.md")).ok();
        tracing::debug!(id = %spec.id, dir = %dir.display(), "loaded definition");
        Ok(Definition {
            spec,
            dir: dir.to_path_buf(),
            origin,
            schema,
            readme,
            validator,
            env,
            uri_env,
            templates,
        })
    }

    /// Definition id.
    pub fn id(&self) -> &str {
        &self.spec.id
    }

    /// Path of the icon SVG.
    pub fn icon_path(&self) -> PathBuf {
        self.dir.join(&self.spec.icon)
    }

    /// The default version.
    pub fn default_version(&self) -> &VersionSpec {
        self.spec
            .versions
            .iter()
            .find(|v| v.default)
            .unwrap_or(&self.spec.versions[0])
    }

    /// A version by id.
    pub fn version(&self, id: &str) -> Option<&VersionSpec> {
        self.spec.versions.iter().find(|v| v.id == id)
    }

    /// Template file names, relative to the definition folder.
    pub fn templates(&self) -> &[String] {
        &self.templates
    }

    /// Applies a `--set key=value` expression, typed by this definition's schema.
    pub fn apply_set(&self, values: &mut Value, expr: &str) -> Result<(), CatalogError> {
        values::apply_set(values, expr, &self.schema)
    }

    /// Fills defaults and validates parameters; returns the effective values.
    pub fn validate_values(&self, values: &Value) -> Result<Value, CatalogError> {
        let mut effective = values.clone();
        let errors = values::validate(&mut effective, &self.schema, &self.validator);
        if errors.is_empty() {
            Ok(effective)
        } else {
            Err(CatalogError::InvalidParameters(errors))
        }
    }

    /// Keys of the credentials Berth must generate for these (validated) values.
    pub fn required_credentials(&self, values: &Value) -> Vec<String> {
        let users: Vec<&str> = values
            .pointer("/auth/users")
            .and_then(Value::as_array)
            .map(|u| {
                u.iter()
                    .filter_map(|u| u.get("name").and_then(Value::as_str))
                    .collect()
            })
            .unwrap_or_default();
        let mut keys = Vec::new();
        for c in &self.spec.credentials {
            if c.per_user {
                keys.extend(users.iter().map(|u| format!("{}-{u}", c.key)));
            } else {
                keys.push(c.key.clone());
            }
        }
        keys
    }

    /// Validates the parameters, renders every template, adds Berth's labels, sorts the objects in
    /// apply order and checks each against the strict Kubernetes schemas (1.33 and 1.37) and its
    /// k8s-openapi type. Nothing is returned unless everything passed.
    pub fn render(&self, req: &RenderRequest) -> Result<Rendered, CatalogError> {
        let rendered = self.render_objects(req)?;
        kube::check_objects(&rendered.objects)?;
        Ok(rendered)
    }

    /// [`Definition::render`] without its last step, the strict Kubernetes checks.
    fn render_objects(&self, req: &RenderRequest) -> Result<Rendered, CatalogError> {
        let mut request_errors = Vec::new();
        for (field, value) in [("instance", &req.instance), ("namespace", &req.namespace)] {
            if !render::is_dns1123_label(value) {
                request_errors.push(ParamError {
                    path: field.into(),
                    rule: "dns-1123".into(),
                    message: format!("{value:?} is not a DNS-1123 label (lower-case letters, digits and '-', at most 63)"),
                });
            }
        }
        if req.instance.len() > MAX_INSTANCE_NAME {
            request_errors.push(ParamError {
                path: "instance".into(),
                rule: "maxLength".into(),
                message: format!("instance names are at most {MAX_INSTANCE_NAME} characters"),
            });
        }
        if !request_errors.is_empty() {
            return Err(CatalogError::InvalidParameters(request_errors));
        }
        let mut values = req.values.clone();
        if let (Some(v), Some(map)) = (&req.version, values.as_object_mut()) {
            map.insert("version".into(), Value::String(v.clone()));
        } else if let (Some(v), Value::Null) = (&req.version, &values) {
            values = json!({ "version": v });
        }
        let values = self.validate_values(&values)?;
        let version_id = values
            .get("version")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| self.default_version().id.clone());
        let version = self
            .version(&version_id)
            .ok_or_else(|| CatalogError::UnknownVersion {
                id: self.spec.id.clone(),
                version: version_id.clone(),
                available: self
                    .spec
                    .versions
                    .iter()
                    .map(|v| v.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        let mut values = values;
        values["version"] = Value::String(version.id.clone());
        for key in self.required_credentials(&values) {
            if !req.credentials.contains_key(&key) {
                return Err(CatalogError::MissingCredential(key));
            }
        }
        let selector: BTreeMap<String, String> = [
            ("app.kubernetes.io/name".to_string(), self.spec.id.clone()),
            (
                "app.kubernetes.io/instance".to_string(),
                req.instance.clone(),
            ),
        ]
        .into();
        let mut labels = selector.clone();
        labels.insert("app.kubernetes.io/managed-by".into(), "berth".into());
        labels.insert(render::VERSION_LABEL.into(), version.id.clone());
        let ctx = json!({
            "definition": self.spec.id,
            "instance": req.instance,
            "namespace": req.namespace,
            "values": values,
            "version": version,
            "image": version.image_ref(),
            "credentials": req.credentials,
            "selector": selector,
        });
        let ctx = minijinja::Value::from(minijinja::value::Serde(&ctx));
        let mut objects = Vec::new();
        for name in &self.templates {
            let file = self.dir.join(name);
            let template = self
                .env
                .get_template(name)
                .map_err(|e| broken(&file, e.line(), e.to_string()))?;
            let text = template.render(&ctx).map_err(|e| {
                let mut message = e
                    .detail()
                    .map(str::to_string)
                    .unwrap_or_else(|| e.kind().to_string());
                if !message.contains(&e.kind().to_string()) {
                    message = format!("{}: {message}", e.kind());
                }
                broken(&file, e.line(), message)
            })?;
            for doc in serde_yaml::Deserializer::from_str(&text) {
                let object = Value::deserialize(doc).map_err(|e| {
                    broken(
                        &file,
                        None,
                        format!(
                            "rendered YAML is invalid at output line {}: {e}",
                            e.location().map(|l| l.line()).unwrap_or(0)
                        ),
                    )
                })?;
                if object.is_null() {
                    continue;
                }
                if !object.is_object() {
                    return Err(broken(&file, None, "a rendered document is not a mapping"));
                }
                objects.push(object);
            }
        }
        for object in &mut objects {
            render::decorate(object, &labels, req.revision, &req.namespace);
        }
        objects.sort_by_key(|o| {
            render::apply_rank(o.get("kind").and_then(Value::as_str).unwrap_or(""))
        });
        Ok(Rendered { objects, values })
    }

    /// Host name of the client Service inside the cluster.
    pub fn service_host(&self, instance: &str, namespace: &str) -> String {
        format!(
            "{}.{namespace}.svc.cluster.local",
            self.spec.connection.service.replace("{instance}", instance)
        )
    }

    /// Connection URI for clients. The password is included only when given (asked for).
    pub fn connection_uri(
        &self,
        host: &str,
        values: &Value,
        password: Option<&str>,
    ) -> Result<String, CatalogError> {
        self.connection_uri_on(host, self.spec.connection.port, values, password)
    }

    /// Like [`Definition::connection_uri`] for another port (a local port-forward).
    pub fn connection_uri_on(
        &self,
        host: &str,
        port: u16,
        values: &Value,
        password: Option<&str>,
    ) -> Result<String, CatalogError> {
        let spec_path = self.dir.join("service.yaml");
        let user = self.connection_user(values)?;
        let ctx = minijinja::Value::from(minijinja::value::Serde(json!({
            "host": host,
            "port": port,
            "user": user,
            "password": password,
            "values": values,
        })));
        self.uri_env
            .get_template("connection.uri")
            .and_then(|t| t.render(&ctx))
            .map_err(|e| broken(&spec_path, None, format!("connection.uri: {e}")))
    }

    /// The user clients log in as (`connection.user` evaluated over the values), if any.
    pub fn connection_user(&self, values: &Value) -> Result<Option<String>, CatalogError> {
        let spec_path = self.dir.join("service.yaml");
        let Some(expr) = &self.spec.connection.user else {
            return Ok(None);
        };
        let e = self
            .uri_env
            .compile_expression(expr)
            .map_err(|e| broken(&spec_path, None, format!("connection.user: {e}")))?;
        let ctx = minijinja::Value::from(minijinja::value::Serde(json!({ "values": values })));
        let v = e
            .eval(&ctx)
            .map_err(|e| broken(&spec_path, None, format!("connection.user: {e}")))?;
        Ok(Some(v.to_string()))
    }

    /// Readiness rules with `{instance}` resolved: `(kind, name, rule)`.
    pub fn readiness(&self, instance: &str) -> Vec<(String, String, &crate::spec::ReadinessRule)> {
        self.spec
            .readiness
            .iter()
            .map(|r| (r.kind.clone(), r.name.replace("{instance}", instance), r))
            .collect()
    }
}
