//! `berth stop NAME`

use berth_api::{Api, ApiError};

use crate::cli::Global;
use crate::commands::instance_ref;
use crate::commands::progress::Reporter;
use crate::output;

pub(crate) async fn run(api: &Api, global: &Global, name: &str) -> Result<(), ApiError> {
    let reporter = Reporter::new();
    let result = api
        .stop_instance(&instance_ref(global, name), &|e| reporter.show(e))
        .await;
    reporter.finish();
    let result = result?;
    if output::structured(&result, global.output).is_some() {
        return Ok(());
    }
    if !result.changed {
        output::line(format!("{} is already stopped", result.name));
        return Ok(());
    }
    for w in &result.workloads {
        output::line(format!("{} {}: {} replicas", w.kind, w.name, w.replicas));
    }
    output::line(format!(
        "{} stopped (revision {})",
        result.name,
        result.revision.unwrap_or_default()
    ));
    Ok(())
}
