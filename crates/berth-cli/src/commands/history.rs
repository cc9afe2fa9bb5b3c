//! `berth history [NAME]`
//!
//! The history is local, but a name this machine has no history of is checked in the cluster
//! (its record ConfigMap, in the context and namespace in force) so that the answer is the same
//! as every other command's: an instance that is nowhere is `notFound` (exit 1); one that exists
//! in the cluster but was installed from another machine is an empty history plus a hint to
//! `berth adopt` it.

use berth_api::{Api, ApiError};

use crate::cli::Global;
use crate::commands::instance_ref;
use crate::output;

pub(crate) async fn run(
    api: &Api,
    global: &Global,
    name: Option<&str>,
    limit: u32,
) -> Result<(), ApiError> {
    let rows = api.history(
        name,
        global.context.as_deref(),
        global.namespace.as_deref(),
        limit,
    )?;
    if let Some(name) = name
        && rows.is_empty()
    {
        // not in the local history: `status` says whether the cluster has it (a `notFound`
        // error otherwise, which is this command's answer too)
        let found = api.instance_status(&instance_ref(global, name)).await?;
        output::warn(&format!(
            "{name} in {}/{} was installed from another machine and has no history here: `berth adopt {name}` takes it into this machine's history",
            found.context, found.namespace
        ));
    }
    if output::structured(&rows, global.output).is_some() {
        return Ok(());
    }
    let mut table = output::table(&[
        "name",
        "rev",
        "operation",
        "service",
        "version",
        "status",
        "user",
        "started",
        "changes",
        "error",
    ]);
    for r in &rows {
        table.add_row(vec![
            format!("{}/{}/{}", r.context, r.namespace, r.name),
            r.revision.to_string(),
            r.operation.to_string(),
            r.service.clone(),
            r.version.clone(),
            r.status.to_string(),
            r.os_user.clone(),
            output::local_time(&r.started_at),
            r.changes
                .iter()
                .map(|c| {
                    let show = |v: &Option<serde_json::Value>| {
                        v.as_ref().map_or("-".to_owned(), |v| match v {
                            serde_json::Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                    };
                    format!("{}: {} → {}", c.path, show(&c.old), show(&c.new))
                })
                .collect::<Vec<_>>()
                .join("\n"),
            r.error.clone().unwrap_or_default(),
        ]);
    }
    output::line(table);
    Ok(())
}
