//! Shell completions and man pages, both generated from the one clap definition in [`crate::cli`].
//!
//! Completions use clap_complete's dynamic engine (`unstable-dynamic`). `berth completions SHELL`
//! prints a small script that registers `berth` itself as the completer: on each Tab the shell
//! runs `COMPLETE=SHELL berth -- WORDS...` and [`answer_shell`] replies from the same definition
//! the parser uses, so subcommands, flags and enum values can never drift from the binary. Values
//! that live outside the definition come from local files only (no network, nothing written):
//! instance names from the history in the Berth home (`BERTH_HOME` or the platform folder; a
//! `--home` on the command line being completed is not seen), context names from the kubeconfig
//! files in force, and service ids from the catalog folders.
//!
//! Why this engine rather than clap_complete's static scripts plus a hand-written `berth
//! __complete` hook: static scripts cannot call back for instance names without patching each
//! shell's generated script, and the hook would re-implement the argument walking clap already
//! does. The engine is behind an "unstable" feature; `Cargo.lock` pins its version, and the
//! script and the binary always come from the same build (the package installs both), which is
//! the pairing the engine requires.

use std::path::Path;

use berth_api::{ApiError, ErrorCode};
use clap::{CommandFactory, ValueEnum};
use clap_complete::engine::CompletionCandidate;
use clap_complete::env::{Bash, CompleteEnv, EnvCompleter, Fish, Zsh};

use crate::cli::Cli;

/// The environment variable that turns a run of `berth` into a completion request.
const REQUEST_VAR: &str = "COMPLETE";

/// A shell `berth completions` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Shell {
    /// Bash 4.4 or newer (bash-completion)
    Bash,
    /// Zsh
    Zsh,
    /// Fish
    Fish,
}

/// Answers a completion request (`COMPLETE=SHELL berth -- WORDS...`) and exits; returns at once
/// when this run is not one. Call before anything is printed.
pub(crate) fn answer_shell() {
    CompleteEnv::with_factory(Cli::command)
        .var(REQUEST_VAR)
        .complete();
}

/// Prints the script that registers completions for `shell` (it calls `berth` from `PATH`).
pub(crate) fn print_script(shell: Shell) -> Result<(), ApiError> {
    let completer: &dyn EnvCompleter = match shell {
        Shell::Bash => &Bash,
        Shell::Zsh => &Zsh,
        Shell::Fish => &Fish,
    };
    let mut script = Vec::new();
    completer
        .write_registration(REQUEST_VAR, "berth", "berth", "berth", &mut script)
        .map_err(|e| internal(format!("cannot write the completion script: {e}")))?;
    crate::output::line(String::from_utf8_lossy(&script).trim_end());
    Ok(())
}

/// Writes `berth.1` and one page per subcommand (`berth-install.1`, `berth-catalog-list.1`) into `dir`.
pub(crate) fn write_man_pages(dir: &Path) -> Result<(), ApiError> {
    std::fs::create_dir_all(dir)
        .and_then(|()| clap_mangen::generate_to(Cli::command(), dir))
        .map_err(|e| {
            internal(format!(
                "cannot write man pages into {}: {e}",
                dir.display()
            ))
        })
}

fn internal(message: String) -> ApiError {
    ApiError::new(ErrorCode::Internal, message)
}

fn candidates(names: Vec<String>) -> Vec<CompletionCandidate> {
    names.into_iter().map(CompletionCandidate::new).collect()
}

/// Instance names in this machine's history.
pub(crate) fn instance_names() -> Vec<CompletionCandidate> {
    candidates(berth_api::known_instance_names(None))
}

/// Context names in the kubeconfig files.
pub(crate) fn context_names() -> Vec<CompletionCandidate> {
    candidates(berth_api::known_context_names())
}

/// Service ids of the catalog.
pub(crate) fn service_ids() -> Vec<CompletionCandidate> {
    candidates(berth_api::known_service_ids())
}
