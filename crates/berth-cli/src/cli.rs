//! The command line, as clap sees it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::engine::ArgValueCandidates;

use crate::completion::{Shell, context_names, instance_names, service_ids};
use crate::output::Format;

/// Run open-source services on any Kubernetes cluster.
#[derive(Debug, Parser)]
#[command(name = "berth", version, about)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: Global,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Flags every command takes.
#[derive(Debug, Args)]
pub(crate) struct Global {
    /// Berth's data folder (default: BERTH_HOME, else the platform data folder)
    #[arg(long, global = true, env = "BERTH_HOME", value_name = "DIR")]
    pub(crate) home: Option<PathBuf>,
    /// Output format
    #[arg(short, long, global = true, value_enum, default_value_t = Format::Table)]
    pub(crate) output: Format,
    /// The kubeconfig context to act on (default: the current context)
    #[arg(long, global = true, value_name = "NAME", add = ArgValueCandidates::new(context_names))]
    pub(crate) context: Option<String>,
    /// The namespace to act on (default: the context's namespace)
    #[arg(short = 'n', long, global = true, value_name = "NAME")]
    pub(crate) namespace: Option<String>,
    /// More logging on stderr (-v info, -vv debug, -vvv trace)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List kubeconfig contexts with their location and reachability
    Contexts(ContextsArgs),
    /// Browse the service catalog, check definitions, preview what a service renders to
    #[command(subcommand)]
    Catalog(CatalogAction),
    /// Show Berth's version, build, data folder and keyring status (creates nothing)
    Version,
    /// Print the shell completion script (`source <(berth completions bash)`)
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Write man pages (berth.1 and one per subcommand) into a folder
    #[command(hide = true)]
    Manpages {
        /// The folder
        dir: PathBuf,
    },
    /// Install a service from the catalog into a cluster
    Install(InstallArgs),
    /// List installed services with their health
    #[command(alias = "list")]
    Ls {
        /// Every kubeconfig context, queried concurrently
        #[arg(long)]
        all_contexts: bool,
        /// How long each context may take to answer before it is shown Unreachable (`3s`, `500ms`)
        #[arg(long, default_value = "3s", value_parser = parse_millis)]
        context_timeout: u64,
    },
    /// Show one installed service: health, version, endpoint, pods
    Status {
        /// The instance name
        #[arg(add = ArgValueCandidates::new(instance_names))]
        name: String,
    },
    /// Stop a service: scale to zero, keep its data
    Stop {
        /// The instance name
        #[arg(add = ArgValueCandidates::new(instance_names))]
        name: String,
    },
    /// Start a stopped service exactly as it ran before
    Start {
        /// The instance name
        #[arg(add = ArgValueCandidates::new(instance_names))]
        name: String,
    },
    /// Remove a service (its volumes and credentials stay unless --delete-data)
    Uninstall {
        /// The instance name
        #[arg(add = ArgValueCandidates::new(instance_names))]
        name: String,
        /// Also delete the volumes (PVCs) and the stored credentials
        #[arg(long)]
        delete_data: bool,
        /// Do not ask for confirmation
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Restart every pod of a service (rolling) and wait until it is ready
    Restart {
        /// The instance name
        #[arg(add = ArgValueCandidates::new(instance_names))]
        name: String,
    },
    /// Change a service's parameters: shows the diff, applies, waits
    Config(ChangeArgs),
    /// Move a service to another version in place: shows the diff, applies, waits
    Upgrade(ChangeArgs),
    /// Go back to an earlier revision's parameters and version (a new revision)
    Rollback {
        /// The instance name
        #[arg(add = ArgValueCandidates::new(instance_names))]
        name: String,
        /// The revision to go back to (default: the one before the current)
        #[arg(long)]
        revision: Option<u32>,
        /// Return once applied instead of waiting until ready
        #[arg(long)]
        no_wait: bool,
        /// Apply without showing the changes and asking first (on a terminal)
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Take a service installed from another machine into this machine's history
    Adopt {
        /// The instance name
        #[arg(add = ArgValueCandidates::new(instance_names))]
        name: String,
    },
    /// Resume (or with --rollback undo) an interrupted or failed operation; without NAME, list them
    Recover(RecoverArgs),
    /// The history of operations (of one service, or all), with the parameters each changed
    History {
        /// The instance name
        #[arg(add = ArgValueCandidates::new(instance_names))]
        name: Option<String>,
        /// At most this many entries
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Show the logs of every pod of a service, merged and prefixed with the pod
    Logs(LogsArgs),
    /// Show CPU and memory per pod with requests and limits; --since the history kept, --watch more
    Metrics(MetricsArgs),
    /// Forward a free local port to a service and print its connection URI (Ctrl-C ends it)
    Connect {
        /// The instance name
        #[arg(add = ArgValueCandidates::new(instance_names))]
        name: String,
        /// The local port (default: a free one)
        #[arg(long, value_name = "PORT")]
        port: Option<u16>,
        /// Put the password into the printed URI (masked as **** otherwise)
        #[arg(long)]
        show_password: bool,
    },
    /// Open a shell, or the engine's own client (--client), in a pod of a service
    Shell {
        /// The instance name
        #[arg(add = ArgValueCandidates::new(instance_names))]
        name: String,
        /// Start the engine's client (psql, mariadb, redis-cli, mongosh...) logged in
        #[arg(long)]
        client: bool,
        /// The pod (default: the client's, else the first running pod)
        #[arg(long, value_name = "POD")]
        pod: Option<String>,
        /// The container (default: the client's, else the pod's first)
        #[arg(long, value_name = "NAME")]
        container: Option<String>,
        /// The command to run instead (after `--`)
        #[arg(last = true, value_name = "COMMAND")]
        command: Vec<String>,
    },
    /// Move a service with its data, credentials and settings to another context
    Move(crate::commands::transfer::TransferArgs),
    /// Copy a service with its data to another context (the source keeps serving)
    Copy(crate::commands::transfer::TransferArgs),
    /// List transfers (moves and copies) from the journal
    Transfers {
        /// How many, newest first
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Resume or abort a transfer
    #[command(subcommand)]
    Transfer(crate::commands::transfer::TransferAction),
    /// Show an instance's credentials (values only with --reveal)
    #[command(subcommand)]
    Credentials(crate::commands::credentials::CredentialsAction),
    /// Keep a stopped standby of an instance in another context; sync, promote, list, drop
    #[command(subcommand)]
    Standby(crate::commands::standby::StandbyAction),
}

#[derive(Debug, Args)]
pub(crate) struct LogsArgs {
    /// The instance name
    #[arg(add = ArgValueCandidates::new(instance_names))]
    pub(crate) name: String,
    /// Keep streaming new lines (and pods) until Ctrl-C
    #[arg(short, long)]
    pub(crate) follow: bool,
    /// Only this pod
    #[arg(long, value_name = "POD")]
    pub(crate) pod: Option<String>,
    /// Only lines newer than this (`90s`, `5m`, `1h`)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) since: Option<u64>,
    /// Only the last N lines of each container
    #[arg(long, value_name = "N")]
    pub(crate) tail: Option<u32>,
}

#[derive(Debug, Args)]
pub(crate) struct MetricsArgs {
    /// The instance name
    #[arg(add = ArgValueCandidates::new(instance_names))]
    pub(crate) name: String,
    /// Also summarise this range: `15m`, `1h`, `24h` (the samples kept), up to `30d` from the cluster's Prometheus
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) since: Option<u64>,
    /// Take a sample every --interval until Ctrl-C (each is kept for the history)
    #[arg(short, long)]
    pub(crate) watch: bool,
    /// How often --watch samples (`5s`, `500ms`)
    #[arg(long, default_value = "5s", value_parser = parse_millis, requires = "watch")]
    pub(crate) interval: u64,
}

#[derive(Debug, Args)]
pub(crate) struct RecoverArgs {
    /// The instance name (none: list what needs recovering)
    #[arg(add = ArgValueCandidates::new(instance_names))]
    pub(crate) name: Option<String>,
    /// Go back to the last successful revision (an interrupted first install is removed)
    #[arg(long)]
    pub(crate) rollback: bool,
    /// Return once applied instead of waiting until ready
    #[arg(long)]
    pub(crate) no_wait: bool,
    /// How long to wait until ready (`90s`, `5m`, `1h`)
    #[arg(long, default_value = "5m", value_parser = parse_duration)]
    pub(crate) timeout: u64,
}

#[derive(Debug, Args)]
pub(crate) struct ChangeArgs {
    /// The instance name
    #[arg(add = ArgValueCandidates::new(instance_names))]
    pub(crate) name: String,
    /// Set a parameter: `replicas=3`, `resources.memory=2Gi` (repeatable)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub(crate) set: Vec<String>,
    /// The version to move to
    #[arg(long, value_name = "VERSION")]
    pub(crate) version: Option<String>,
    /// Only show what would change
    #[arg(long)]
    pub(crate) diff: bool,
    /// Apply without showing the changes and asking first (on a terminal)
    #[arg(long, short = 'y')]
    pub(crate) yes: bool,
    /// Take over fields another tool manages (after a field-manager conflict)
    #[arg(long)]
    pub(crate) force_conflicts: bool,
    /// Return once applied instead of waiting until ready
    #[arg(long)]
    pub(crate) no_wait: bool,
    /// How long to wait until ready (`90s`, `5m`, `1h`)
    #[arg(long, default_value = "5m", value_parser = parse_duration)]
    pub(crate) timeout: u64,
}

#[derive(Debug, Args)]
pub(crate) struct InstallArgs {
    /// The service id (`postgres`)
    #[arg(add = ArgValueCandidates::new(service_ids))]
    pub(crate) service: String,
    /// The instance name (default: the service id)
    #[arg(long, value_name = "NAME")]
    pub(crate) name: Option<String>,
    /// Create the namespace when it does not exist
    #[arg(long)]
    pub(crate) create_namespace: bool,
    /// The service version (default: the catalog's default)
    #[arg(long, value_name = "VERSION")]
    pub(crate) version: Option<String>,
    /// Set a parameter: `replicas=3`, `resources.memory=2Gi` (repeatable; after --values)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub(crate) set: Vec<String>,
    /// Parameters from a YAML or JSON file
    #[arg(short = 'f', long, value_name = "FILE")]
    pub(crate) values: Option<PathBuf>,
    /// Return once everything is applied instead of waiting until ready
    #[arg(long)]
    pub(crate) no_wait: bool,
    /// How long to wait until ready (`90s`, `5m`, `1h`)
    #[arg(long, default_value = "5m", value_parser = parse_duration)]
    pub(crate) timeout: u64,
    /// Remove what was created when the install fails
    #[arg(long)]
    pub(crate) atomic: bool,
    /// Print what would be applied (checked by the API server) and change nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
}

/// `500ms`, `3s`, `1m` → milliseconds.
fn parse_millis(text: &str) -> Result<u64, String> {
    match text.trim().strip_suffix("ms") {
        Some(ms) => ms
            .parse()
            .map_err(|_| format!("{text:?} is not a duration such as 500ms, 3s or 1m")),
        None => parse_duration(text).map(|s| s * 1000),
    }
}

/// `90`, `90s`, `5m`, `1h` → seconds.
pub(crate) fn parse_duration(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => text.split_at(i),
        None => (text, "s"),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 90s, 5m or 1h"))?;
    match unit {
        "s" => Ok(n),
        "m" => Ok(n * 60),
        "h" => Ok(n * 3600),
        "d" => Ok(n * 86_400),
        _ => Err(format!(
            "{text:?} is not a duration such as 90s, 5m, 1h or 7d"
        )),
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum CatalogAction {
    /// List the services that can be installed
    List,
    /// Show one service: description, versions, capabilities, parameters
    Show {
        /// The service id (`postgres`)
        #[arg(add = ArgValueCandidates::new(service_ids))]
        service: String,
    },
    /// Check catalog definitions (the built-in catalog, a catalog folder or one definition)
    Lint {
        /// The folder to check (default: the built-in catalog)
        dir: Option<PathBuf>,
    },
    /// Render a service's Kubernetes objects without touching a cluster
    Render(RenderArgs),
}

#[derive(Debug, Args)]
pub(crate) struct RenderArgs {
    /// The service id (`postgres`)
    #[arg(add = ArgValueCandidates::new(service_ids))]
    pub(crate) service: String,
    /// The instance name (default: the service id)
    #[arg(long, value_name = "NAME")]
    pub(crate) name: Option<String>,
    /// The service version (default: the catalog's default)
    #[arg(long, value_name = "VERSION")]
    pub(crate) version: Option<String>,
    /// Set a parameter: `replicas=3`, `resources.memory=2Gi` (repeatable; after --values)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub(crate) set: Vec<String>,
    /// Parameters from a YAML or JSON file
    #[arg(short = 'f', long, value_name = "FILE")]
    pub(crate) values: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ContextsArgs {
    /// Do not probe the clusters (no network, instant)
    #[arg(long)]
    pub(crate) no_probe: bool,
    #[command(subcommand)]
    pub(crate) action: Option<ContextsAction>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ContextsAction {
    /// Set where a context's cluster runs (overrides the inferred location)
    Tag {
        /// The context
        #[arg(add = ArgValueCandidates::new(context_names))]
        context: String,
        /// Where it runs; `auto` goes back to the inferred location
        #[arg(long, value_enum)]
        location: LocationArg,
    },
    /// Star a context (or unstar it with --off)
    Favourite {
        /// The context
        #[arg(add = ArgValueCandidates::new(context_names))]
        context: String,
        /// Unstar instead
        #[arg(long)]
        off: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum LocationArg {
    Laptop,
    Cloud,
    Private,
    Auto,
}

impl LocationArg {
    pub(crate) fn to_api(self) -> Option<berth_api::Location> {
        match self {
            LocationArg::Laptop => Some(berth_api::Location::Laptop),
            LocationArg::Cloud => Some(berth_api::Location::Cloud),
            LocationArg::Private => Some(berth_api::Location::Private),
            LocationArg::Auto => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
