//! `berth logs NAME [-f] [--pod P] [--since D] [--tail N]`

use berth_api::{Api, ApiError, CancellationToken, InstanceLogLine, LogsInput};

use crate::cli::{Global, LogsArgs};
use crate::commands::instance_ref;
use crate::output::{self, Format};

pub(crate) async fn run(api: &Api, global: &Global, args: LogsArgs) -> Result<(), ApiError> {
    let input = LogsInput {
        instance: instance_ref(global, &args.name),
        pod: args.pod,
        since_seconds: args.since.map(|s| u32::try_from(s).unwrap_or(u32::MAX)),
        tail: args.tail,
        follow: args.follow,
    };
    let cancel = CancellationToken::new();
    let on_signal = cancel.clone();
    // Ctrl-C (or SIGTERM) ends a followed stream cleanly
    let interrupted = crate::commands::interrupted();
    let signals = tokio::spawn(async move {
        interrupted.await;
        on_signal.cancel();
    });
    let format = global.output;
    let sink = move |line: InstanceLogLine| print(&line, format);
    let result = api.instance_logs(&input, &sink, cancel).await;
    signals.abort();
    result
}

fn print(line: &InstanceLogLine, format: Format) {
    match format {
        // one JSON object per line, so a script can read the stream as it comes
        Format::Json => match serde_json::to_string(line) {
            Ok(text) => output::line(text),
            Err(e) => output::warn(&format!("cannot encode a log line: {e}")),
        },
        Format::Yaml => output::yaml(&[line]),
        Format::Table => output::line(format!("[{}] {}", line.prefix, line.line)),
    }
}
