//! etcd from Debian's `etcd-server` package, driven with `etcdctl` (`etcd-client`).

use crate::process::{self, ServerProcess};
use crate::{Error, seed};
use base64::Engine as _;
use kubesim::config::Backend;
use std::collections::BTreeMap;
use std::process::Command;

/// Keys with binary values [`Etcd::seed`] writes (one `etcdctl put` each).
const BINARY_KEYS: usize = 16;

/// A running single-member etcd on 127.0.0.1 (no auth, as the catalog's definition runs it).
#[derive(Debug)]
pub struct Etcd {
    server: ServerProcess,
    port: u16,
}

impl Etcd {
    /// Starts a member; transactions of up to 10,000 operations are allowed so seeding is
    /// a handful of requests.
    pub fn start() -> Result<Self, Error> {
        Self::start_with_env(&BTreeMap::from([
            ("ETCD_NAME".to_string(), "realdb".to_string()),
            ("ETCD_MAX_TXN_OPS".to_string(), "10000".to_string()),
            ("ETCD_MAX_REQUEST_BYTES".to_string(), "33554432".to_string()),
            (
                "ETCD_QUOTA_BACKEND_BYTES".to_string(),
                "2147483648".to_string(),
            ),
        ]))
    }

    /// Starts a member configured by `ETCD_*` variables (a definition's container env,
    /// `$(VAR)` references already expanded); the harness replaces the data dir, the
    /// listen and advertise URLs and the initial cluster with its own (one member on
    /// loopback), and drops the metrics listener.
    pub fn start_with_env(env: &BTreeMap<String, String>) -> Result<Self, Error> {
        let dir = process::server_dir("etcd")?;
        let port = process::free_port()?;
        let peer = process::free_port()?;
        let client_url = format!("http://127.0.0.1:{port}");
        let peer_url = format!("http://127.0.0.1:{peer}");
        let mut env: BTreeMap<String, String> = env
            .iter()
            .filter(|(k, _)| k.starts_with("ETCD_"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        env.remove("ETCD_LISTEN_METRICS_URLS");
        let name = env
            .entry("ETCD_NAME".into())
            .or_insert_with(|| "realdb".into())
            .clone();
        for (k, v) in [
            (
                "ETCD_DATA_DIR",
                dir.path().join("data").display().to_string(),
            ),
            ("ETCD_LISTEN_CLIENT_URLS", client_url.clone()),
            ("ETCD_ADVERTISE_CLIENT_URLS", client_url.clone()),
            ("ETCD_LISTEN_PEER_URLS", peer_url.clone()),
            ("ETCD_INITIAL_ADVERTISE_PEER_URLS", peer_url.clone()),
            ("ETCD_INITIAL_CLUSTER", format!("{name}={peer_url}")),
        ] {
            env.insert(k.into(), v);
        }
        let mut c = Command::new("etcd");
        c.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(&env);
        let mut server = ServerProcess::spawn("etcd", dir, c, "-TERM")?;
        let endpoint = client_url.clone();
        server.wait_ready(|| {
            let mut c = Command::new("etcdctl");
            c.env("ETCDCTL_API", "3")
                .args(["--endpoints", &endpoint, "endpoint", "health"]);
            process::client(c, None).map(|_| ())
        })?;
        Ok(Self { server, port })
    }

    /// The client port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// PID of etcd.
    pub fn pid(&self) -> u32 {
        self.server.pid()
    }

    /// Runs `etcdctl ARGS...` against this member, with `stdin`; returns stdout.
    pub fn ctl(&self, args: &[&str], stdin: Option<&[u8]>) -> Result<Vec<u8>, Error> {
        let mut c = Command::new("etcdctl");
        c.envs(self.env()).args(args);
        process::client(c, stdin)
    }

    /// The environment of commands exec'd in a bound pod: `ETCDCTL_ENDPOINTS` (used
    /// where a command names no `--endpoints`) and `ETCDCTL_API=3`.
    pub fn env(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("ETCDCTL_API".to_string(), "3".to_string()),
            (
                "ETCDCTL_ENDPOINTS".to_string(),
                format!("http://127.0.0.1:{}", self.port),
            ),
        ])
    }

    /// The environment of a command in a real etcd pod, where the image's `etcdctl` and
    /// busybox's applets (from the definition's tools init container) are all there is:
    /// [`Etcd::env`] with `PATH` set to `tools` (see [`pod_tools`]).
    pub fn pod_env(&self, tools: &std::path::Path) -> BTreeMap<String, String> {
        let mut env = self.env();
        env.insert("PATH".into(), tools.display().to_string());
        env
    }

    /// Binds the pods `selector` selects in `namespace` to this member.
    pub fn backend(&self, namespace: &str, selector: &str) -> Backend {
        Backend {
            namespace: Some(namespace.into()),
            selector: selector.into(),
            env: self.env(),
            ports: BTreeMap::from([("2379".into(), format!("127.0.0.1:{}", self.port))]),
            pid: Some(self.pid()),
            skip_probes: false,
        }
    }

    /// Seeds about `keys` keys under `/shop/` (non-ASCII text) and `/archive/`, in
    /// transactions of 10,000 puts, plus a few keys with binary values under `/shop/bin/`.
    pub fn seed(&self, keys: usize) -> Result<(), Error> {
        let binary = BINARY_KEYS.min(keys);
        let parts = seed::split(keys - binary, 2);
        let mut puts = Vec::new();
        for i in 0..parts[0] {
            puts.push(format!("put /shop/items/{i:07} \"{}\"", seed::text(i)));
        }
        for i in 0..parts[1] {
            puts.push(format!("put /archive/events/{i:07} \"{{n:{i}}}\""));
        }
        for batch in puts.chunks(10_000) {
            let input = format!("\n{}\n\n\n", batch.join("\n"));
            self.ctl(&["txn"], Some(input.as_bytes()))?;
        }
        for i in 0..binary {
            self.ctl(
                &["put", &format!("/shop/bin/{i:03}")],
                Some(&seed::binary(i)),
            )?;
        }
        Ok(())
    }

    /// sha256 over every key and value (sorted by key; revisions left out), read with
    /// `etcdctl get "" --prefix -w json`.
    pub fn digest(&self) -> Result<String, Error> {
        let out = self.ctl(&["get", "", "--prefix", "-w", "json"], None)?;
        let v: serde_json::Value = serde_json::from_slice(&out).map_err(|e| Error::Output {
            what: "etcdctl get -w json".into(),
            detail: e.to_string(),
        })?;
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = v["kvs"]
            .as_array()
            .map(|kvs| {
                kvs.iter()
                    .map(|kv| {
                        let d =
                            |f: &str| b64.decode(kv[f].as_str().unwrap_or("")).unwrap_or_default();
                        (d("key"), d("value"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        pairs.sort();
        let mut all = Vec::new();
        for (k, v) in pairs {
            all.extend_from_slice(format!("{}:{}:", k.len(), v.len()).as_bytes());
            all.extend_from_slice(&k);
            all.extend_from_slice(&v);
        }
        Ok(seed::sha256_hex(&all))
    }
}

/// A directory holding busybox's applets (`busybox --install -s`) and `etcdctl`: the tools of
/// an etcd pod, none of the host's own.
pub fn pod_tools() -> Result<tempfile::TempDir, Error> {
    let dir = tempfile::tempdir().map_err(|e| Error::io("a tools directory", e))?;
    let mut busybox = Command::new("busybox");
    busybox.arg("--install").arg("-s").arg(dir.path());
    process::client(busybox, None)?;
    let etcdctl = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join("etcdctl"))
        .find(|p| p.is_file())
        .ok_or_else(|| Error::Output {
            what: "etcdctl".into(),
            detail: "not installed (scripts/system-deps.sh test installs etcd-client)".into(),
        })?;
    std::os::unix::fs::symlink(etcdctl, dir.path().join("etcdctl"))
        .map_err(|e| Error::io("linking etcdctl", e))?;
    Ok(dir)
}
