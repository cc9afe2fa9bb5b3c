//! `berth uninstall NAME [--delete-data] [--yes]`

use std::io::{BufRead, IsTerminal, Write};

use berth_api::{Api, ApiError, ErrorCode, UninstallInput};

use crate::cli::Global;
use crate::commands::instance_ref;
use crate::output;

pub(crate) async fn run(
    api: &Api,
    global: &Global,
    name: &str,
    delete_data: bool,
    yes: bool,
) -> Result<(), ApiError> {
    if delete_data && !yes {
        if !std::io::stdin().is_terminal() {
            return Err(ApiError::new(
                ErrorCode::InvalidInput,
                "--delete-data deletes the volumes and credentials for good: pass --yes to confirm",
            ));
        }
        eprint!("delete {name} with its volumes and credentials for good? [y/N] ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            return Err(ApiError::new(
                ErrorCode::InvalidInput,
                "not confirmed; nothing was deleted",
            ));
        }
    }
    let result = api
        .uninstall_instance(&UninstallInput {
            instance: instance_ref(global, name),
            delete_data,
        })
        .await?;
    if output::structured(&result, global.output).is_some() {
        return Ok(());
    }
    output::line(format!(
        "{} uninstalled: {} objects deleted (revision {})",
        result.name,
        result.deleted.len(),
        result.revision
    ));
    if !result.kept_volumes.is_empty() {
        output::line(format!(
            "kept volumes: {} (and the credentials in the keyring); `--delete-data` removes them",
            result.kept_volumes.join(", ")
        ));
    }
    Ok(())
}
