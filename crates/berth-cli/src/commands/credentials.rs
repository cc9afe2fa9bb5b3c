//! `berth credentials show NAME [--reveal]`, `berth credentials rotate NAME [KEY] [--user U]`

use berth_api::{Api, ApiError, RotateCredentialInput};
use clap::Subcommand;

use crate::cli::Global;
use crate::commands::instance_ref;
use crate::commands::progress::Reporter;
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
    /// Set a new generated value for a credential: in the engine, the keyring and the Secret;
    /// the pods restart
    Rotate {
        /// The instance name
        #[arg(add = ArgValueCandidates::new(instance_names))]
        name: String,
        /// The credential key (default: the service's main password, e.g. admin-password or
        /// root-password; with --user, that user's password)
        key: Option<String>,
        /// The extra user (auth.users) whose password to rotate
        #[arg(long)]
        user: Option<String>,
        /// Rotate without asking
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

pub(crate) async fn run(
    api: &Api,
    global: &Global,
    action: CredentialsAction,
) -> Result<(), ApiError> {
    let (name, reveal) = match action {
        CredentialsAction::Show { name, reveal } => (name, reveal),
        CredentialsAction::Rotate {
            name,
            key,
            user,
            yes,
        } => return rotate(api, global, name, key, user, yes).await,
    };
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

async fn rotate(
    api: &Api,
    global: &Global,
    name: String,
    key: Option<String>,
    user: Option<String>,
    yes: bool,
) -> Result<(), ApiError> {
    // no key: the definition's main password, or with --user that user's
    let key = key.unwrap_or_default();
    let mut input = RotateCredentialInput {
        instance: instance_ref(global, &name),
        key,
        user,
        check: true,
    };
    // Validate before asking, and before anything is touched.
    let checked = api.rotate_credential(&input, &|_| {}).await?;
    if !yes && global.output == output::Format::Table && output::can_ask() {
        let question = format!(
            "Rotate {} of {name}? The engine gets a new value and the pods restart.",
            checked.key
        );
        if !output::ask(&question) {
            output::line("nothing changed");
            return Ok(());
        }
    }
    input.check = false;
    let reporter = Reporter::new();
    let result = api.rotate_credential(&input, &|e| reporter.show(e)).await;
    reporter.finish();
    let result = result?;
    if output::structured(&result, global.output).is_some() {
        return Ok(());
    }
    output::line(format!(
        "{} of {} rotated (revision {}); `berth credentials show {} --reveal` prints it",
        result.key,
        result.name,
        result.revision.unwrap_or_default(),
        result.name
    ));
    Ok(())
}
