//! `berth credentials show NAME [--reveal]`

use berth_api::{Api, ApiError};
use clap::Subcommand;

use crate::cli::Global;
use crate::commands::instance_ref;
use crate::completion::instance_names;
use crate::output;
use clap_complete::engine::ArgValueCandidates;

/// What to do with an instance's credentials.
#[derive(Debug, Subcommand)]
pub(crate) enum CredentialsAction {
    /// List the credentials Berth keeps for an instance (values masked unless --reveal)
    Show {
        /// The instance name
        #[arg(add = ArgValueCandidates::new(instance_names))]
        name: String,
        /// Print the values, read from this machine's keyring
        #[arg(long)]
        reveal: bool,
    },
}

pub(crate) async fn run(
    api: &Api,
    global: &Global,
    action: CredentialsAction,
) -> Result<(), ApiError> {
    let CredentialsAction::Show { name, reveal } = action;
    let credentials = api
        .credentials(&instance_ref(global, &name), reveal)
        .await?;
    if output::structured(&credentials, global.output).is_some() {
        return Ok(());
    }
    if credentials.is_empty() {
        output::line(format!("{name} has no credentials kept by Berth"));
        return Ok(());
    }
    let mut table = output::table(&["key", "user", "value", "what"]);
    for c in &credentials {
        let value = match (&c.value, c.stored) {
            (Some(v), _) => v.clone(),
            (None, true) => "****".to_owned(),
            (None, false) => format!("(not in this keyring: berth adopt {name})"),
        };
        table.add_row([
            c.key.clone(),
            c.user.clone().unwrap_or_default(),
            value,
            c.description.clone(),
        ]);
    }
    output::line(table);
    if !reveal {
        eprintln!("--reveal prints the values");
    }
    Ok(())
}
