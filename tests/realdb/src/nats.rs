//! NATS Server from Debian's `nats-server` package.

use crate::Error;
use crate::process::{self, ServerProcess};
use std::path::Path;
use std::process::Command;

/// Where a NATS server will listen and keep its files, chosen before it starts so that
/// its configuration, and the routes of the other servers of a cluster, can name them.
#[derive(Debug)]
pub struct NatsPlace {
    dir: tempfile::TempDir,
    /// Client port on 127.0.0.1.
    pub client: u16,
    /// HTTP monitoring port on 127.0.0.1.
    pub monitor: u16,
    /// Cluster (route) port on 127.0.0.1.
    pub cluster: u16,
}

impl NatsPlace {
    /// A new temporary directory and three free loopback ports.
    pub fn new() -> Result<Self, Error> {
        Ok(Self {
            dir: process::server_dir("nats")?,
            client: process::free_port()?,
            monitor: process::free_port()?,
            cluster: process::free_port()?,
        })
    }

    /// The server's directory (for its store, pid file and configuration).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// A running nats-server.
#[derive(Debug)]
pub struct Nats {
    server: ServerProcess,
    client: u16,
    monitor: u16,
}

impl Nats {
    /// Starts `nats-server -c nats.conf` with `config` (a complete configuration naming
    /// `place`'s ports and directory) and waits until it accepts clients. nats-server
    /// refuses a configuration with an unknown or malformed setting, so does this.
    pub fn start_with_config(place: NatsPlace, config: &str) -> Result<Self, Error> {
        let conf = place.dir().join("nats.conf");
        std::fs::write(&conf, config).map_err(|e| Error::io("writing nats.conf", e))?;
        // Debian installs it in /usr/sbin, which is on root's PATH only
        let program = ["/usr/sbin/nats-server", "/usr/bin/nats-server"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .unwrap_or("nats-server");
        let mut c = Command::new(program);
        c.arg("-c").arg(&conf);
        let (client, monitor) = (place.client, place.monitor);
        let mut server = ServerProcess::spawn("nats", place.dir, c, "-TERM")?;
        server.wait_ready(|| {
            std::net::TcpStream::connect(("127.0.0.1", client))
                .map(|_| ())
                .map_err(|e| Error::io("connecting to nats-server", e))
        })?;
        Ok(Self {
            server,
            client,
            monitor,
        })
    }

    /// The client port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.client
    }

    /// The HTTP monitoring port on 127.0.0.1.
    pub fn monitor_port(&self) -> u16 {
        self.monitor
    }

    /// The server's directory (its store, pid file and configuration).
    pub fn dir(&self) -> &Path {
        self.server.dir()
    }

    /// PID of nats-server.
    pub fn pid(&self) -> u32 {
        self.server.pid()
    }
}
