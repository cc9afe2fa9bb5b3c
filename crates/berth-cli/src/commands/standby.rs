//! `berth standby create|sync|promote|ls|drop`: a stopped, fenced copy of an instance in
//! another context, refreshed by `sync` and switched to by `promote`.

use std::io::{BufRead, IsTerminal, Write};

use berth_api::{Api, ApiError, ErrorCode, StandbyInfo, StandbyInput};
use clap::Subcommand;

use super::transfer::{Shown, print_done};
use crate::cli::Global;
use crate::output;

/// `berth standby ...`
#[derive(Debug, Subcommand)]
pub(crate) enum StandbyAction {
    /// Create a standby of an instance on another context (a consistent copy, kept stopped)
    Create {
        /// The active instance
        name: String,
        /// The context the standby lives in
        #[arg(long, value_name = "CONTEXT")]
        on: String,
        /// The standby's namespace (default: the active's)
        #[arg(long, value_name = "NS")]
        to_namespace: Option<String>,
        /// Create the standby's namespace when it does not exist
        #[arg(long)]
        create_namespace: bool,
        /// Use storage class TO on the standby where the active uses FROM
        #[arg(long, value_name = "FROM=TO")]
        storage_class_map: Vec<String>,
        /// Override a parameter on the standby (path=value)
        #[arg(long, value_name = "K=V")]
        set: Vec<String>,
    },
    /// Refresh the standby from the active (online and consistent; the active keeps serving)
    Sync {
        /// The active or standby instance
        name: String,
    },
    /// Make the standby the active; the old active becomes the standby
    Promote {
        /// The active or standby instance
        name: String,
        /// The active's cluster is unreachable: start the standby from its last sync
        #[arg(long)]
        force: bool,
        /// Do not ask (required with --force when not on a terminal)
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// List active–standby pairs with their data age
    Ls,
    /// End a pairing (the standby is kept unless --delete-data)
    Drop {
        /// The active or standby instance
        name: String,
        /// Uninstall the standby with its data (never the active)
        #[arg(long)]
        delete_data: bool,
    },
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidInput, message.into())
}

/// `3 h 12 min`, `45 s`.
fn age(secs: Option<i64>) -> String {
    match secs {
        None => "unknown".into(),
        Some(s) if s < 120 => format!("{s} s"),
        Some(s) if s < 7200 => format!("{} min", s / 60),
        Some(s) if s < 172_800 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        Some(s) => format!("{} days", s / 86_400),
    }
}

fn confirm_forced(p: &StandbyInfo, yes: bool) -> Result<(), ApiError> {
    let what = format!(
        "the standby {} holds the data of {} (as of {}, {} old): writes to {} after that are not on it",
        p.standby,
        p.active,
        p.data_as_of.as_deref().unwrap_or("unknown"),
        age(p.data_age_secs),
        p.active
    );
    output::warn(&what);
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(bad(
            "promote --force starts the standby from its last sync: pass --yes to confirm",
        ));
    }
    eprint!("promote {} with this data? [y/N] ", p.standby);
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    if !matches!(answer.trim(), "y" | "Y" | "yes") {
        return Err(bad("not confirmed; nothing was changed"));
    }
    Ok(())
}

pub(crate) async fn run(api: &Api, global: &Global, action: StandbyAction) -> Result<(), ApiError> {
    let context = global.context.as_deref();
    if let StandbyAction::Ls = action {
        return list(api, global).await;
    }
    if let StandbyAction::Drop { name, delete_data } = &action {
        let p = api.drop_standby(name, context, *delete_data).await?;
        if output::structured(&p, global.output).is_none() {
            output::line(format!(
                "{} is no longer the standby of {}{}",
                p.standby,
                p.active,
                if *delete_data {
                    " (deleted with its data)"
                } else {
                    ""
                }
            ));
        }
        return Ok(());
    }
    let shown = Shown::new();
    let result = match action {
        StandbyAction::Create {
            name,
            on,
            to_namespace,
            create_namespace,
            storage_class_map,
            set,
        } => {
            let mut map = Vec::new();
            for m in &storage_class_map {
                let (from, to) = m
                    .split_once('=')
                    .filter(|(a, b)| !a.is_empty() && !b.is_empty())
                    .ok_or_else(|| bad(format!("--storage-class-map {m:?}: expected FROM=TO")))?;
                map.push((from.to_owned(), to.to_owned()));
            }
            let input = StandbyInput {
                context: global.context.clone(),
                on,
                options: berth_api::TransferOptions {
                    instance: name,
                    namespace: global.namespace.clone(),
                    to_namespace,
                    create_namespace,
                    storage_class_map: map,
                    set,
                    ..Default::default()
                },
            };
            api.create_standby(&input, &|e| shown.show(e)).await
        }
        StandbyAction::Sync { name } => api.sync_standby(&name, context, &|e| shown.show(e)).await,
        StandbyAction::Promote { name, force, yes } => {
            if force {
                confirm_forced(&api.standby_of(&name, context)?, yes)?;
            }
            api.promote_standby(&name, context, force, &|e| shown.show(e))
                .await
        }
        StandbyAction::Ls | StandbyAction::Drop { .. } => unreachable!("handled above"),
    };
    shown.finish();
    let done = result?;
    if output::structured(&done, global.output).is_none() {
        print_done(&done);
    }
    Ok(())
}

async fn list(api: &Api, global: &Global) -> Result<(), ApiError> {
    let all = api.standbys().await?;
    if output::structured(&all, global.output).is_some() {
        return Ok(());
    }
    let mut table = output::table(&["ACTIVE", "STANDBY", "SERVICE", "DATA AGE", "STATE"]);
    for p in &all {
        table.add_row(vec![
            p.active.clone(),
            p.standby.clone(),
            p.definition.clone(),
            age(p.data_age_secs),
            p.state.clone(),
        ]);
    }
    output::line(table);
    Ok(())
}
