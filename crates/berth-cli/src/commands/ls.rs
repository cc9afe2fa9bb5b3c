//! `berth ls [--all-contexts]`

use berth_api::{Api, ApiError, HealthState, InstanceSummary};

use crate::cli::Global;
use crate::output;

pub(crate) async fn run(
    api: &Api,
    global: &Global,
    all_contexts: bool,
    context_timeout_ms: u64,
) -> Result<(), ApiError> {
    let list = api
        .list_instances_within(
            global.context.as_deref(),
            all_contexts,
            global.namespace.as_deref(),
            std::time::Duration::from_millis(context_timeout_ms),
        )
        .await?;
    for u in &list.unreachable {
        // the message names the context already
        output::warn(&u.message);
        if let Some(hint) = &u.hint {
            eprintln!("  {hint}");
        }
    }
    if output::structured(&list, global.output).is_some() {
        return Ok(());
    }
    let mut table = output::table(&[
        "context",
        "namespace",
        "name",
        "service",
        "version",
        "health",
        "pods",
        "endpoint",
        "age",
    ]);
    for i in &list.instances {
        table.add_row(vec![
            i.context.clone(),
            i.namespace.clone(),
            match (&i.standby_of, i.in_local_history) {
                (Some(active), _) => format!("{} (standby of {active})", i.name),
                (None, true) => i.name.clone(),
                (None, false) => {
                    format!("{} (not in local history: berth adopt {})", i.name, i.name)
                }
            },
            i.service.clone(),
            i.version.clone(),
            health(i),
            format!("{}/{}", i.pods_ready, i.pods_total),
            i.endpoint.clone().unwrap_or_default(),
            age(i.created.as_deref()),
        ]);
    }
    for u in &list.unreachable {
        let mut row = vec![String::new(); 9];
        row[0] = u.context.clone();
        row[5] = "Unreachable".to_owned();
        table.add_row(row);
    }
    output::line(table);
    Ok(())
}

pub(crate) fn health(i: &InstanceSummary) -> String {
    let word = match i.health {
        HealthState::Ready => "Ready",
        HealthState::Progressing => "Progressing",
        HealthState::Degraded => "Degraded",
        HealthState::Stopped => "Stopped",
        HealthState::Unreachable => "Unreachable",
    };
    let fence = i.fenced.then_some("fenced");
    match (i.reason.as_deref(), fence) {
        (Some(r), Some(f)) => format!("{word} ({r}; {f})"),
        (Some(note), None) | (None, Some(note)) => format!("{word} ({note})"),
        (None, None) => word.to_owned(),
    }
}

/// `45s`, `12m`, `3h`, `2d` since an RFC 3339 time.
pub(crate) fn age(created: Option<&str>) -> String {
    let Some(t) = created.and_then(|c| {
        time::OffsetDateTime::parse(c, &time::format_description::well_known::Rfc3339).ok()
    }) else {
        return String::new();
    };
    let s = (time::OffsetDateTime::now_utc() - t).whole_seconds().max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86400),
    }
}
