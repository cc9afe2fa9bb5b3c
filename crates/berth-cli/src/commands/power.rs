//! `berth stop NAME` and `berth start NAME`: the same flow in two directions.

use berth_api::{Api, ApiError};

use crate::cli::Global;
use crate::commands::instance_ref;
use crate::commands::progress::Reporter;
use crate::output;

/// Which way to switch a service.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Power {
    /// Scale to zero, keep the data.
    Stop,
    /// Restore what a stop recorded.
    Start,
}

pub(crate) async fn run(
    api: &Api,
    global: &Global,
    name: &str,
    power: Power,
) -> Result<(), ApiError> {
    let reporter = Reporter::new();
    let instance = instance_ref(global, name);
    let progress = |e| reporter.show(e);
    let result = match power {
        Power::Stop => api.stop_instance(&instance, &progress).await,
        Power::Start => api.start_instance(&instance, &progress).await,
    };
    reporter.finish();
    let result = result?;
    if output::structured(&result, global.output).is_some() {
        return Ok(());
    }
    let (state, done) = match power {
        Power::Stop => ("stopped", "stopped"),
        Power::Start => ("running", "started"),
    };
    if !result.changed {
        output::line(format!("{} is already {state}", result.name));
        return Ok(());
    }
    for w in &result.workloads {
        let replicas = format!(
            "{} replica{}",
            w.replicas,
            if w.replicas == 1 { "" } else { "s" }
        );
        output::line(match power {
            Power::Stop => format!("{} {}: scaled to 0 (was {replicas})", w.kind, w.name),
            Power::Start => format!("{} {}: scaled to {replicas}", w.kind, w.name),
        });
    }
    output::line(format!(
        "{} {done} (revision {})",
        result.name,
        result.revision.unwrap_or_default()
    ));
    Ok(())
}
