//! Helpers for other crates' tests: a cluster that is either the real one named by
//! `BERTH_TEST_KUBECONFIG` or a fresh in-process kubesim.
//!
//! ```no_run
//! # async fn demo() -> Result<(), kubesim::Error> {
//! let cluster = kubesim::testing::cluster().await?;
//! let client = cluster.client().await?;
//! // ... run kubectl with `--kubeconfig cluster.kubeconfig()` or use `client` ...
//! # drop(client);
//! cluster.shutdown().await;
//! # Ok(()) }
//! ```

use std::path::{Path, PathBuf};

use crate::{Config, Error, Sim};

/// The environment variable naming a real cluster's kubeconfig.
pub const KUBECONFIG_ENV: &str = "BERTH_TEST_KUBECONFIG";

/// A cluster for a test.
#[derive(Debug)]
pub struct TestCluster {
    kubeconfig: PathBuf,
    context: Option<String>,
    sim: Option<Sim>,
    _dir: Option<tempfile::TempDir>,
}

/// The real cluster from `BERTH_TEST_KUBECONFIG` when set (its current context), otherwise
/// a fresh kubesim with the default config.
pub async fn cluster() -> Result<TestCluster, Error> {
    cluster_with(Config::default()).await
}

/// Like [`cluster`], with a kubesim config (ignored for a real cluster).
pub async fn cluster_with(config: Config) -> Result<TestCluster, Error> {
    if let Some(path) = std::env::var_os(KUBECONFIG_ENV).filter(|p| !p.is_empty()) {
        return Ok(TestCluster {
            kubeconfig: PathBuf::from(path),
            context: None,
            sim: None,
            _dir: None,
        });
    }
    let sim = Sim::start(config).await?;
    let dir = tempfile::tempdir().map_err(|e| Error::Io {
        context: "creating a temp dir".into(),
        source: e,
    })?;
    let path = dir.path().join("kubeconfig");
    sim.write_kubeconfig(&path, "kubesim")?;
    Ok(TestCluster {
        kubeconfig: path,
        context: Some("kubesim".into()),
        sim: Some(sim),
        _dir: Some(dir),
    })
}

impl TestCluster {
    /// Path of the kubeconfig to hand to clients.
    pub fn kubeconfig(&self) -> &Path {
        &self.kubeconfig
    }

    /// The context to use (`None`: the kubeconfig's current context).
    pub fn context(&self) -> Option<&str> {
        self.context.as_deref()
    }

    /// The simulator, when this is not a real cluster.
    pub fn sim(&self) -> Option<&Sim> {
        self.sim.as_ref()
    }

    /// Whether this is a real cluster from `BERTH_TEST_KUBECONFIG`.
    pub fn is_real(&self) -> bool {
        self.sim.is_none()
    }

    /// A kube-rs client for the cluster.
    pub async fn client(&self) -> Result<kube::Client, Error> {
        let yaml = std::fs::read_to_string(&self.kubeconfig).map_err(|e| Error::Io {
            context: format!("reading {}", self.kubeconfig.display()),
            source: e,
        })?;
        crate::client_from_kubeconfig(&yaml, self.context.as_deref()).await
    }

    /// Stops the simulator (nothing for a real cluster).
    pub async fn shutdown(self) {
        if let Some(sim) = self.sim {
            sim.shutdown().await;
        }
    }
}
