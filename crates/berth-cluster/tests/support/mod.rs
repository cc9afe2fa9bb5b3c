//! Loopback endpoints that behave like API servers in the ways a probe must tell apart. They
//! listen on 127.0.0.1 only.

#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;
use std::sync::Arc;

use base64::Engine;
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A CA and a server certificate for 127.0.0.1 it signed.
pub struct Pki {
    pub ca_pem: String,
    cert: CertificateDer<'static>,
    key: Vec<u8>,
}

impl Pki {
    pub fn new() -> Self {
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_key = KeyPair::generate().unwrap();
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca_params, ca_key);
        let leaf_key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .unwrap()
            .signed_by(&leaf_key, &issuer)
            .unwrap();
        Self {
            ca_pem: ca_cert.pem(),
            cert: leaf.der().clone(),
            key: leaf_key.serialize_der(),
        }
    }

    pub fn ca_data(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.ca_pem)
    }
}

/// How a test endpoint answers.
#[derive(Clone, Copy, Debug)]
pub enum Behaviour {
    /// `/version` and `/api` answer like a healthy API server.
    Healthy,
    /// `/version` answers, everything else is 401 (rejected credentials).
    Unauthorized,
    /// `/version` answers, everything else is 403.
    Forbidden,
    /// Accepts TCP connections and never says a word.
    Hang,
}

/// Serves `behaviour` over TLS with `pki`'s certificate on a free loopback port.
pub async fn serve(pki: &Pki, behaviour: Behaviour) -> SocketAddr {
    berth_cluster::install_crypto_provider();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = tokio_rustls::rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![pki.cert.clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.key.clone())),
        )
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    tokio::spawn(async move {
        let mut held = Vec::new();
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            if let Behaviour::Hang = behaviour {
                held.push(tcp);
                continue;
            }
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                loop {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let request = String::from_utf8_lossy(&buf);
                    let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
                    let (code, body) = answer(behaviour, &path);
                    let response = format!(
                        "HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if tls.write_all(response.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

fn answer(behaviour: Behaviour, path: &str) -> (u16, String) {
    let status = |code: u16, reason: &str| {
        (
            code,
            format!(
                r#"{{"kind":"Status","apiVersion":"v1","metadata":{{}},"status":"Failure","message":"{reason}","reason":"{reason}","code":{code}}}"#
            ),
        )
    };
    match (behaviour, path) {
        (_, "/version") => (
            200,
            r#"{"major":"1","minor":"37","gitVersion":"v1.37.1","gitCommit":"x","gitTreeState":"clean","buildDate":"2026-01-01T00:00:00Z","goVersion":"go1.25","compiler":"gc","platform":"linux/amd64"}"#.to_owned(),
        ),
        (Behaviour::Healthy, "/api") => (
            200,
            r#"{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[]}"#.to_owned(),
        ),
        (Behaviour::Unauthorized, _) => status(401, "Unauthorized"),
        (Behaviour::Forbidden, _) => status(403, "Forbidden"),
        _ => status(404, "NotFound"),
    }
}

/// A closed loopback port: bound, then released.
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// One context of a test kubeconfig.
pub struct Ctx<'a> {
    pub name: &'a str,
    pub server: String,
    pub ca_data: Option<String>,
    pub user: &'a str,
    pub namespace: Option<&'a str>,
    /// `token: ...` or an `exec:` block, indented for the user entry.
    pub auth: String,
}

impl<'a> Ctx<'a> {
    pub fn new(name: &'a str, server: impl Into<String>) -> Self {
        Self {
            name,
            server: server.into(),
            ca_data: None,
            user: "u",
            namespace: None,
            auth: "    token: test-token".to_owned(),
        }
    }
}

/// A kubeconfig document with these contexts (each with its own cluster and user entry).
pub fn kubeconfig(contexts: &[Ctx<'_>], current: Option<&str>) -> String {
    let mut clusters = String::new();
    let mut users = String::new();
    let mut ctxs = String::new();
    for c in contexts {
        clusters += &format!(
            "- name: {n}\n  cluster:\n    server: {s}\n",
            n = c.name,
            s = c.server
        );
        if let Some(ca) = &c.ca_data {
            clusters += &format!("    certificate-authority-data: {ca}\n");
        }
        users += &format!(
            "- name: {n}-{u}\n  user:\n{a}\n",
            n = c.name,
            u = c.user,
            a = c.auth
        );
        ctxs += &format!(
            "- name: {n}\n  context:\n    cluster: {n}\n    user: {n}-{u}\n",
            n = c.name,
            u = c.user
        );
        if let Some(ns) = c.namespace {
            ctxs += &format!("    namespace: {ns}\n");
        }
    }
    let current = current
        .map(|c| format!("current-context: {c}\n"))
        .unwrap_or_default();
    format!(
        "apiVersion: v1\nkind: Config\n{current}clusters:\n{clusters}users:\n{users}contexts:\n{ctxs}"
    )
}
