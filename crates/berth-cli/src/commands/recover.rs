//! `berth recover [NAME] [--rollback]`: without a name, the instances whose last operation was
//! interrupted or failed; with one, resume that operation (or roll back with `--rollback`).

use berth_api::{Api, ApiError, RecoverInput};

use crate::cli::{Global, RecoverArgs};
use crate::commands::instance_ref;
use crate::commands::progress::Reporter;
use crate::output;

pub(crate) async fn run(api: &Api, global: &Global, args: RecoverArgs) -> Result<(), ApiError> {
    let Some(name) = args.name else {
        let rows: Vec<_> = api
            .recoverable_operations()?
            .into_iter()
            .filter(|r| global.context.as_ref().is_none_or(|c| *c == r.context))
            .filter(|r| global.namespace.as_ref().is_none_or(|n| *n == r.namespace))
            .collect();
        if output::structured(&rows, global.output).is_some() {
            return Ok(());
        }
        if rows.is_empty() {
            output::line("nothing to recover");
            return Ok(());
        }
        let mut table = output::table(&["name", "rev", "operation", "started", "error"]);
        for r in &rows {
            table.add_row(vec![
                format!("{}/{}/{}", r.context, r.namespace, r.name),
                r.revision.to_string(),
                r.operation.to_string(),
                r.started_at
                    .get(..19)
                    .unwrap_or(&r.started_at)
                    .replace('T', " "),
                r.error.clone().unwrap_or_default(),
            ]);
        }
        output::line(table);
        output::line("`berth recover NAME` resumes one, `berth recover NAME --rollback` undoes it");
        return Ok(());
    };
    let input = RecoverInput {
        instance: instance_ref(global, &name),
        rollback: args.rollback,
        no_wait: args.no_wait,
        timeout_seconds: Some(args.timeout),
    };
    let reporter = Reporter::new();
    let result = api.recover_instance(&input, &|e| reporter.show(e)).await;
    reporter.finish();
    let result = result?;
    if output::structured(&result, global.output).is_some() {
        return Ok(());
    }
    let what = match result.action.as_str() {
        "resumed" => format!(
            "the {} of revision {} was completed",
            result.from_operation, result.from_revision
        ),
        "rolledBack" => format!(
            "rolled back to revision {}",
            result.target_revision.unwrap_or_default()
        ),
        _ => "everything the interrupted install created was removed".to_owned(),
    };
    output::line(format!(
        "{} recovered: {what} (revision {}){}",
        result.name,
        result.revision,
        if result.ready { ", ready" } else { "" }
    ));
    Ok(())
}
