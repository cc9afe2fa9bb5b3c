//! `berth`: run open-source services on any Kubernetes cluster, from the command line.
//!
//! Every command is a thin layer over `berth-api`, the same surface the desktop app uses: parse
//! flags, call one API function, print a table (default) or stable JSON (`-o json`).
//! Exit codes: 0 success, 1 the operation failed (an unknown instance, pod or context included:
//! `notFound`), 2 usage error (bad flags or values: `invalidInput`).
//! Logging goes to stderr: `-v` (info), `-vv` (debug), `-vvv` (trace), or `RUST_LOG`.

mod cli;
mod commands;
mod completion;
mod output;

use std::process::ExitCode;

use berth_api::{ApiError, ErrorCode};
use clap::Parser;

fn main() -> ExitCode {
    completion::answer_shell();
    let cli = cli::Cli::parse();
    init_logging(cli.global.verbose);
    // before the runtime's threads start (see the function)
    output::learn_local_offset();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return fail(
                &ApiError::new(ErrorCode::Internal, format!("cannot start: {e}")),
                cli.global.output,
            );
        }
    };
    let output = cli.global.output;
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(e) => fail(&e, output),
    }
}

fn fail(err: &ApiError, output: output::Format) -> ExitCode {
    output::error(err, output);
    match err.code {
        ErrorCode::InvalidInput | ErrorCode::Unsupported => ExitCode::from(2),
        _ => ExitCode::from(1),
    }
}

fn init_logging(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    // kube-rs logs every failed request at ERROR, and the platform verifier every untrusted
    // certificate: a probe's failures are results, not log news.
    let default = match verbose {
        0 => "warn,kube_client=off,rustls_platform_verifier=off",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = if verbose == 0 {
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default))
    } else {
        EnvFilter::new(default)
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}
