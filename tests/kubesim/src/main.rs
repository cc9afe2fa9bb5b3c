//! The `kubesim` binary: serves a simulated Kubernetes API and writes a kubeconfig once
//! ready. See docs/kubesim.md.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

/// A Kubernetes API simulator for tests, demos and benchmarks.
#[derive(Debug, Parser)]
#[command(name = "kubesim", version)]
struct Args {
    /// Address to serve HTTPS on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Where to write the kubeconfig once ready.
    #[arg(long)]
    kubeconfig: PathBuf,
    /// Name of the context (and cluster and user) in the kubeconfig.
    #[arg(long, default_value = "kubesim")]
    context: String,
    /// Configuration file (YAML or JSON).
    #[arg(long)]
    config: Option<PathBuf>,
    /// SQLite file the objects persist in across restarts.
    #[arg(long)]
    state: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "kubesim=info".into()),
        )
        .init();
    let args = Args::parse();
    let mut config = match &args.config {
        Some(p) => kubesim::Config::from_file(p)?,
        None => kubesim::Config::default(),
    };
    if let Some(state) = args.state {
        config.state_file = Some(state);
    }
    let sim = kubesim::Sim::start_on(args.listen, config).await?;
    sim.write_kubeconfig(&args.kubeconfig, &args.context)?;
    tracing::info!(url = %sim.url(), kubeconfig = %args.kubeconfig.display(), "ready");
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    tracing::info!("shutting down");
    sim.shutdown().await;
    Ok(())
}
