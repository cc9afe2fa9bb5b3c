//! Prometheus from Debian's `prometheus` package, filled with known series by `promtool tsdb
//! create-blocks-from openmetrics` (backfill: any past times, no scraping needed).

use crate::Error;
use crate::process::{self, ServerProcess};
use std::process::Command;

/// A running Prometheus on 127.0.0.1 that scrapes nothing and answers from backfilled blocks.
#[derive(Debug)]
pub struct Prometheus {
    server: ServerProcess,
    port: u16,
}

impl Prometheus {
    /// Backfills `openmetrics` (OpenMetrics text with timestamps, ending in `# EOF`) and starts
    /// Prometheus on `port` over it, keeping 90 days.
    pub fn start_with_series(port: u16, openmetrics: &str) -> Result<Self, Error> {
        let dir = process::server_dir("prometheus")?;
        let input = dir.path().join("series.om");
        let data = dir.path().join("data");
        let config = dir.path().join("prometheus.yml");
        std::fs::write(&input, openmetrics).map_err(|e| Error::io("writing the series", e))?;
        std::fs::write(&config, "global: {scrape_interval: 15s}\n")
            .map_err(|e| Error::io("writing the Prometheus config", e))?;
        let argv: Vec<String> = ["promtool", "tsdb", "create-blocks-from", "openmetrics"]
            .iter()
            .map(ToString::to_string)
            .chain([input.display().to_string(), data.display().to_string()])
            .collect();
        let out = process::run(&Default::default(), &argv, b"")?;
        if out.code != Some(0) {
            return Err(Error::Output {
                what: "promtool backfill".into(),
                detail: out.stderr,
            });
        }
        let mut c = Command::new("prometheus");
        c.arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", data.display()))
            .arg("--storage.tsdb.retention.time=90d")
            .arg(format!("--web.listen-address=127.0.0.1:{port}"));
        let mut server = ServerProcess::spawn("prometheus", dir, c, "-TERM")?;
        server.wait_ready(|| match crate::http::get(port, "/-/ready", None)? {
            r if r.status == 200 => Ok(()),
            r => Err(Error::Output {
                what: "Prometheus readiness".into(),
                detail: format!("HTTP {}", r.status),
            }),
        })?;
        Ok(Self { server, port })
    }

    /// The TCP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// PID of Prometheus.
    pub fn pid(&self) -> u32 {
        self.server.pid()
    }
}
