//! One module per command; each turns flags into one `berth-api` call and prints the result.

mod catalog;
mod contexts;
mod version;

use berth_api::{Api, ApiError};

use crate::cli::{Cli, Command};

pub(crate) async fn run(cli: Cli) -> Result<(), ApiError> {
    let api = Api::open(cli.global.home.as_deref())?;
    match cli.command {
        Command::Contexts(args) => contexts::run(&api, &cli.global, args).await,
        Command::Catalog(action) => catalog::run(&api, &cli.global, action),
        Command::Version => version::run(&api, &cli.global),
    }
}
