//! The linter: every check a definition must pass before it ships.
//!
//! Per definition: it loads (YAML, JSON Schema and template syntax, with file and line); the
//! icon and README exist; versions are pinned (no `latest`, no Bitnami images) and upgrade targets
//! exist; every object schema rejects unknown keys; the `version` parameter lists exactly the
//! versions; defaults validate; the defaults and every `testdata/*.yaml` parameter set render,
//! and every rendered object passes the strict Kubernetes 1.33 and 1.37 schemas, parses into its
//! k8s-openapi type, carries Berth's labels, has requests and limits and a restrictive
//! securityContext on every container; an `*.expected.yaml` next to a parameter set must equal
//! its render.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Value, json};

use crate::catalog::{definition_dirs, is_definition_dir};
use crate::definition::{Definition, Origin};
use crate::error::CatalogError;
use crate::render::{RenderRequest, Rendered};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Should be fixed, does not block.
    Warning,
    /// The definition must not ship.
    Error,
}

/// One problem.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// File at fault.
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// How bad.
    pub severity: Severity,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        match self.line {
            Some(line) => write!(f, "{}:{line}: {sev}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {sev}: {}", self.file.display(), self.message),
        }
    }
}

/// Everything the linter found.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct LintReport {
    /// Definitions checked (ids, or folder names when they failed to load).
    pub checked: Vec<String>,
    /// Findings, in the order found.
    pub findings: Vec<Finding>,
}

impl LintReport {
    /// True when there is no error (warnings allowed).
    pub fn is_ok(&self) -> bool {
        !self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    fn error(&mut self, file: &Path, line: Option<usize>, message: impl Into<String>) {
        self.findings.push(Finding {
            file: file.to_path_buf(),
            line,
            message: message.into(),
            severity: Severity::Error,
        });
    }

    fn add_error(&mut self, fallback: &Path, err: &CatalogError) {
        match err {
            CatalogError::Definition {
                file,
                line,
                message,
            } => self.error(file, *line, message.clone()),
            CatalogError::Io { path, source } => {
                self.error(path, None, format!("cannot read: {source}"))
            }
            other => self.error(fallback, None, other.to_string()),
        }
    }
}

/// One testdata parameter set: `testdata/<case>.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    /// Instance name (default `demo`).
    #[serde(default = "default_instance")]
    pub instance: String,
    /// Namespace (default `default`).
    #[serde(default = "default_namespace")]
    pub namespace: String,
    /// Version id.
    #[serde(default)]
    pub version: Option<String>,
    /// Parameters.
    #[serde(default)]
    pub values: Value,
}

fn default_instance() -> String {
    "demo".into()
}
fn default_namespace() -> String {
    "default".into()
}

/// Deterministic stand-in credentials for tests and lint: `test-<key>`.
pub fn test_credentials(def: &Definition, values: &Value) -> BTreeMap<String, String> {
    let effective = def
        .validate_values(values)
        .unwrap_or_else(|_| values.clone());
    def.required_credentials(&effective)
        .into_iter()
        .map(|k| (k.clone(), format!("test-{k}")))
        .collect()
}

/// Builds the render request of a testdata case.
pub fn case_request(def: &Definition, case: &TestCase) -> RenderRequest {
    RenderRequest {
        instance: case.instance.clone(),
        namespace: case.namespace.clone(),
        version: case.version.clone(),
        values: case.values.clone(),
        credentials: test_credentials(def, &case.values),
        revision: Some(1),
    }
}

/// The case of a definition's defaults: no parameters, instance `demo` in `default`.
fn default_case() -> TestCase {
    TestCase {
        instance: default_instance(),
        namespace: default_namespace(),
        version: None,
        values: json!({}),
    }
}

/// The render requests of a definition's own samples, as lint renders them: its defaults, then
/// each testdata case. For benchmarks and tests that render the whole catalog.
pub fn sample_requests(def: &Definition) -> Result<Vec<RenderRequest>, CatalogError> {
    let mut requests = vec![case_request(def, &default_case())];
    for (case, _) in test_cases(def) {
        requests.push(case_request(def, &read_case(&case)?));
    }
    Ok(requests)
}

/// Testdata parameter sets of a definition: `(case file, expected render file)`.
pub fn test_cases(def: &Definition) -> Vec<(PathBuf, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(def.dir.join("testdata")) else {
        return vec![];
    };
    let mut cases: Vec<(PathBuf, PathBuf)> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.ends_with(".yaml") && !name.ends_with(".expected.yaml")
        })
        .map(|p| {
            let expected = p.with_extension("expected.yaml");
            (p, expected)
        })
        .collect();
    cases.sort();
    cases
}

/// Reads a testdata case file.
pub fn read_case(path: &Path) -> Result<TestCase, CatalogError> {
    let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_yaml::from_str(&text).map_err(|e| CatalogError::Definition {
        file: path.to_path_buf(),
        line: e.location().map(|l| l.line()),
        message: e.to_string(),
    })
}

/// Lints `dir`: a catalog folder (one sub-folder per definition) or one definition folder.
pub fn lint(dir: &Path) -> LintReport {
    let mut report = LintReport::default();
    let dirs = if is_definition_dir(dir) {
        vec![dir.to_path_buf()]
    } else {
        match definition_dirs(dir) {
            Ok(d) => d,
            Err(e) => {
                report.add_error(dir, &e);
                return report;
            }
        }
    };
    if dirs.is_empty() {
        report.error(
            dir,
            None,
            "no definitions (folders with a service.yaml) found",
        );
    }
    for d in dirs {
        let name = d
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        report.checked.push(name);
        match Definition::load(&d, Origin::Folder(d.clone())) {
            Ok(def) => lint_definition(&def, &mut report),
            Err(e) => report.add_error(&d.join("service.yaml"), &e),
        }
    }
    report
}

fn spec_line(def: &Definition, needle: &str) -> Option<usize> {
    let text = std::fs::read_to_string(def.dir.join("service.yaml")).ok()?;
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}

fn lint_definition(def: &Definition, report: &mut LintReport) {
    let spec_path = def.dir.join("service.yaml");
    let schema_path = def.dir.join("values.schema.json");
    let schema_text = std::fs::read_to_string(&schema_path).unwrap_or_default();
    match std::fs::read_to_string(def.icon_path()) {
        Ok(svg) if svg.contains("<svg") => {}
        Ok(_) => report.error(&def.icon_path(), None, "icon is not an SVG"),
        Err(_) => report.error(
            &spec_path,
            spec_line(def, "icon:"),
            format!("icon `{}` is missing", def.spec.icon),
        ),
    }
    if def.readme.is_none() {
        report.error(&def.dir.join("README.md"), None, "README.md is missing");
    }
    let ids: Vec<&str> = def.spec.versions.iter().map(|v| v.id.as_str()).collect();
    for v in &def.spec.versions {
        let line =
            spec_line(def, &format!("tag: \"{}\"", v.tag)).or_else(|| spec_line(def, &v.tag));
        if v.tag.is_empty() || v.tag == "latest" || v.tag.starts_with("latest") {
            report.error(
                &spec_path,
                line,
                format!("version {} uses an unpinned tag `{}`", v.id, v.tag),
            );
        }
        if v.image.contains("bitnami") {
            report.error(
                &spec_path,
                line,
                format!(
                    "version {} uses a Bitnami image; use the upstream official image",
                    v.id
                ),
            );
        }
        for target in v.upgradable_to.iter().chain(&v.copy_upgradable_to) {
            if !ids.contains(&target.as_str()) {
                report.error(
                    &spec_path,
                    line,
                    format!("version {} upgrades to unknown version {target}", v.id),
                );
            }
        }
    }
    // version parameter consistent with versions
    match def.schema.pointer("/properties/version") {
        Some(vs) => {
            let listed: Vec<&str> = vs
                .get("enum")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if listed != ids {
                report.error(&schema_path, crate::definition::line_of_pointer(&schema_text, "/properties/version"),
                    format!("`version` enum {listed:?} differs from the versions in service.yaml {ids:?}"));
            }
            if vs.get("default").and_then(Value::as_str) != Some(def.default_version().id.as_str())
            {
                report.error(
                    &schema_path,
                    crate::definition::line_of_pointer(&schema_text, "/properties/version"),
                    "`version` default differs from the default version in service.yaml",
                );
            }
        }
        None => report.error(&schema_path, None, "the schema has no `version` parameter"),
    }
    check_operations(def, &spec_path, report);
    closed_objects(&def.schema, "", &schema_text, &schema_path, report);
    if let Err(e) = def.validate_values(&json!({})) {
        report.error(&schema_path, None, format!("defaults do not validate: {e}"));
    }
    // renders
    check_render(
        def,
        &def.dir.join("templates"),
        &case_request(def, &default_case()),
        None,
        report,
    );
    for (case_path, expected) in test_cases(def) {
        match read_case(&case_path) {
            Ok(case) => {
                let req = case_request(def, &case);
                check_render(def, &case_path, &req, Some(&expected), report);
            }
            Err(e) => report.add_error(&case_path, &e),
        }
    }
}

/// The data operations: non-empty commands, a container the default render runs, the
/// `export`/`import` capabilities matching the operations, `import` only with `export` and
/// `verify` (a copy must be checkable), `quiesce` and `unquiesce` only together.
fn check_operations(def: &Definition, spec_path: &Path, report: &mut LintReport) {
    let ops = &def.spec.operations;
    let line = spec_line(def, "operations:");
    let containers: Vec<String> = def
        .render(&case_request(def, &default_case()))
        .map(|r| {
            r.objects
                .iter()
                .filter_map(|o| {
                    o.pointer("/spec/template/spec/containers")?
                        .as_array()
                        .cloned()
                })
                .flatten()
                .filter_map(|c| c["name"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    for (name, op) in ops.declared() {
        let op_line = spec_line(def, &format!("  {name}:")).or(line);
        if op.command.is_empty() || op.command[0].trim().is_empty() {
            report.error(
                spec_path,
                op_line,
                format!("operation `{name}` has an empty command"),
            );
        }
        if !op.pod.contains("{instance}") {
            report.error(
                spec_path,
                op_line,
                format!(
                    "operation `{name}` names pod `{}`, which does not contain {{instance}}",
                    op.pod
                ),
            );
        }
        if !containers.is_empty() && !containers.contains(&op.container) {
            report.error(
                spec_path,
                op_line,
                format!("operation `{name}` runs in container `{}`, which the default render does not have ({})", op.container, containers.join(", ")),
            );
        }
    }
    let caps = def.spec.capabilities;
    if caps.export != ops.export.is_some() {
        report.error(
            spec_path,
            spec_line(def, "export:"),
            "capabilities.export must be true exactly when operations.export exists",
        );
    }
    if caps.import != ops.import.is_some() {
        report.error(
            spec_path,
            spec_line(def, "import:"),
            "capabilities.import must be true exactly when operations.import exists",
        );
    }
    if ops.import.is_some() && (ops.export.is_none() || ops.verify.is_none()) {
        report.error(
            spec_path,
            line,
            "operations.import needs operations.export and operations.verify",
        );
    }
    if ops.quiesce.is_some() != ops.unquiesce.is_some() {
        report.error(
            spec_path,
            line,
            "operations.quiesce and operations.unquiesce come together",
        );
    }
}

fn closed_objects(schema: &Value, pointer: &str, text: &str, file: &Path, report: &mut LintReport) {
    let Some(map) = schema.as_object() else {
        return;
    };
    if map.contains_key("properties")
        && map.get("additionalProperties") != Some(&Value::Bool(false))
    {
        report.error(
            file,
            crate::definition::line_of_pointer(text, pointer),
            format!(
                "object `{}` must set \"additionalProperties\": false so unknown keys are rejected",
                if pointer.is_empty() { "/" } else { pointer }
            ),
        );
    }
    for (key, child) in map {
        match key.as_str() {
            "properties" | "$defs" => {
                if let Some(props) = child.as_object() {
                    for (name, sub) in props {
                        closed_objects(sub, &format!("{pointer}/{key}/{name}"), text, file, report);
                    }
                }
            }
            "items" | "additionalProperties" => {
                closed_objects(child, &format!("{pointer}/{key}"), text, file, report)
            }
            _ => {}
        }
    }
}

/// Renders one request and checks the objects; compares with `expected` when that file exists.
fn check_render(
    def: &Definition,
    origin: &Path,
    req: &RenderRequest,
    expected: Option<&Path>,
    report: &mut LintReport,
) {
    let rendered = match def.render(req) {
        Ok(r) => r,
        Err(e) => {
            report.add_error(origin, &e);
            return;
        }
    };
    for problem in object_problems(&rendered) {
        report.error(origin, None, problem);
    }
    if let Some(expected) = expected.filter(|p| p.exists()) {
        let want = std::fs::read_to_string(expected).unwrap_or_default();
        if want != rendered.to_yaml() {
            report.error(expected, None, "expected render differs from the actual render (rewrite with BERTH_BLESS=1 cargo test -p berth-catalog)");
        }
    }
}

/// Berth's own rules on rendered objects (beyond the Kubernetes schemas, which render checks):
/// labels; requests, limits, pinned images and a restrictive securityContext on every container;
/// readiness and liveness probes on every main container; and, when a workload runs more than
/// one pod (or is autoscaled), a PodDisruptionBudget and a pod anti-affinity preference.
pub fn object_problems(rendered: &Rendered) -> Vec<String> {
    let mut problems = Vec::new();
    let has_kind = |kind: &str| rendered.objects.iter().any(|o| o["kind"] == kind);
    for object in &rendered.objects {
        if object["kind"] != "StatefulSet" && object["kind"] != "Deployment" {
            continue;
        }
        let name = crate::kube::describe(object);
        let replicas = object
            .pointer("/spec/replicas")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        if replicas > 1 || has_kind("HorizontalPodAutoscaler") {
            if !has_kind("PodDisruptionBudget") {
                problems.push(format!(
                    "{name}: more than one pod but no PodDisruptionBudget"
                ));
            }
            if object
                .pointer("/spec/template/spec/affinity/podAntiAffinity")
                .is_none()
            {
                problems.push(format!(
                    "{name}: more than one pod but no pod anti-affinity"
                ));
            }
        }
        let containers = object
            .pointer("/spec/template/spec/containers")
            .and_then(Value::as_array);
        for c in containers.into_iter().flatten() {
            let cname = c.get("name").and_then(Value::as_str).unwrap_or("?");
            for probe in ["readinessProbe", "livenessProbe"] {
                if c.get(probe).is_none() {
                    problems.push(format!("{name}: container {cname} has no {probe}"));
                }
            }
        }
    }
    for object in &rendered.objects {
        let name = crate::kube::describe(object);
        for label in [
            "app.kubernetes.io/managed-by",
            "app.kubernetes.io/instance",
            "app.kubernetes.io/name",
            "app.kubernetes.io/version",
        ] {
            if object
                .pointer("/metadata/labels")
                .and_then(|l| l.get(label))
                .is_none()
            {
                problems.push(format!("{name}: label {label} missing"));
            }
        }
        let Some(pod) = object.pointer("/spec/template/spec") else {
            continue;
        };
        let containers = ["containers", "initContainers"]
            .iter()
            .filter_map(|k| pod.get(*k).and_then(Value::as_array))
            .flatten();
        for c in containers {
            let cname = c.get("name").and_then(Value::as_str).unwrap_or("?");
            for field in ["requests", "limits"] {
                for res in ["cpu", "memory"] {
                    if c.pointer(&format!("/resources/{field}/{res}")).is_none() {
                        problems.push(format!("{name}: container {cname} has no {field}.{res}"));
                    }
                }
            }
            let image = c.get("image").and_then(Value::as_str).unwrap_or("");
            let tag = image
                .rsplit_once(':')
                .map(|(_, t)| t)
                .filter(|t| !t.contains('/'));
            if tag.is_none_or(|t| t == "latest") {
                problems.push(format!(
                    "{name}: container {cname} image `{image}` is not pinned to a tag"
                ));
            }
            if c.pointer("/securityContext/allowPrivilegeEscalation") != Some(&Value::Bool(false)) {
                problems.push(format!("{name}: container {cname} must set securityContext.allowPrivilegeEscalation: false"));
            }
            let drops_all = c
                .pointer("/securityContext/capabilities/drop")
                .and_then(Value::as_array)
                .is_some_and(|d| d.iter().any(|x| x == "ALL"));
            if !drops_all {
                problems.push(format!(
                    "{name}: container {cname} must drop ALL capabilities"
                ));
            }
        }
    }
    problems
}
