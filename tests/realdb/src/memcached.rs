//! Memcached from Debian's `memcached` package.

use crate::Error;
use crate::process::{self, ServerProcess};
use std::process::Command;

/// A running memcached on 127.0.0.1 (no authentication, as the catalog runs it).
#[derive(Debug)]
pub struct Memcached {
    server: ServerProcess,
    port: u16,
}

impl Memcached {
    /// Starts memcached with `args` (a definition's container args) with their `--listen`
    /// and `--port` replaced by the harness's own (memcached adds listen addresses up).
    pub fn start_with_args(args: &[String]) -> Result<Self, Error> {
        let dir = process::server_dir("memcached")?;
        let port = process::free_port()?;
        let mut c = Command::new("memcached");
        c.args(
            args.iter()
                .filter(|a| !a.starts_with("--listen=") && !a.starts_with("--port=")),
        );
        c.args(["--listen=127.0.0.1", &format!("--port={port}")]);
        if process::is_root() {
            c.arg("--user=root");
        }
        let mut server = ServerProcess::spawn("memcached", dir, c, "-TERM")?;
        server.wait_ready(|| {
            std::net::TcpStream::connect(("127.0.0.1", port))
                .map(|_| ())
                .map_err(|e| Error::io("connecting to memcached", e))
        })?;
        Ok(Self { server, port })
    }

    /// The TCP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// PID of memcached.
    pub fn pid(&self) -> u32 {
        self.server.pid()
    }
}
