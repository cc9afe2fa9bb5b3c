//! `berth restart NAME`

use berth_api::{Api, ApiError};

use crate::cli::Global;
use crate::commands::instance_ref;
use crate::commands::progress::Reporter;
use crate::output;

pub(crate) async fn run(api: &Api, global: &Global, name: &str) -> Result<(), ApiError> {
    let reporter = Reporter::new();
    let result = api
        .restart_instance(&instance_ref(global, name), &|e| reporter.show(e))
        .await;
    reporter.finish();
    let result = result?;
    if output::structured(&result, global.output).is_some() {
        return Ok(());
    }
    output::line(format!(
        "{} restarted (revision {})",
        result.name, result.revision
    ));
    Ok(())
}
