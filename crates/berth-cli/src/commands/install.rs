//! `berth install SERVICE`

use berth_api::{Api, ApiError, InstallInput};

use crate::cli::{Global, InstallArgs};
use crate::commands::catalog::read_values;
use crate::commands::progress::Reporter;
use crate::output;

pub(crate) async fn run(api: &Api, global: &Global, args: InstallArgs) -> Result<(), ApiError> {
    let input = InstallInput {
        service: args.service,
        name: args.name,
        context: global.context.clone(),
        namespace: global.namespace.clone(),
        create_namespace: args.create_namespace,
        version: args.version,
        values: read_values(&args.values)?,
        set: args.set,
        no_wait: args.no_wait,
        timeout_seconds: Some(args.timeout),
        atomic: args.atomic,
        dry_run: args.dry_run,
    };
    let reporter = Reporter::new();
    let result = api.install(&input, &|e| reporter.show(e)).await;
    reporter.finish();
    let result = result?;
    if output::structured(&result, global.output).is_some() {
        return Ok(());
    }
    if result.dry_run {
        let docs: Vec<String> = result
            .objects
            .iter()
            .filter_map(|o| serde_yaml::to_string(o).ok())
            .collect();
        output::line(format!("---\n{}", docs.join("---\n").trim_end()));
        eprintln!(
            "dry run: the API server accepted {} objects; nothing was changed",
            result.objects.len()
        );
        return Ok(());
    }
    let state = if result.ready { "ready" } else { "applied" };
    output::line(format!(
        "{} {} {} installed in {}/{} (revision {}), {state}",
        result.service,
        result.version,
        result.name,
        result.context,
        result.namespace,
        result.revision
    ));
    Ok(())
}
