//! kubesim: a Kubernetes API simulator for tests, demos and benchmarks.
//!
//! It serves the Kubernetes REST API over HTTPS (a CA generated per instance, bearer-token
//! auth) from an in-memory object store, with discovery, OpenAPI, watch, patch and
//! server-side apply, and a simulated control plane (deployment, replica set, stateful set,
//! job, PVC, service endpoints, garbage collection and namespace controllers) and kubelet
//! (pod phases, readiness, logs, events). Real kubectl, helm and kube-rs work against it.
//! With [`Config::state_file`] the objects persist in SQLite (rusqlite, bundled: the
//! workspace's SQLite binding, no system library needed) across restarts.
//!
//! ```no_run
//! # async fn demo() -> Result<(), kubesim::Error> {
//! let sim = kubesim::Sim::start(kubesim::Config::default()).await?;
//! sim.write_kubeconfig(std::path::Path::new("/tmp/kubeconfig"), "kubesim")?;
//! let client = sim.client().await?;
//! # drop(client);
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Libraries used and why: hyper (HTTP/1.1 server with upgrades), tokio-rustls + rustls
//! with the ring provider (TLS without OpenSSL or aws-lc), rcgen (certificate
//! generation), json-patch (RFC 6902/7386, well tested), serde_json/serde_norway (objects
//! and YAML bodies). Strategic merge patch and server-side apply are implemented here:
//! no Rust crate implements them.
#![deny(missing_docs)]

mod apply;
mod bootstrap;
pub mod config;
mod controllers;
mod defaults;
mod discovery;
mod env;
mod exec;
mod fields;
mod handlers;
mod kubeconfig;
mod kubelet;
mod logs;
mod metrics;
mod negotiation;
mod openapi;
mod patch;
mod portforward;
mod portforward_spdy;
mod probes;
mod protobuf;
mod proxy;
mod resources;
mod selectors;
mod server;
mod spdy;
mod status;
mod store;
pub mod testing;
mod tls;
mod validation;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64};

use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

pub use config::Config;

/// kubesim's errors.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Generating certificates or configuring TLS failed.
    #[error("TLS setup failed: {0}")]
    Tls(String),
    /// A file or socket operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The IO error.
        #[source]
        source: std::io::Error,
    },
    /// The configuration file is invalid.
    #[error("invalid kubesim config: {0}")]
    Config(String),
    /// The SQLite state file (`--state`) could not be opened or read.
    #[error("state file: {0}")]
    State(String),
    /// Building a kube client for the simulator failed.
    #[error("building a kube client: {0}")]
    Client(String),
    /// A port-forward client sent SPDY/3.1 frames kubesim cannot read.
    #[error("SPDY protocol error: {0}")]
    Spdy(String),
}

/// A running simulator.
#[derive(Debug)]
pub struct Sim {
    addr: SocketAddr,
    ca_pem: String,
    state: Arc<server::State>,
    shutdown_tx: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Sim {
    /// Starts a simulator on a free loopback port.
    pub async fn start(config: Config) -> Result<Self, Error> {
        Self::start_on("127.0.0.1:0".parse().expect("address"), config).await
    }

    /// Starts a simulator listening on `addr` (port 0 picks a free port).
    pub async fn start_on(addr: SocketAddr, config: Config) -> Result<Self, Error> {
        let certs = tls::generate()?;
        let listener = TcpListener::bind(addr).await.map_err(|e| Error::Io {
            context: format!("binding {addr}"),
            source: e,
        })?;
        let addr = listener.local_addr().map_err(|e| Error::Io {
            context: "reading the bound address".into(),
            source: e,
        })?;
        let token = config
            .token
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let history = config.watch_history.max(100);
        let store = match &config.state_file {
            Some(path) => store::Store::open(path, history)?,
            None => store::Store::new(history),
        };
        let registry = resources::Registry::new();
        if !config.metrics_api {
            registry.remove_group("metrics.k8s.io");
        }
        let crds =
            resources::GroupResource::new("apiextensions.k8s.io", "customresourcedefinitions");
        for crd in store.list(&crds, None).0 {
            let name = crd["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            registry.sync_crd(&name, Some(crd.value()));
        }
        let state = Arc::new(server::State {
            registry,
            store: Arc::new(store),
            token,
            faults: std::sync::RwLock::new(config.faults.clone()),
            load: std::sync::RwLock::new(config.metrics.clone()),
            cpu_samples: metrics::CpuSamples::default(),
            config,
            logs: logs::Logs::default(),
            next_ip: AtomicU32::new(10),
            wake: Notify::new(),
            kubelet_wake: Notify::new(),
            kubelet_passes: AtomicU64::new(0),
            controller_passes: AtomicU64::new(0),
            fault_counter: AtomicU64::new(0),
            started: std::time::Instant::now(),
            started_wall: time::OffsetDateTime::now_utc(),
            shutdown: shutdown_rx.clone(),
        });
        bootstrap::seed(&state, &certs.ca_pem);
        let acceptor = tokio_rustls::TlsAcceptor::from(certs.server_config.clone());
        let mut tasks = vec![tokio::spawn(server::serve(
            listener,
            acceptor,
            state.clone(),
            shutdown_rx.clone(),
        ))];
        tasks.push(tokio::spawn(controllers::run(
            state.clone(),
            shutdown_rx.clone(),
        )));
        tasks.push(tokio::spawn(kubelet::run(state.clone(), shutdown_rx)));
        tracing::info!(%addr, "kubesim serving");
        Ok(Self {
            addr,
            ca_pem: certs.ca_pem,
            state,
            shutdown_tx,
            tasks,
        })
    }

    /// The address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `https://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// The bearer token clients must send.
    pub fn token(&self) -> &str {
        &self.state.token
    }

    /// PEM of the CA that signed the server certificate.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// A kubeconfig whose cluster, user and context are all named `context`.
    pub fn kubeconfig_yaml(&self, context: &str) -> String {
        kubeconfig::render(&self.url(), &self.ca_pem, &self.state.token, context)
    }

    /// Writes the kubeconfig to `path` (atomically: a temp file renamed into place).
    pub fn write_kubeconfig(&self, path: &Path, context: &str) -> Result<(), Error> {
        let io = |context: String| move |e| Error::Io { context, source: e };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io(format!("creating {}", dir.display())))?;
        }
        let tmp = path.with_extension("kubesim-tmp");
        std::fs::write(&tmp, self.kubeconfig_yaml(context))
            .map_err(io(format!("writing {}", tmp.display())))?;
        std::fs::rename(&tmp, path).map_err(io(format!("renaming to {}", path.display())))
    }

    /// A kube-rs client for this simulator.
    pub async fn client(&self) -> Result<kube::Client, Error> {
        client_from_kubeconfig(&self.kubeconfig_yaml("kubesim"), Some("kubesim")).await
    }

    /// Forgets the watch history up to now, as etcd compaction does: watches and
    /// continue tokens from older resourceVersions get 410 Gone.
    pub fn compact(&self) {
        self.state.store.compact();
    }

    /// The faults in force.
    pub fn faults(&self) -> config::Faults {
        self.state.faults()
    }

    /// Replaces the faults in force (as `PUT /kubesim/v1/faults` does).
    pub fn set_faults(&self, faults: config::Faults) {
        *self.state.faults.write().expect("faults lock") = faults;
        self.state.wake.notify_one();
        self.state.kubelet_wake.notify_one();
    }

    /// Appends a line to a container's log, as if the container had written it (followed
    /// log streams see it at once).
    pub fn write_log(&self, namespace: &str, pod: &str, container: &str, line: &str) {
        self.state.logs.write(namespace, pod, container, line);
    }

    /// Replaces the simulated load rules (as `PUT /kubesim/v1/metrics` does).
    pub fn set_load(&self, rules: Vec<config::LoadRule>) {
        *self.state.load.write().expect("load lock") = rules;
        self.state.wake.notify_one();
    }

    /// Stops serving and waits for the tasks to end.
    pub async fn shutdown(self) {
        let _ = self.shutdown_tx.send(true);
        for t in self.tasks {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), t).await;
        }
    }
}

/// Builds a kube client from kubeconfig YAML (and an optional context name).
pub async fn client_from_kubeconfig(
    yaml: &str,
    context: Option<&str>,
) -> Result<kube::Client, Error> {
    let kc = kube::config::Kubeconfig::from_yaml(yaml).map_err(|e| Error::Client(e.to_string()))?;
    let opts = kube::config::KubeConfigOptions {
        context: context.map(str::to_string),
        ..Default::default()
    };
    let config = kube::Config::from_custom_kubeconfig(kc, &opts)
        .await
        .map_err(|e| Error::Client(e.to_string()))?;
    kube::Client::try_from(config).map_err(|e| Error::Client(e.to_string()))
}

#[cfg(test)]
mod idle_tests {
    use std::sync::atomic::Ordering;
    use std::time::{Duration, Instant};

    use k8s_openapi::api::apps::v1::Deployment;
    use k8s_openapi::api::core::v1::Pod;
    use kube::api::{Api, ListParams, PostParams};

    /// Once every pod is Ready and nothing is written, the kubelet sleeps and the
    /// controllers run only their slow safety pass (a pass every 40 ms or 200 ms would burn
    /// CPU with many pods).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_idle_simulator_runs_no_passes() {
        let sim = crate::Sim::start(crate::Config::default()).await.unwrap();
        let client = sim.client().await.unwrap();
        let deployments: Api<Deployment> = Api::namespaced(client.clone(), "default");
        for i in 0..5 {
            let d: Deployment = serde_json::from_value(serde_json::json!({
                "metadata": {"name": format!("web{i}")},
                "spec": {
                    "replicas": 2,
                    "selector": {"matchLabels": {"app": format!("web{i}")}},
                    "template": {
                        "metadata": {"labels": {"app": format!("web{i}")}},
                        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
                    },
                },
            }))
            .unwrap();
            deployments
                .create(&PostParams::default(), &d)
                .await
                .unwrap();
        }
        let pods: Api<Pod> = Api::namespaced(client, "default");
        let started = Instant::now();
        loop {
            let list = pods.list(&ListParams::default()).await.unwrap();
            let ready = list
                .items
                .iter()
                .filter(|p| {
                    p.status
                        .as_ref()
                        .and_then(|s| s.conditions.as_ref())
                        .is_some_and(|cs| {
                            cs.iter().any(|c| c.type_ == "Ready" && c.status == "True")
                        })
                })
                .count();
            if ready == 10 {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{ready} of 10 pods Ready"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Let the last writes (deployment status, endpoints) settle.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let state = &sim.state;
        let (kubelet, controllers, rv) = (
            state.kubelet_passes.load(Ordering::Relaxed),
            state.controller_passes.load(Ordering::Relaxed),
            state.store.current_rv(),
        );
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(state.store.current_rv(), rv, "nothing was written");
        assert_eq!(
            state.kubelet_passes.load(Ordering::Relaxed),
            kubelet,
            "the kubelet slept"
        );
        // At most the safety pass.
        let extra = state.controller_passes.load(Ordering::Relaxed) - controllers;
        assert!(extra <= 1, "{extra} controller passes in 1.5 s of idle");
        sim.shutdown().await;
    }
}
