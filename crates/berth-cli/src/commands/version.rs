//! `berth version`: reads nothing from the home and creates nothing, so it works before the
//! first run and on a read-only home.

use berth_api::ApiError;

use crate::cli::Global;
use crate::output;

pub(crate) fn run(global: &Global) -> Result<(), ApiError> {
    let info = berth_api::app_info_at(global.home.as_deref())?;
    match output::structured(&info, global.output) {
        Some(()) => {}
        None => {
            let build = &info.build;
            output::line(format!("berth {}", info.version));
            output::line(format!("commit      {}", build.git_commit));
            output::line(format!("built       {}", build.build_date));
            output::line(format!("target      {}", build.target));
            output::line(format!(
                "kubernetes  {}",
                build.kubernetes_versions.join(", ")
            ));
            output::line(format!("catalog     {}", build.catalog_version));
            output::line(format!("home        {}", info.home));
            let keyring = if info.keyring.available {
                format!("{} (available)", info.keyring.backend)
            } else {
                format!(
                    "{} (unavailable: {})",
                    info.keyring.backend,
                    info.keyring.message.as_deref().unwrap_or("unknown reason")
                )
            };
            output::line(format!("keyring     {keyring}"));
        }
    }
    Ok(())
}
