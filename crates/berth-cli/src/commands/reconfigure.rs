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
    run(api, global, input, args.yes).await
}

pub(crate) async fn rollback(
    api: &Api,
    global: &Global,
    name: &str,
    revision: Option<u32>,
    no_wait: bool,
    yes: bool,
) -> Result<(), ApiError> {
    let input = ReconfigureInput {
        instance: instance_ref(global, name),
        rollback: true,
        rollback_to: revision,
        no_wait,
        ..ReconfigureInput::default()
    };
    run(api, global, input, yes).await
}

/// On a terminal, without `--yes`: shows what would change (a server-side dry run) and asks.
/// Returns whether the diff was shown; refuses when the answer is no.
async fn confirmed(
    api: &Api,
    global: &Global,
    input: &ReconfigureInput,
    yes: bool,
) -> Result<bool, ApiError> {
    if yes || input.diff_only || global.output != output::Format::Table || !output::can_ask() {
        return Ok(false);
    }
    let preview = ReconfigureInput {
        diff_only: true,
        ..input.clone()
    };
    let diff = api.reconfigure_instance(&preview, &|_| {}).await?;
    print_diff(&diff);
    if !output::ask(&format!("apply these changes to {}?", diff.name)) {
        return Err(ApiError::new(
            ErrorCode::InvalidInput,
            "not confirmed; nothing was changed",
        ));
    }
    Ok(true)
}

async fn run(
    api: &Api,
    global: &Global,
    input: ReconfigureInput,
    yes: bool,
) -> Result<(), ApiError> {
    let shown = confirmed(api, global, &input, yes).await?;
    let reporter = Reporter::new();
    let result = api
        .reconfigure_instance(&input, &|e| reporter.show(e))
        .await;
    reporter.finish();
    let result = result?;
    if output::structured(&result, global.output).is_some() {
        return Ok(());
    }
    if !shown {
        print_diff(&result);
    }
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
