//! The fixture: a cluster, a store, a keyring and the built-in catalog as one `Config`.

use std::sync::Arc;

use berth_actions::{Config, Install, Progress, Record, credential_handle, record_name};
use berth_catalog::Catalog;
use berth_cluster::{Cluster, LoadedKubeconfig, ObjectRef};
use berth_secrets::{Keyring, SecretsError};
use berth_store::{Revision, Store};
use kubesim::testing::TestCluster;

/// One test's world.
pub(crate) struct Env {
    pub(crate) cluster: TestCluster,
    pub(crate) cfg: Config,
    _home: tempfile::TempDir,
}

impl Env {
    /// A fresh cluster (or the real one), home and keyring namespace for `test`.
    pub(crate) async fn new(test: &str) -> Self {
        let cluster = kubesim::testing::cluster().await.expect("cluster");
        let home = tempfile::tempdir().unwrap();
        let store = Store::open_in(home.path()).unwrap();
        let kubeconfig = LoadedKubeconfig::load(&[cluster.kubeconfig().to_owned()]);
        let connected = Cluster::connect(&kubeconfig, cluster.context())
            .await
            .expect("connect");
        let keyring = Keyring::with_namespace(format!(
            "dev.berth.test.actions.{test}.{}",
            std::process::id()
        ));
        let cfg = Config {
            cluster: Arc::new(connected),
            store: Arc::new(store),
            keyring,
            catalog: Arc::new(Catalog::load_default().unwrap()),
        };
        Self {
            cluster,
            cfg,
            _home: home,
        }
    }

    /// kubesim, or `None` (with a note) on a real cluster, where faults cannot be injected.
    pub(crate) fn sim(&self) -> Option<&kubesim::Sim> {
        if self.cluster.is_real() {
            eprintln!("fault injection needs kubesim: not run against a real cluster");
        }
        self.cluster.sim()
    }

    /// An install of `service` as `name` in `ns`, the namespace created.
    pub(crate) fn install(&self, service: &str, name: &str, ns: &str) -> Install<'_> {
        let mut install = Install::new(&self.cfg, service);
        install.name = Some(name.to_owned());
        install.namespace = Some(ns.to_owned());
        install.create_namespace = true;
        install.timeout = std::time::Duration::from_secs(60);
        install
    }

    /// The history of `name` in `ns`, newest first.
    pub(crate) fn history(&self, ns: &str, name: &str) -> Vec<Revision> {
        self.cfg
            .store
            .revisions(self.cfg.context(), ns, name)
            .unwrap()
    }

    /// The instance's record, if the cluster holds it.
    pub(crate) async fn record(&self, ns: &str, name: &str) -> Option<Record> {
        let target = ObjectRef {
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            namespace: Some(ns.to_owned()),
            name: record_name(name),
        };
        let found = self.cfg.cluster.get(&target).await.unwrap();
        found.map(|cm| Record::from_object(&cm).unwrap())
    }

    /// A live object, if there.
    pub(crate) async fn object(
        &self,
        api_version: &str,
        kind: &str,
        ns: &str,
        name: &str,
    ) -> Option<serde_json::Value> {
        let target = ObjectRef {
            api_version: api_version.into(),
            kind: kind.into(),
            namespace: Some(ns.to_owned()),
            name: name.into(),
        };
        self.cfg.cluster.get(&target).await.unwrap()
    }

    /// How many objects of a kind the instance has.
    pub(crate) async fn count(&self, api_version: &str, kind: &str, ns: &str, name: &str) -> usize {
        let selector = berth_actions::instance_selector(name);
        let found = self
            .cfg
            .cluster
            .list(api_version, kind, Some(ns), &selector)
            .await;
        found.unwrap().len()
    }

    /// The keyring's value of one credential of `name` (`None` when it holds none).
    pub(crate) fn credential(&self, ns: &str, name: &str, key: &str) -> Option<String> {
        let handle = credential_handle(self.cfg.context(), ns, name, key);
        match self.cfg.keyring.get(&handle) {
            Ok(v) => Some(v.expose().clone()),
            Err(SecretsError::NotFound { .. }) => None,
            Err(e) => panic!("keyring: {e}"),
        }
    }

    /// The credential keys `service` needs with its defaults.
    pub(crate) fn credential_keys(&self, service: &str) -> Vec<String> {
        let def = self.cfg.catalog.require(service).unwrap();
        let effective = def.validate_values(&serde_json::json!({})).unwrap();
        def.required_credentials(&effective)
    }

    /// Removes every credential of `name` this test may have left (the keyring outlives it).
    pub(crate) fn forget(&self, ns: &str, name: &str, keys: &[String]) {
        for key in keys {
            let _ = self
                .cfg
                .keyring
                .delete(&credential_handle(self.cfg.context(), ns, name, key));
        }
    }

    /// Stops kubesim.
    pub(crate) async fn shutdown(self) {
        self.cluster.shutdown().await;
    }
}

/// A progress sink that drops everything.
pub(crate) fn quiet(_: Progress) {}
