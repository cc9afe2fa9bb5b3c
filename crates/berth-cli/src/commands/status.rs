//! `berth status NAME`

use berth_api::{Api, ApiError};

use crate::cli::Global;
use crate::commands::instance_ref;
use crate::commands::ls::{age, health};
use crate::output;

pub(crate) async fn run(api: &Api, global: &Global, name: &str) -> Result<(), ApiError> {
    let s = api.instance_status(&instance_ref(global, name)).await?;
    if output::structured(&s, global.output).is_some() {
        return Ok(());
    }
    output::line(format!("name       {}", s.name));
    output::line(format!("service    {} {}", s.service, s.version));
    output::line(format!("context    {}", s.context));
    output::line(format!("namespace  {}", s.namespace));
    output::line(format!("health     {}", health(&s)));
    if s.fenced {
        output::line(format!(
            "fence      up: clients do not reach it; `berth start {}` lifts it",
            s.name
        ));
    }
    if let Some(active) = &s.standby_of {
        output::line(format!("standby of {active}"));
    }
    output::line(format!(
        "pods       {}/{} ready",
        s.pods_ready, s.pods_total
    ));
    output::line(format!(
        "endpoint   {}",
        s.endpoint.clone().unwrap_or_default()
    ));
    output::line(format!("revision   {}", s.revision));
    output::line(format!("age        {}", age(s.created.as_deref())));
    Ok(())
}
