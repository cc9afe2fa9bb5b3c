//! `berth contexts`, `berth contexts tag`, `berth contexts favourite`

use std::time::Duration;

use berth_api::{
    Api, ApiError, ContextInfo, ContextList, ContextProbe, ErrorCode, KubeconfigProblem,
};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::cli::{ContextsAction, ContextsArgs, Global};
use crate::output::{self, Format};

/// One row of `berth contexts -o json`: the context and, unless `--no-probe`, its probe.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ContextRow {
    #[serde(flatten)]
    info: ContextInfo,
    probe: Option<ContextProbe>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ContextsOutput {
    contexts: Vec<ContextRow>,
    kubeconfig_files: Vec<String>,
    problems: Vec<KubeconfigProblem>,
}

pub(crate) async fn run(api: &Api, global: &Global, args: ContextsArgs) -> Result<(), ApiError> {
    match args.action {
        None => list(api, global, args.no_probe).await,
        Some(ContextsAction::Tag { context, location }) => {
            let info = api.set_context_location(&context, location.to_api())?;
            print_one(&info, global.output, || {
                let how = if info.location_inferred {
                    " (inferred)"
                } else {
                    ""
                };
                format!("{}: location {}{how}", info.name, location_name(&info))
            });
            Ok(())
        }
        Some(ContextsAction::Favourite { context, off }) => {
            let info = api.set_context_favourite(&context, !off)?;
            print_one(&info, global.output, || {
                format!(
                    "{}: {}",
                    info.name,
                    if info.favourite {
                        "starred"
                    } else {
                        "unstarred"
                    }
                )
            });
            Ok(())
        }
    }
}

fn print_one(info: &ContextInfo, format: Format, line: impl FnOnce() -> String) {
    if output::structured(info, format).is_none() {
        output::line(line());
    }
}

async fn list(api: &Api, global: &Global, no_probe: bool) -> Result<(), ApiError> {
    let list = api.list_contexts().await?;
    for p in &list.problems {
        output::warn(&format!("kubeconfig {}: {}", p.file, p.message));
    }
    if list.contexts.is_empty() && !list.problems.is_empty() {
        return Err(ApiError::new(
            ErrorCode::Kubeconfig,
            "no usable kubeconfig: fix the files named above",
        ));
    }
    let probes = if no_probe {
        Vec::new()
    } else {
        probe_all(api, &list).await?
    };
    let rows: Vec<ContextRow> = list
        .contexts
        .into_iter()
        .map(|info| {
            let probe = probes.iter().find(|p| p.name == info.name).cloned();
            ContextRow { info, probe }
        })
        .collect();
    let out = ContextsOutput {
        contexts: rows,
        kubeconfig_files: list.kubeconfig_files,
        problems: list.problems,
    };
    if output::structured(&out, global.output).is_some() {
        return Ok(());
    }
    match out.contexts.as_slice() {
        [] => {
            output::line(format!(
                "No contexts found in {}.\nAdd a cluster to your kubeconfig (for example `kind create cluster`), or point KUBECONFIG at one.",
                out.kubeconfig_files.join(", ")
            ));
        }
        rows => print_table(rows, no_probe),
    }
    Ok(())
}

async fn probe_all(api: &Api, list: &ContextList) -> Result<Vec<ContextProbe>, ApiError> {
    let bar = ProgressBar::new(list.contexts.len() as u64).with_style(
        ProgressStyle::with_template("{spinner} probing contexts {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(100));
    let probes = list.contexts.iter().map(|c| {
        let bar = bar.clone();
        async move {
            let probe = api.probe_context(&c.name).await;
            bar.inc(1);
            probe
        }
    });
    let probes = futures::future::join_all(probes).await;
    bar.finish_and_clear();
    probes.into_iter().collect()
}

fn print_table(rows: &[ContextRow], no_probe: bool) {
    let mut header = vec![
        "",
        "name",
        "location",
        "status",
        "version",
        "server",
        "namespace",
    ];
    if no_probe {
        header.remove(3);
    }
    let mut table = output::table(&header);
    for row in rows {
        let info = &row.info;
        let marker = format!(
            "{}{}",
            if info.current { "*" } else { " " },
            if info.favourite { "★" } else { " " }
        );
        let version = row
            .probe
            .as_ref()
            .and_then(|p| p.server_version.clone())
            .or_else(|| info.server_version.clone())
            .unwrap_or_default();
        let mut cells = vec![
            marker,
            info.name.clone(),
            location_name(info),
            version,
            info.server.clone().unwrap_or_else(|| "(no server)".into()),
            info.namespace.clone().unwrap_or_default(),
        ];
        if !no_probe {
            cells.insert(3, status(row.probe.as_ref()));
        }
        table.add_row(cells);
    }
    output::line(table);
    for row in rows {
        if let Some(f) = row.probe.as_ref().and_then(|p| p.failure.as_ref()) {
            output::line(format!("\n{}: {}\n  {}", row.info.name, f.message, f.hint));
        }
    }
}

fn status(probe: Option<&ContextProbe>) -> String {
    match probe {
        None => String::new(),
        Some(p) if p.reachable => format!("reachable ({} ms)", p.latency_ms),
        Some(p) => match &p.failure {
            Some(f) => format!("unreachable: {}", kind_words(f.kind)),
            None => "unreachable".into(),
        },
    }
}

fn kind_words(kind: berth_api::ProbeFailureKind) -> &'static str {
    use berth_api::ProbeFailureKind as K;
    match kind {
        K::Dns => "host not found",
        K::Refused => "connection refused",
        K::Tls => "TLS error",
        K::Unauthorized => "credentials rejected (401)",
        K::Forbidden => "access denied (403)",
        K::Timeout => "timed out",
        K::ExecPlugin => "credential plugin failed",
        K::Config => "invalid context",
        K::Other => "error",
    }
}

fn location_name(info: &ContextInfo) -> String {
    let name = match info.location {
        berth_api::Location::Laptop => "laptop",
        berth_api::Location::Cloud => "cloud",
        berth_api::Location::Private => "private",
    };
    if info.location_inferred {
        name.to_owned()
    } else {
        format!("{name} (set)")
    }
}
