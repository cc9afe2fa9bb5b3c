//! `berth move`, `berth copy`, `berth transfers`, `berth transfer resume|abort ID`.

use std::path::PathBuf;

use berth_api::{Api, ApiError, ErrorCode, TransferInfo, TransferInput, TransferProgress};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

use crate::cli::Global;
use crate::output;

/// The flags of `berth move` and `berth copy`.
#[derive(Debug, Args)]
pub(crate) struct TransferArgs {
    /// The instance name
    name: String,
    /// The target context
    #[arg(long, value_name = "CONTEXT")]
    to: String,
    /// The target namespace (default: the source's)
    #[arg(long, value_name = "NS")]
    to_namespace: Option<String>,
    /// The target instance name (a copy; default: the source's)
    #[arg(long = "name", value_name = "NEW")]
    name_as: Option<String>,
    /// Create the target namespace when it does not exist
    #[arg(long)]
    create_namespace: bool,
    /// Use storage class TO on the target where the source uses FROM
    #[arg(long, value_name = "FROM=TO")]
    storage_class_map: Vec<String>,
    /// Override a parameter on the target (path=value)
    #[arg(long, value_name = "K=V")]
    set: Vec<String>,
    /// Parameter values (YAML or JSON) merged over the source's
    #[arg(long, value_name = "FILE")]
    values: Option<PathBuf>,
    /// The target version (a copy into a version the definition can copy into)
    #[arg(long, value_name = "V")]
    version: Option<String>,
    /// Uninstall the source and delete its data after the move is verified
    #[arg(long)]
    delete_source: bool,
    /// Refuse a service whose definition cannot carry its data
    #[arg(long)]
    require_data: bool,
    /// Show the plan and stop (exit 0 when feasible, 1 when not)
    #[arg(long)]
    dry_run: bool,
    /// Accepted for scripts: a transfer never asks (its plan is printed before it starts)
    #[arg(long, short = 'y')]
    _yes: bool,
}

/// `berth transfer ...`
#[derive(Debug, Subcommand)]
pub(crate) enum TransferAction {
    /// Continue a transfer from its last finished step
    Resume {
        /// The transfer id (see `berth transfers`)
        id: i64,
    },
    /// Undo a transfer: remove the half-made target, lift the source's fence
    Abort {
        /// The transfer id
        id: i64,
    },
}

fn bad(message: String) -> ApiError {
    ApiError::new(ErrorCode::InvalidInput, message)
}

fn input(global: &Global, kind: &str, args: &TransferArgs) -> Result<TransferInput, ApiError> {
    let mut map = Vec::new();
    for m in &args.storage_class_map {
        let (from, to) = m
            .split_once('=')
            .filter(|(a, b)| !a.is_empty() && !b.is_empty())
            .ok_or_else(|| bad(format!("--storage-class-map {m:?}: expected FROM=TO")))?;
        map.push((from.to_owned(), to.to_owned()));
    }
    let values = match &args.values {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| bad(format!("cannot read {}: {e}", path.display())))?;
            serde_yaml::from_str(&text)
                .map_err(|e| bad(format!("{} is not YAML or JSON: {e}", path.display())))?
        }
        None => serde_json::Value::Null,
    };
    if kind == "move" && args.name_as.is_some() {
        return Err(bad(
            "a move keeps the instance's name: --name is for copies".into(),
        ));
    }
    Ok(TransferInput {
        kind: kind.to_owned(),
        context: global.context.clone(),
        to: args.to.clone(),
        options: berth_api::TransferOptions {
            instance: args.name.clone(),
            namespace: global.namespace.clone(),
            to_namespace: args.to_namespace.clone(),
            name: args.name_as.clone(),
            create_namespace: args.create_namespace,
            storage_class_map: map,
            set: args.set.clone(),
            values,
            version: args.version.clone(),
            delete_source: args.delete_source,
            require_data: args.require_data,
            timeout_secs: None,
        },
    })
}

fn print_plan(plan: &berth_api::TransferPlan) {
    output::line(format!(
        "{} {} {}: {}/{}/{} → {}/{}/{}",
        plan.kind,
        plan.definition,
        if plan.version == plan.target_version {
            plan.version.clone()
        } else {
            format!("{} → {}", plan.version, plan.target_version)
        },
        plan.source.0,
        plan.source.1,
        plan.source.2,
        plan.target.0,
        plan.target.1,
        plan.target.2
    ));
    for c in &plan.checks {
        let mark = match c.level {
            berth_api::CheckLevel::Ok => "ok  ",
            berth_api::CheckLevel::Warning => "warn",
            _ => "FAIL",
        };
        output::line(format!("  {mark} {}: {}", c.name, c.message));
    }
    output::line(format!(
        "  data: {}",
        match (plan.carries_data, plan.data_bytes) {
            (false, _) => "not carried (configuration and credentials only)".to_owned(),
            (true, Some(b)) => format!("{:.1} MiB to copy", b as f64 / 1048576.0),
            (true, None) => "size unknown".to_owned(),
        }
    ));
    if let Some(d) = plan.expected_downtime_secs {
        output::line(format!("  expected downtime (fenced): about {d:.0} s"));
    }
    output::line(format!("  steps: {}", plan.steps.join(" → ")));
}

/// Shows progress: a bar on a terminal, plain lines otherwise.
pub(crate) struct Shown {
    bar: Option<ProgressBar>,
}

impl Shown {
    pub(crate) fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let b = ProgressBar::new_spinner();
            b.set_style(
                ProgressStyle::with_template("{spinner} {msg} {bytes} ({bytes_per_sec}, {eta})")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            b
        });
        Self { bar }
    }

    pub(crate) fn show(&self, e: TransferProgress) {
        match (&self.bar, e) {
            (Some(b), TransferProgress::Step { step }) => b.set_message(step),
            (
                Some(b),
                TransferProgress::Bytes {
                    bytes,
                    expected,
                    codec,
                    ..
                },
            ) => {
                if let Some(t) = expected {
                    b.set_length(t.max(bytes));
                }
                if let Some(c) = codec {
                    // the count is of the compressed stream, not of the data
                    b.set_message(format!("stream, {c}"));
                }
                b.set_position(bytes);
            }
            (Some(b), TransferProgress::Note { message }) => b.println(message),
            (None, TransferProgress::Step { step }) => eprintln!("{step}..."),
            (
                None,
                TransferProgress::Bytes {
                    bytes,
                    rate,
                    eta_secs,
                    codec,
                    ..
                },
            ) => eprintln!(
                "  {:.1} MiB{} at {:.1} MiB/s{}",
                bytes as f64 / 1048576.0,
                codec.map(|c| format!(" of {c}")).unwrap_or_default(),
                rate / 1048576.0,
                eta_secs
                    .map(|s| format!(", {s:.0} s left"))
                    .unwrap_or_default()
            ),
            (None, TransferProgress::Note { message }) => eprintln!("  {message}"),
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

pub(crate) async fn run(
    api: &Api,
    global: &Global,
    kind: &str,
    args: TransferArgs,
) -> Result<(), ApiError> {
    let input = input(global, kind, &args)?;
    let plan = api.plan_transfer(&input).await?;
    // with -o json/yaml one document: the plan on a feasible dry run, the plan and the
    // outcome after a transfer, the error otherwise
    let structured = global.output != output::Format::Table;
    if !structured {
        print_plan(&plan);
    } else if args.dry_run && plan.refusal().is_none() {
        output::structured(&plan, global.output);
    }
    if let Some(refusal) = plan.refusal() {
        return Err(ApiError::new(
            if plan
                .checks
                .iter()
                .any(|c| c.level == berth_api::CheckLevel::BadInput)
            {
                ErrorCode::InvalidInput
            } else {
                ErrorCode::Conflict
            },
            refusal.to_string(),
        ));
    }
    if args.dry_run {
        return Ok(());
    }
    let shown = Shown::new();
    let result = api.run_transfer(&input, &|e| shown.show(e)).await;
    shown.finish();
    let done = result?;
    let document = serde_json::json!({ "plan": plan, "transfer": done });
    if output::structured(&document, global.output).is_none() {
        print_done(&done);
    }
    Ok(())
}

pub(crate) fn print_done(t: &TransferInfo) {
    output::line(format!(
        "transfer {} {}: {} → {}",
        t.id, t.status, t.source, t.target
    ));
    if t.bytes > 0 {
        output::line(format!(
            "  {} bytes, stream sha256 {} (sent) = {} (received)",
            t.bytes,
            t.source_sha256.as_deref().unwrap_or("-"),
            t.target_sha256.as_deref().unwrap_or("-")
        ));
    }
    if let Some(d) = &t.target_digest {
        output::line(format!("  verify digest {d} on both sides"));
    }
}

pub(crate) fn list(api: &Api, global: &Global, limit: u32) -> Result<(), ApiError> {
    let all = api.transfers(limit)?;
    if output::structured(&all, global.output).is_some() {
        return Ok(());
    }
    let mut table = output::table(&[
        "ID", "KIND", "STATUS", "SOURCE", "TARGET", "BYTES", "STARTED",
    ]);
    for t in &all {
        let status = if t.needs_decision && t.status == "running" {
            "interrupted".to_owned()
        } else {
            t.status.clone()
        };
        table.add_row(vec![
            t.id.to_string(),
            t.kind.clone(),
            status,
            t.source.clone(),
            t.target.clone(),
            t.bytes.to_string(),
            output::local_time(&t.started_at),
        ]);
    }
    output::line(table);
    Ok(())
}

pub(crate) async fn act(
    api: &Api,
    global: &Global,
    action: TransferAction,
) -> Result<(), ApiError> {
    let shown = Shown::new();
    let result = match action {
        TransferAction::Resume { id } => api.resume_transfer(id, &|e| shown.show(e)).await,
        TransferAction::Abort { id } => api.abort_transfer(id, &|e| shown.show(e)).await,
    };
    shown.finish();
    let done = result?;
    if output::structured(&done, global.output).is_none() {
        print_done(&done);
    }
    Ok(())
}

/// Interrupted or failed transfers, reported at the start of every command.
pub(crate) fn report_interrupted(api: &Api) {
    for t in api.interrupted_transfers().unwrap_or_default() {
        let fence = if t.fenced {
            format!(
                " (the source is fenced: `berth transfer abort {}` or `berth start` lifts it)",
                t.id
            )
        } else {
            String::new()
        };
        output::warn(&format!(
            "the {} {} of {} → {} started at {} did not finish{fence}; `berth transfer resume {}` continues it, `berth transfer abort {}` undoes it",
            t.kind, t.id, t.source, t.target, t.started_at, t.id, t.id
        ));
    }
}
