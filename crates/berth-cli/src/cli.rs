//! The command line, as clap sees it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
    #[arg(long, global = true, value_name = "NAME")]
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
    /// Show Berth's version, data folder and keyring status
    Version,
}

#[derive(Debug, Subcommand)]
pub(crate) enum CatalogAction {
    /// List the services that can be installed
    List,
    /// Show one service: description, versions, capabilities, parameters
    Show {
        /// The service id (`postgres`)
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
        context: String,
        /// Where it runs; `auto` goes back to the inferred location
        #[arg(long, value_enum)]
        location: LocationArg,
    },
    /// Star a context (or unstar it with --off)
    Favourite {
        /// The context
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
