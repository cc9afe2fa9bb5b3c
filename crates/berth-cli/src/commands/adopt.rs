//! `berth adopt NAME`: take an instance installed from another machine into the local history.

use berth_api::{Api, ApiError};

use crate::cli::Global;
use crate::commands::instance_ref;
use crate::output;

pub(crate) async fn run(api: &Api, global: &Global, name: &str) -> Result<(), ApiError> {
    let result = api.adopt_instance(&instance_ref(global, name)).await?;
    if output::structured(&result, global.output).is_some() {
        return Ok(());
    }
    output::line(format!(
        "{} {} {} in {}/{} adopted into this machine's history (revision {})",
        result.service,
        result.version,
        result.name,
        result.context,
        result.namespace,
        result.revision
    ));
    Ok(())
}
