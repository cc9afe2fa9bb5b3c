//! `berth connect NAME [--port P] [--show-password]`: forwards until Ctrl-C.

use berth_api::{Api, ApiError, PortForwardInput};

use crate::cli::Global;
use crate::commands::instance_ref;
use crate::output;

pub(crate) async fn run(
    api: &Api,
    global: &Global,
    name: &str,
    port: Option<u16>,
    show_password: bool,
) -> Result<(), ApiError> {
    // listening before anything is printed: a Ctrl-C right after the URI still ends it cleanly
    let interrupted = crate::commands::interrupted();
    let session = api
        .start_port_forward(&PortForwardInput {
            instance: instance_ref(global, name),
            port,
        })
        .await?;
    let mut shown = session.clone();
    if show_password && session.has_password {
        shown.uri = api.reveal_connection_uri(&session.id).await?;
    }
    if output::structured(&shown, global.output).is_none() {
        output::line(format!(
            "forwarding {}:{} -> {} port {} (Service {} port {}, {}/{})",
            shown.local_host,
            shown.local_port,
            shown.pod,
            shown.pod_port,
            shown.service,
            shown.service_port,
            shown.context,
            shown.namespace
        ));
        output::line(format!("uri: {}", shown.uri));
        if session.has_password && !show_password {
            output::line("(the password is hidden: --show-password prints it)");
        }
        output::line("Ctrl-C ends the forward");
    }
    interrupted.await;
    api.stop_port_forward(&session.id).await?;
    Ok(())
}
