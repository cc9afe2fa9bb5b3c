//! `berth version`

use berth_api::{Api, ApiError};

use crate::cli::Global;
use crate::output;

pub(crate) fn run(api: &Api, global: &Global) -> Result<(), ApiError> {
    let info = api.app_info();
    match output::structured(&info, global.output) {
        Some(()) => {}
        None => {
            output::line(format!("berth {}", info.version));
            output::line(format!("home     {}", info.home));
            let keyring = if info.keyring.available {
                format!("{} (available)", info.keyring.backend)
            } else {
                format!(
                    "{} (unavailable: {})",
                    info.keyring.backend,
                    info.keyring.message.as_deref().unwrap_or("unknown reason")
                )
            };
            output::line(format!("keyring  {keyring}"));
        }
    }
    Ok(())
}
