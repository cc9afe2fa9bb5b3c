//! `Connect`: a local port forwarded to an instance's client Service, as `berth connect` and the
//! desktop's Connect panel open it.
//!
//! The definition's `connection` names the client Service and port. The Service's selector
//! leads to a ready pod and its `targetPort` (a number, or a container port name) to the pod
//! port. Berth listens on `127.0.0.1` (a free port unless one is asked for) and forwards every
//! accepted TCP connection through its own kube-rs port-forward (`Api::<Pod>::portforward`,
//! WebSocket), so one broken connection does not end the session. The connection URI is built
//! from the definition's template with the local address; the password is in it only when
//! asked for ([`Forward::uri_with_password`]), and `****` stands for it otherwise.

use std::net::SocketAddr;

use berth_catalog::Definition;
use berth_secrets::Sensitive;
use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::api::{Api, ListParams};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use crate::record::Record;
use crate::{ActionError, Config, credential_handle, record};

/// What stands for the password in a URI shown without it.
pub const PASSWORD_MASK: &str = "****";
/// An alphanumeric stand-in rendered through the URI template, then replaced by the mask (the
/// template may URL-encode the password, which would mangle the mask itself).
const MASK_PLACEHOLDER: &str = "BerthMaskedPassword0";

/// Opens a port-forward to an instance's client Service.
#[derive(Debug, Clone)]
pub struct Connect<'a> {
    cfg: &'a Config,
    /// The instance.
    pub instance: String,
    /// The namespace (default: the context's).
    pub namespace: Option<String>,
    /// The local port (default: a free one).
    pub port: Option<u16>,
}

/// Where a forward leads, without secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardInfo {
    /// The context.
    pub context: String,
    /// The namespace.
    pub namespace: String,
    /// The instance.
    pub instance: String,
    /// The local address listened on (`127.0.0.1:port`).
    pub local: SocketAddr,
    /// The client Service.
    pub service: String,
    /// The Service port (the definition's client port).
    pub service_port: u16,
    /// The pod the connections go to.
    pub pod: String,
    /// The pod port.
    pub pod_port: u16,
    /// The protocol (`postgresql`, `redis`...).
    pub protocol: String,
    /// The user clients log in as, when the service has one.
    pub user: Option<String>,
    /// The connection URI with the password masked (`****`), when the service has one.
    pub uri: String,
    /// Whether the URI has a password a client can ask for.
    pub has_password: bool,
}

/// A running port-forward: ends when [`Forward::stop`] is called or the handle is dropped.
#[derive(Debug)]
pub struct Forward {
    /// Where it leads.
    pub info: ForwardInfo,
    cancel: CancellationToken,
    task: Option<tokio::task::JoinHandle<()>>,
    catalog: std::sync::Arc<berth_catalog::Catalog>,
    definition: String,
    values: serde_json::Value,
    credential: Option<String>,
}

impl Drop for Forward {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

impl Forward {
    /// Stops listening and ends every forwarded connection.
    pub async fn stop(mut self) {
        self.cancel.cancel();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// A token that ends the forward when cancelled.
    pub fn cancellation(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Waits until the forward ends (it was stopped or cancelled).
    pub async fn closed(&self) {
        self.cancel.cancelled().await;
    }

    /// The connection URI with the real password, read from the keyring.
    pub async fn uri_with_password(&self, cfg: &Config) -> Result<Sensitive<String>, ActionError> {
        let password = match &self.credential {
            Some(key) => Some(
                cfg.keyring
                    .read(&credential_handle(
                        &self.info.context,
                        &self.info.namespace,
                        &self.info.instance,
                        key,
                    ))
                    .await?,
            ),
            None => None,
        };
        let def = self.catalog.require(&self.definition)?;
        let uri = def.connection_uri_on(
            &self.info.local.ip().to_string(),
            self.info.local.port(),
            &self.values,
            password.as_ref().map(|p| p.expose().as_str()),
        )?;
        Ok(Sensitive::new(uri))
    }
}

impl<'a> Connect<'a> {
    /// A forward with the CLI's defaults (a free local port).
    pub fn new(cfg: &'a Config, instance: impl Into<String>) -> Self {
        Self {
            cfg,
            instance: instance.into(),
            namespace: None,
            port: None,
        }
    }

    /// Resolves the Service to a ready pod, listens, and forwards until stopped.
    #[tracing::instrument(skip(self), fields(context = %self.cfg.context(), instance = %self.instance))]
    pub async fn start(&self) -> Result<Forward, ActionError> {
        let cfg = self.cfg;
        let ns = cfg.namespace(&self.namespace);
        let rec = record::load(cfg, &ns, &self.instance).await?;
        let def = cfg.definition(&rec.definition)?;
        let target = resolve(cfg, def, &rec).await?;
        let listener = TcpListener::bind(("127.0.0.1", self.port.unwrap_or(0)))
            .await
            .map_err(|e| {
                ActionError::InvalidInput(format!(
                    "cannot listen on 127.0.0.1:{}: {e}",
                    self.port.unwrap_or(0)
                ))
            })?;
        let local = listener
            .local_addr()
            .map_err(|e| ActionError::InvalidInput(format!("cannot listen: {e}")))?;
        let credential = def.spec.connection.password_credential.clone();
        let uri = def
            .connection_uri_on(
                &local.ip().to_string(),
                local.port(),
                &rec.parameters,
                credential.as_ref().map(|_| MASK_PLACEHOLDER),
            )?
            .replace(MASK_PLACEHOLDER, PASSWORD_MASK);
        let user = def.connection_user(&rec.parameters)?;
        let info = ForwardInfo {
            context: cfg.context().to_owned(),
            namespace: ns.clone(),
            instance: rec.instance.clone(),
            local,
            service: target.service.clone(),
            service_port: def.spec.connection.port,
            pod: target.pod.clone(),
            pod_port: target.pod_port,
            protocol: def.spec.connection.protocol.clone(),
            user,
            uri,
            has_password: credential.is_some(),
        };
        let cancel = CancellationToken::new();
        let pods: Api<Pod> = Api::namespaced(cfg.cluster.client(), &ns);
        let task = tokio::spawn(serve(
            listener,
            pods,
            target.pod,
            target.pod_port,
            cancel.clone(),
        ));
        tracing::info!(
            "forwarding {local} to pod {} port {}",
            info.pod,
            info.pod_port
        );
        Ok(Forward {
            info,
            cancel,
            task: Some(task),
            catalog: cfg.catalog.clone(),
            definition: rec.definition.clone(),
            values: rec.parameters,
            credential,
        })
    }
}

/// The pod and port a forward goes to.
struct Target {
    service: String,
    pod: String,
    pod_port: u16,
}

async fn resolve(cfg: &Config, def: &Definition, rec: &Record) -> Result<Target, ActionError> {
    let ns = &rec.namespace;
    let name = def
        .spec
        .connection
        .service
        .replace("{instance}", &rec.instance);
    let services: Api<Service> = Api::namespaced(cfg.cluster.client(), ns);
    let service = services
        .get_opt(&name)
        .await
        .map_err(|e| cfg.kube_error(format!("read Service {ns}/{name}"), e))?
        .ok_or_else(|| {
            ActionError::NotFound(format!(
                "the client Service {name} of {} is missing in {ns}; `berth status {}` shows what is wrong",
                rec.instance, rec.instance
            ))
        })?;
    let spec = service.spec.unwrap_or_default();
    let port = spec
        .ports
        .unwrap_or_default()
        .into_iter()
        .find(|p| p.port == i32::from(def.spec.connection.port))
        .ok_or_else(|| {
            ActionError::NotFound(format!(
                "Service {ns}/{name} has no port {}",
                def.spec.connection.port
            ))
        })?;
    let selector = spec
        .selector
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    if selector.is_empty() {
        return Err(ActionError::Unsupported(format!(
            "Service {ns}/{name} has no selector: there is no pod to forward to"
        )));
    }
    let pods: Api<Pod> = Api::namespaced(cfg.cluster.client(), ns);
    let mut list = pods
        .list(&ListParams::default().labels(&selector))
        .await
        .map_err(|e| cfg.kube_error(format!("list the pods of Service {ns}/{name}"), e))?
        .items;
    list.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    let pod = list.into_iter().find(pod_ready).ok_or_else(|| {
        ActionError::Unsupported(format!(
            "no pod behind Service {ns}/{name} is ready; `berth status {}` shows why (a stopped service starts with `berth start {}`)",
            rec.instance, rec.instance
        ))
    })?;
    let pod_port = match port.target_port {
        Some(IntOrString::Int(n)) => u16::try_from(n).ok(),
        Some(IntOrString::String(named)) => pod
            .spec
            .as_ref()
            .into_iter()
            .flat_map(|s| s.containers.iter())
            .flat_map(|c| c.ports.iter().flatten())
            .find(|p| p.name.as_deref() == Some(named.as_str()))
            .and_then(|p| u16::try_from(p.container_port).ok()),
        None => u16::try_from(port.port).ok(),
    }
    .ok_or_else(|| {
        ActionError::NotFound(format!(
            "the target port of Service {ns}/{name} matches no port of its pods"
        ))
    })?;
    Ok(Target {
        service: name,
        pod: pod.metadata.name.unwrap_or_default(),
        pod_port,
    })
}

fn pod_ready(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_none()
        && pod
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// Accepts local connections until cancelled; each gets its own port-forward.
async fn serve(
    listener: TcpListener,
    pods: Api<Pod>,
    pod: String,
    port: u16,
    cancel: CancellationToken,
) {
    loop {
        let accepted = tokio::select! {
            _ = cancel.cancelled() => return,
            a = listener.accept() => a,
        };
        match accepted {
            Ok((socket, peer)) => {
                tracing::debug!("connection from {peer}");
                tokio::spawn(forward_one(
                    socket,
                    pods.clone(),
                    pod.clone(),
                    port,
                    cancel.clone(),
                ));
            }
            Err(e) => tracing::warn!("cannot accept a connection: {e}"),
        }
    }
}

async fn forward_one(
    mut socket: TcpStream,
    pods: Api<Pod>,
    pod: String,
    port: u16,
    cancel: CancellationToken,
) {
    let mut forwarder = match pods.portforward(&pod, &[port]).await {
        Ok(f) => f,
        Err(e) => {
            tracing::warn!("cannot open a port-forward to pod {pod} port {port}: {e}");
            return;
        }
    };
    let Some(mut upstream) = forwarder.take_stream(port) else {
        return;
    };
    tokio::select! {
        _ = cancel.cancelled() => {}
        r = tokio::io::copy_bidirectional(&mut socket, &mut upstream) => {
            if let Err(e) = r {
                tracing::debug!("forwarded connection to {pod} ended: {e}");
            }
        }
    }
    drop(upstream);
    forwarder.abort();
}
