//! `berth catalog list | show | lint | render`

use berth_api::{Api, ApiError, ErrorCode, RenderInput, ServiceSummary};

use crate::cli::{CatalogAction, Global, RenderArgs};
use crate::output::{self, Format};

pub(crate) fn run(api: &Api, global: &Global, action: CatalogAction) -> Result<(), ApiError> {
    match action {
        CatalogAction::List => list(api, global.output),
        CatalogAction::Show { service } => show(api, global.output, &service),
        CatalogAction::Lint { dir } => lint(api, global.output, dir.as_deref()),
        CatalogAction::Render(args) => render(api, global, args),
    }
}

fn list(api: &Api, format: Format) -> Result<(), ApiError> {
    let catalog = api.catalog_list()?;
    for p in &catalog.problems {
        output::warn(&p.message);
    }
    if output::structured(&catalog, format).is_some() {
        return Ok(());
    }
    let mut table = output::table(&["id", "title", "category", "versions", "source"]);
    for s in &catalog.services {
        table.add_row(vec![
            s.id.clone(),
            s.title.clone(),
            category(s),
            versions(s),
            s.source.clone(),
        ]);
    }
    output::line(table);
    Ok(())
}

fn show(api: &Api, format: Format, id: &str) -> Result<(), ApiError> {
    let detail = api.catalog_show(id)?;
    if output::structured(&detail, format).is_some() {
        return Ok(());
    }
    let s = &detail.service;
    output::line(format!("{} — {}\n", s.title, s.summary));
    output::line(format!("{}\n", detail.description.trim()));
    output::line(format!("id          {}", s.id));
    output::line(format!("category    {}", category(s)));
    output::line(format!("versions    {}", versions(s)));
    output::line(format!("homepage    {}", detail.homepage));
    output::line(format!("licence     {}", detail.license));
    output::line(format!("source      {}", s.source));
    let c = &s.capabilities;
    let caps: Vec<&str> = [
        (c.stop_start, "stop/start"),
        (c.horizontal_scaling, "scaling"),
        (c.autoscaling, "autoscaling"),
        (c.in_place_upgrade, "in-place upgrade"),
        (c.export, "export"),
        (c.import, "import"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect();
    output::line(format!("supports    {}\n", caps.join(", ")));
    let mut table = output::table(&["parameter", "default", "description"]);
    for (path, default, text) in parameters(&detail.parameters_schema, "") {
        table.add_row(vec![path, default, text]);
    }
    output::line(table);
    Ok(())
}

/// The leaf parameters of a schema: dotted path, default, title or description.
fn parameters(schema: &serde_json::Value, prefix: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let Some(props) = schema.get("properties").and_then(|p| p.as_object()) else {
        return out;
    };
    for (key, prop) in props {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        if prop.get("properties").is_some() {
            out.extend(parameters(prop, &path));
            continue;
        }
        let default = prop
            .get("default")
            .map(|d| d.to_string())
            .unwrap_or_default();
        let text = prop
            .get("title")
            .or_else(|| prop.get("description"))
            .and_then(|t| t.as_str())
            .unwrap_or_default()
            .to_owned();
        out.push((path, default, text));
    }
    out
}

fn lint(api: &Api, format: Format, dir: Option<&std::path::Path>) -> Result<(), ApiError> {
    let outcome = api.catalog_lint(dir)?;
    if output::structured(&outcome, format).is_none() {
        for f in &outcome.findings {
            match f.line {
                Some(line) => {
                    output::line(format!("{}:{line}: {}: {}", f.file, f.severity, f.message))
                }
                None => output::line(format!("{}: {}: {}", f.file, f.severity, f.message)),
            }
        }
        let errors = outcome
            .findings
            .iter()
            .filter(|f| f.severity == "error")
            .count();
        output::line(format!(
            "{} definitions checked in {}: {errors} errors, {} warnings",
            outcome.checked.len(),
            outcome.dir,
            outcome.findings.len() - errors
        ));
    }
    if outcome.ok {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::Internal,
            "the catalog has errors (listed above)",
        ))
    }
}

pub(crate) fn read_values(
    path: &Option<std::path::PathBuf>,
) -> Result<Option<serde_json::Value>, ApiError> {
    Ok(match path {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                ApiError::new(
                    ErrorCode::InvalidInput,
                    format!("cannot read {}: {e}", path.display()),
                )
            })?;
            let value: serde_json::Value = serde_yaml::from_str(&text).map_err(|e| {
                ApiError::new(
                    ErrorCode::InvalidInput,
                    format!("{} is not valid YAML or JSON: {e}", path.display()),
                )
            })?;
            Some(value)
        }
    })
}

fn render(api: &Api, global: &Global, args: RenderArgs) -> Result<(), ApiError> {
    let values = read_values(&args.values)?;
    let rendered = api.catalog_render(&RenderInput {
        service: args.service,
        instance: args.name,
        namespace: global.namespace.clone(),
        version: args.version,
        values,
        set: args.set,
    })?;
    match global.output {
        Format::Json => output::json(&rendered.objects),
        Format::Yaml | Format::Table => {
            let docs: Vec<String> = rendered
                .objects
                .iter()
                .filter_map(|o| serde_yaml::to_string(o).ok())
                .collect();
            output::line(format!("---\n{}", docs.join("---\n").trim_end()));
        }
    }
    Ok(())
}

fn category(s: &ServiceSummary) -> String {
    serde_json::to_value(s.category)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn versions(s: &ServiceSummary) -> String {
    s.versions
        .iter()
        .map(|v| {
            if v.default {
                format!("{}*", v.id)
            } else {
                v.id.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
