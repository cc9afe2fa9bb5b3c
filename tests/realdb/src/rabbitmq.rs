//! RabbitMQ from Debian's `rabbitmq-server` package (3.10, on Debian's Erlang).
//!
//! Debian's `/usr/sbin/rabbitmq*` commands switch to the `rabbitmq` system user and its
//! home; the scripts they wrap, in `/usr/lib/rabbitmq/bin`, run as whoever calls them. The
//! node runs as the current user with everything under its temporary directory: `HOME`
//! (for the Erlang cookie), the Mnesia and log directories, the configuration and
//! enabled-plugins files, and an empty `RABBITMQ_CONF_ENV_FILE` in place of
//! `/etc/rabbitmq/rabbitmq-env.conf`. Its node name, AMQP, distribution, management and
//! Prometheus ports are its own, so it never meets the package's system service and nodes
//! of parallel tests never meet each other. Erlang registers the node with the machine's
//! `epmd`, starting that daemon when none runs; it is shared and outlives the node.

use crate::Error;
use crate::process::{self, ServerProcess};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Where Debian keeps the RabbitMQ scripts that run as their caller.
const SCRIPTS: &str = "/usr/lib/rabbitmq/bin";

/// Settings naming ports or cluster peers, replaced by the node's own.
const OWN_SETTINGS: [&str; 4] = [
    "listeners.tcp.",
    "management.tcp.",
    "prometheus.tcp.",
    "cluster_formation.classic_config.nodes.",
];

/// A running RabbitMQ node on 127.0.0.1.
#[derive(Debug)]
pub struct Rabbitmq {
    server: ServerProcess,
    amqp: u16,
    management: u16,
    env: BTreeMap<String, String>,
}

impl Rabbitmq {
    /// Starts a node with `config` as its `rabbitmq.conf` (settings of ports and cluster
    /// peers left out: the node listens on its own loopback ports and is the only peer),
    /// `enabled_plugins`, the Erlang `cookie`, and `env` (a container's environment, e.g.
    /// `RABBITMQ_DEFAULT_USER`/`RABBITMQ_DEFAULT_PASS`; the node's name, a long one at
    /// 127.0.0.1, its ports and paths win over it). Waits until the node accepts AMQP connections: RabbitMQ refuses an
    /// unknown or malformed setting at boot, so does this.
    pub fn start_with_config(
        config: &str,
        enabled_plugins: &str,
        cookie: &str,
        env: &BTreeMap<String, String>,
    ) -> Result<Self, Error> {
        let dir = process::server_dir("rabbitmq")?;
        let d = dir.path();
        let amqp = process::free_port()?;
        let management = process::free_port()?;
        let prometheus = process::free_port()?;
        let dist = process::free_port()?;
        let node = format!("realdb-{amqp}@127.0.0.1");
        let home = d.join("home");
        std::fs::create_dir(&home).map_err(|e| Error::io("creating HOME", e))?;
        write_private(&home.join(".erlang.cookie"), cookie)?;
        let mut conf: String = config
            .lines()
            .filter(|l| !OWN_SETTINGS.iter().any(|s| l.trim_start().starts_with(s)))
            .map(|l| format!("{l}\n"))
            .collect();
        conf.push_str(&format!(
            "listeners.tcp.default = 127.0.0.1:{amqp}\n\
             management.tcp.ip = 127.0.0.1\nmanagement.tcp.port = {management}\n\
             prometheus.tcp.ip = 127.0.0.1\nprometheus.tcp.port = {prometheus}\n\
             cluster_formation.classic_config.nodes.1 = {node}\n"
        ));
        std::fs::write(d.join("rabbitmq.conf"), conf)
            .map_err(|e| Error::io("writing rabbitmq.conf", e))?;
        std::fs::write(d.join("enabled_plugins"), enabled_plugins)
            .map_err(|e| Error::io("writing enabled_plugins", e))?;
        std::fs::write(d.join("rabbitmq-env.conf"), "")
            .map_err(|e| Error::io("writing rabbitmq-env.conf", e))?;
        let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into());
        let p = |name: &str| d.join(name).display().to_string();
        // what the node and its command-line tools share
        let mut client_env: BTreeMap<String, String> = [
            ("PATH", format!("{SCRIPTS}:{path}")),
            ("HOME", home.display().to_string()),
            ("RABBITMQ_CONF_ENV_FILE", p("rabbitmq-env.conf")),
            ("RABBITMQ_NODENAME", node.clone()),
            ("RABBITMQ_USE_LONGNAME", "true".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let mut server_env = env.clone();
        server_env.extend(client_env.clone());
        server_env.extend(
            [
                ("RABBITMQ_CONFIG_FILE", p("rabbitmq.conf")),
                ("RABBITMQ_CONFIG_FILES", p("conf.d")),
                ("RABBITMQ_ADVANCED_CONFIG_FILE", p("advanced.config")),
                ("RABBITMQ_ENABLED_PLUGINS_FILE", p("enabled_plugins")),
                ("RABBITMQ_MNESIA_BASE", p("mnesia")),
                ("RABBITMQ_LOG_BASE", p("log")),
                ("RABBITMQ_PID_FILE", p("rabbitmq.pid")),
                ("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1".into()),
                ("RABBITMQ_NODE_PORT", amqp.to_string()),
                ("RABBITMQ_DIST_PORT", dist.to_string()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v)),
        );
        client_env.insert("RABBITMQ_CONFIG_FILE".into(), p("rabbitmq.conf"));
        let mut c = Command::new(format!("{SCRIPTS}/rabbitmq-server"));
        c.envs(&server_env).current_dir(d);
        let mut server = ServerProcess::spawn("rabbitmq", dir, c, "-TERM")?;
        let ready = server.wait_ready_for(Duration::from_secs(60), || {
            std::net::TcpStream::connect(("127.0.0.1", amqp))
                .map(|_| ())
                .map_err(|e| Error::io("connecting to RabbitMQ", e))
        });
        if let Err(Error::NotReady { engine, detail }) = ready {
            // the log ends with a long crash report; the cause is logged before it
            let log = std::fs::read_to_string(server.dir().join("server.log")).unwrap_or_default();
            let cause: Vec<&str> = log
                .lines()
                .take_while(|l| !l.contains("BOOT FAILED"))
                .filter(|l| l.contains("[error]"))
                .take(10)
                .collect();
            return Err(Error::NotReady {
                engine,
                detail: format!("{}\n{detail}", cause.join("\n")),
            });
        }
        ready?;
        Ok(Self {
            server,
            amqp,
            management,
            env: client_env,
        })
    }

    /// The AMQP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.amqp
    }

    /// The management plugin's HTTP port on 127.0.0.1.
    pub fn management_port(&self) -> u16 {
        self.management
    }

    /// The environment RabbitMQ's command-line tools (`rabbitmq-diagnostics`,
    /// `rabbitmqctl`) reach this node with: its name, the cookie's `HOME`, and a `PATH`
    /// that finds the scripts running as the caller first.
    pub fn env(&self) -> BTreeMap<String, String> {
        self.env.clone()
    }

    /// PID of the `rabbitmq-server` script (the Erlang VM is its child).
    pub fn pid(&self) -> u32 {
        self.server.pid()
    }
}

impl Drop for Rabbitmq {
    /// Kills the Erlang VM outright: its files go with the temporary directory, so a
    /// graceful shutdown (several seconds) would keep nothing, and killing only the
    /// `rabbitmq-server` script could leave the VM behind.
    fn drop(&mut self) {
        let pid_file = self.server.dir().join("rabbitmq.pid");
        if let Some(pid) = std::fs::read_to_string(pid_file)
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok())
        {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .stderr(std::process::Stdio::null())
                .status();
        }
    }
}

/// Writes `contents` to `path` readable by its owner only (Erlang refuses a cookie file
/// others can read).
fn write_private(path: &Path, contents: &str) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, contents).map_err(|e| Error::io("writing the Erlang cookie", e))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o400))
        .map_err(|e| Error::io("restricting the Erlang cookie", e))
}
