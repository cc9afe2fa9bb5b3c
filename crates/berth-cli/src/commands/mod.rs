//! One module per command; each turns flags into one `berth-api` call and prints the result.

mod adopt;
mod catalog;
mod connect;
mod contexts;
pub(crate) mod credentials;
mod history;
mod install;
mod logs;
mod ls;
mod metrics;
mod power;
mod progress;
mod reconfigure;
mod recover;
mod restart;
mod shell;
pub(crate) mod standby;
mod standby_watch;
mod status;
pub(crate) mod transfer;
mod uninstall;
mod version;

use std::process::ExitCode;

use berth_api::{Api, ApiError};

use crate::cli::{Cli, Command, Global};

/// Warns about operations whose process ended before they finished (once: they are marked failed).
fn report_interrupted(api: &Api) {
    for r in api.interrupted_operations().unwrap_or_default() {
        crate::output::warn(&format!(
            "the {} of {} in {}/{} started at {} by {} was interrupted and is marked failed; `berth recover {}` resumes it, `berth recover {} --rollback` undoes it",
            r.operation, r.name, r.context, r.namespace, r.started_at, r.os_user, r.name, r.name
        ));
    }
    transfer::report_interrupted(api);
}

/// Which instance the global flags and a name point at.
pub(crate) fn instance_ref(global: &Global, name: &str) -> berth_api::InstanceRef {
    berth_api::InstanceRef {
        name: name.to_owned(),
        context: global.context.clone(),
        namespace: global.namespace.clone(),
    }
}

/// Listens for Ctrl-C and SIGTERM from the moment it is called, and resolves on the first: the end
/// of `logs -f` and `connect`. Call it before printing anything a caller may react to, so a signal
/// sent right after the output is caught rather than killing the process.
pub(crate) fn interrupted() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let streams = {
        use tokio::signal::unix::{SignalKind, signal};
        signal(SignalKind::interrupt())
            .and_then(|int| Ok((int, signal(SignalKind::terminate())?)))
            .ok()
    };
    async move {
        #[cfg(unix)]
        if let Some((mut int, mut term)) = streams {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Runs the command; the process's exit code when it succeeds (`berth shell` passes its
/// command's on).
pub(crate) async fn run(cli: Cli) -> Result<ExitCode, ApiError> {
    // commands that need nothing from the home: they neither open nor create its database
    let early = match &cli.command {
        Command::Version => Some(version::run(&cli.global)),
        Command::Completions { shell } => Some(crate::completion::print_script(*shell)),
        Command::Manpages { dir } => Some(crate::completion::write_man_pages(dir)),
        _ => None,
    };
    if let Some(done) = early {
        return done.map(|()| ExitCode::SUCCESS);
    }
    let api = Api::open(cli.global.home.as_deref())?;
    report_interrupted(&api);
    let done = match cli.command {
        Command::Contexts(args) => contexts::run(&api, &cli.global, args).await,
        Command::Catalog(action) => catalog::run(&api, &cli.global, action),
        Command::Version | Command::Completions { .. } | Command::Manpages { .. } => Ok(()),
        Command::Install(args) => install::run(&api, &cli.global, args).await,
        Command::Ls {
            all_contexts,
            context_timeout,
        } => ls::run(&api, &cli.global, all_contexts, context_timeout).await,
        Command::Status { name } => status::run(&api, &cli.global, &name).await,
        Command::Stop { name } => power::run(&api, &cli.global, &name, power::Power::Stop).await,
        Command::Start { name } => power::run(&api, &cli.global, &name, power::Power::Start).await,
        Command::Uninstall {
            name,
            delete_data,
            yes,
        } => uninstall::run(&api, &cli.global, &name, delete_data, yes).await,
        Command::Restart { name } => restart::run(&api, &cli.global, &name).await,
        Command::Config(args) => reconfigure::change(&api, &cli.global, args, false).await,
        Command::Upgrade(args) => reconfigure::change(&api, &cli.global, args, true).await,
        Command::Rollback {
            name,
            revision,
            no_wait,
            yes,
        } => reconfigure::rollback(&api, &cli.global, &name, revision, no_wait, yes).await,
        Command::Adopt { name } => adopt::run(&api, &cli.global, &name).await,
        Command::Recover(args) => recover::run(&api, &cli.global, args).await,
        Command::History { name, limit } => {
            history::run(&api, &cli.global, name.as_deref(), limit).await
        }
        Command::Logs(args) => logs::run(&api, &cli.global, args).await,
        Command::Metrics(args) => metrics::run(&api, &cli.global, args).await,
        Command::Connect {
            name,
            port,
            show_password,
        } => connect::run(&api, &cli.global, &name, port, show_password).await,
        Command::Shell {
            name,
            client,
            pod,
            container,
            command,
        } => {
            let input = berth_api::ShellInput {
                client,
                pod,
                container,
                command,
                tty: false,
            };
            return shell::run(&api, &cli.global, &name, input).await;
        }
        Command::Move(args) => transfer::run(&api, &cli.global, "move", args).await,
        Command::Copy(args) => transfer::run(&api, &cli.global, "copy", args).await,
        Command::Transfers { limit } => transfer::list(&api, &cli.global, limit),
        Command::Transfer(action) => transfer::act(&api, &cli.global, action).await,
        Command::Credentials(action) => credentials::run(&api, &cli.global, action).await,
        Command::Standby(action) => standby::run(&api, &cli.global, action).await,
    };
    done.map(|()| ExitCode::SUCCESS)
}
