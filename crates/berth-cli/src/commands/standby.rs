//! `berth standby create|sync|promote|ls|drop|watch`: a stopped, fenced copy of an instance in
//! another context, refreshed by `sync` (or on a schedule by `watch`) and switched to by
//! `promote`.

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
    /// Keep standbys fresh: sync each pair whenever its data is older than --every, until
    /// Ctrl-C (nothing is installed: the schedule lives as long as this command)
    Watch {
        /// The pairs to keep fresh, by active or standby name (default: every pair)
        names: Vec<String>,
        /// The most data age a standby may reach (90s, 30m, 1h)
        #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = crate::cli::parse_duration)]
        every: u64,
    },
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
pub(crate) fn age(secs: Option<i64>) -> String {
    match secs {
        None => "unknown".into(),
        Some(s) if s < 120 => format!("{s} s"),
        Some(s) if s < 7200 => format!("{} min", s / 60),
        Some(s) if s < 172_800 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        Some(s) => format!("{} days", s / 86_400),
    }
}

fn confirm_forced(p: &StandbyInfo, yes: bool, terminal: bool) -> Result<(), ApiError> {
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
    if !terminal {
        return Err(bad(
            "promote --force starts the standby from its last sync: pass --yes to confirm",
        ));
    }
    if !output::ask(&format!("promote {} with this data?", p.standby)) {
        return Err(bad("not confirmed; nothing was changed"));
    }
    Ok(())
}

pub(crate) async fn run(api: &Api, global: &Global, action: StandbyAction) -> Result<(), ApiError> {
    let context = global.context.as_deref();
    let shown = Shown::new();
    let result = match action {
        StandbyAction::Ls => return list(api, global).await,
        StandbyAction::Watch { names, every } => {
            return super::standby_watch::run(api, &names, std::time::Duration::from_secs(every))
                .await;
        }
        StandbyAction::Drop { name, delete_data } => {
            return drop_pairing(api, global, &name, delete_data).await;
        }
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
                confirm_forced(&api.standby_of(&name, context)?, yes, output::can_ask())?;
            }
            api.promote_standby(&name, context, force, &|e| shown.show(e))
                .await
        }
    };
    shown.finish();
    let done = result?;
    if output::structured(&done, global.output).is_none() {
        print_done(&done);
    }
    Ok(())
}

async fn drop_pairing(
    api: &Api,
    global: &Global,
    name: &str,
    delete_data: bool,
) -> Result<(), ApiError> {
    let p = api
        .drop_standby(name, global.context.as_deref(), delete_data)
        .await?;
    if output::structured(&p, global.output).is_none() {
        output::line(format!(
            "{} is no longer the standby of {}{}",
            p.standby,
            p.active,
            if delete_data {
                " (deleted with its data)"
            } else {
                ""
            }
        ));
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
            p.state.to_string(),
        ]);
    }
    output::line(table);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use berth_api::StandbyState;

    fn pair() -> StandbyInfo {
        StandbyInfo {
            id: 1,
            definition: "postgres".into(),
            active: "a/default/pg".into(),
            standby: "b/default/pg".into(),
            active_context: "a".into(),
            standby_context: "b".into(),
            data_as_of: Some("2026-01-01T00:00:00Z".into()),
            data_age_secs: Some(5400),
            state: StandbyState::Ready,
            last_error: None,
        }
    }

    #[test]
    fn a_forced_promote_needs_yes_when_not_asked_on_a_terminal() {
        let err = confirm_forced(&pair(), false, false).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert!(err.message.contains("--yes"), "{}", err.message);
        assert!(confirm_forced(&pair(), true, false).is_ok());
    }

    #[test]
    fn data_ages_read_as_people_say_them() {
        assert_eq!(age(Some(45)), "45 s");
        assert_eq!(age(Some(5400)), "90 min");
        assert_eq!(age(Some(3 * 3600 + 720)), "3 h 12 min");
        assert_eq!(age(Some(3 * 86_400)), "3 days");
        assert_eq!(age(None), "unknown");
    }
}
