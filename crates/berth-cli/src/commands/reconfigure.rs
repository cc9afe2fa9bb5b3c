//! `berth config NAME --set k=v`, `berth upgrade NAME --version V`, `berth rollback NAME`

use berth_api::{Api, ApiError, ErrorCode, ReconfigureInput, ReconfigureResult, RevisionOperation};

use crate::cli::{ChangeArgs, Global};
use crate::commands::instance_ref;
use crate::commands::progress::Reporter;
use crate::output;

pub(crate) async fn change(
    api: &Api,
    global: &Global,
    args: ChangeArgs,
    upgrade: bool,
) -> Result<(), ApiError> {
    if upgrade && args.version.is_none() {
        return Err(ApiError::new(
            ErrorCode::InvalidInput,
            "`berth upgrade` needs --version",
        ));
    }
    let input = ReconfigureInput {
        instance: instance_ref(global, &args.name),
        set: args.set,
        version: args.version,
        diff_only: args.diff,
        force_conflicts: args.force_conflicts,
        no_wait: args.no_wait,
        timeout_seconds: Some(args.timeout),
        ..ReconfigureInput::default()
    };
    run(api, global, input).await
}

pub(crate) async fn rollback(
    api: &Api,
    global: &Global,
    name: &str,
    revision: Option<u32>,
    no_wait: bool,
) -> Result<(), ApiError> {
    let input = ReconfigureInput {
        instance: instance_ref(global, name),
        rollback: true,
        rollback_to: revision,
        no_wait,
        ..ReconfigureInput::default()
    };
    run(api, global, input).await
}

async fn run(api: &Api, global: &Global, input: ReconfigureInput) -> Result<(), ApiError> {
    let reporter = Reporter::new();
    let result = api
        .reconfigure_instance(&input, &|e| reporter.show(e))
        .await;
    reporter.finish();
    let result = result?;
    if output::structured(&result, global.output).is_some() {
        return Ok(());
    }
    print_diff(&result);
    match result.revision {
        Some(r) => output::line(format!(
            "{} {} to version {} (revision {r})",
            result.name,
            match result.operation {
                RevisionOperation::Upgrade => "upgraded",
                RevisionOperation::Rollback => "rolled back",
                _ => "reconfigured",
            },
            result.version
        )),
        None => output::line("(diff only: nothing was changed)"),
    }
    Ok(())
}

fn print_diff(result: &ReconfigureResult) {
    if result.changes.is_empty() {
        output::line("no changes to the live objects");
    }
    for c in &result.changes {
        let mark = match c.change.as_str() {
            "added" => "+",
            "removed" => "-",
            _ => "~",
        };
        output::line(format!("{mark} {}", c.object));
        for f in &c.fields {
            output::line(format!("    {f}"));
        }
    }
}
