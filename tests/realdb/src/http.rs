//! One HTTP/1.0 GET on a loopback port: what readiness probes (`httpGet`) and management
//! APIs need from the tests. Hand-written rather than a client crate: a probe is a single
//! request to 127.0.0.1 with no TLS, redirects or keep-alive, and realdb stays free of an
//! HTTP stack.

use crate::Error;
use base64::Engine;
use std::io::{Read, Write};
use std::time::Duration;

/// A response: its status code and body (as text, lossy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code (200, 401...).
    pub status: u16,
    /// The body.
    pub body: String,
}

/// `GET path` on 127.0.0.1:`port`, with basic authentication when `auth` is given.
pub fn get(port: u16, path: &str, auth: Option<(&str, &str)>) -> Result<Response, Error> {
    let what = format!("GET 127.0.0.1:{port}{path}");
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))
        .map_err(|e| Error::io(format!("connecting for {what}"), e))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| Error::io("setting a read timeout", e))?;
    let mut request = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n");
    if let Some((user, password)) = auth {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        request.push_str(&format!("Authorization: Basic {token}\r\n"));
    }
    request.push_str("\r\n");
    stream
        .write_all(request.as_bytes())
        .map_err(|e| Error::io(format!("sending {what}"), e))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|e| Error::io(format!("reading the answer to {what}"), e))?;
    let raw = String::from_utf8_lossy(&raw);
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| Error::Output {
            what: what.clone(),
            detail: format!("no status line in {head:?}"),
        })?;
    Ok(Response {
        status,
        body: body.to_string(),
    })
}
