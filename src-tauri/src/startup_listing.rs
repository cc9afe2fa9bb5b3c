//! The home screen's data, asked for while the webview starts.
//!
//! Services (the home screen) needs the context list and every context's instances. The webview
//! takes a few hundred milliseconds to start, load the UI's script and ask; meanwhile the network
//! is idle. So as soon as the API is open, the shell lists the contexts and asks each one for its
//! instances in the background, and the UI's first `list_context_instances` call for a context
//! takes that answer (or waits for it, if it is still on its way) instead of asking again. A dead
//! cluster's retries and timeout then run while the webview starts, not after.
//!
//! Each answer is used once and only while fresh ([`FRESH_FOR`]); any later call (a refresh, a
//! namespace filter, a window focus) asks the cluster as before.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use berth_api::{Api, ApiError, ContextInstances, ErrorCode};
use futures::FutureExt;
use futures::future::Shared;
use tokio::sync::OnceCell;

/// How long a listing asked at startup may stand in for a fresh one.
const FRESH_FOR: Duration = Duration::from_secs(5);

type Listing = Shared<Pin<Box<dyn Future<Output = Result<ContextInstances, ApiError>> + Send>>>;

/// The listings asked for at startup, each waiting for its first taker.
#[derive(Default, Clone)]
pub(crate) struct StartupListings {
    inner: Arc<Mutex<HashMap<String, (Instant, Listing)>>>,
}

impl StartupListings {
    /// Lists the contexts and starts asking each for its instances (all namespaces), in the
    /// background, once the API in `cell` is open.
    pub(crate) async fn start(&self, cell: Arc<OnceCell<Result<Api, ApiError>>>) {
        let Some(Ok(api)) = cell.get() else { return };
        let contexts = match api.list_contexts().await {
            Ok(list) => list.contexts,
            Err(error) => {
                tracing::debug!(
                    ?error,
                    "no startup listing: the contexts could not be listed"
                );
                return;
            }
        };
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        for context in contexts {
            let (name, cell) = (context.name.clone(), cell.clone());
            let listing: Pin<Box<dyn Future<Output = _> + Send>> = Box::pin(async move {
                match cell.get() {
                    Some(Ok(api)) => api.list_context_instances(&name, None).await,
                    Some(Err(error)) => Err(error.clone()),
                    None => Err(ApiError::new(
                        ErrorCode::Internal,
                        "Berth's data is not open",
                    )),
                }
            });
            let listing = listing.shared();
            // run it now, whether or not the UI asks
            tauri::async_runtime::spawn(listing.clone());
            inner.insert(context.name, (Instant::now(), listing));
        }
    }

    /// The startup listing of `context`, if one was started recently and nobody took it yet.
    pub(crate) fn take(&self, context: &str) -> Option<Listing> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (started, listing) = inner.remove(context)?;
        (started.elapsed() < FRESH_FOR).then_some(listing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A kubeconfig whose only context's API server refuses connections (nothing listens on
    /// port 1), and an API over it in a fresh data folder.
    fn api_over_dead_context(dir: &std::path::Path) -> Arc<OnceCell<Result<Api, ApiError>>> {
        let kubeconfig = dir.join("kubeconfig");
        std::fs::write(
            &kubeconfig,
            "apiVersion: v1\nkind: Config\ncurrent-context: dead\n\
             clusters: [{name: dead, cluster: {server: \"https://127.0.0.1:1\"}}]\n\
             users: [{name: u, user: {token: t}}]\n\
             contexts: [{name: dead, context: {cluster: dead, user: u}}]\n",
        )
        .expect("write the kubeconfig");
        let api = Api::open(Some(&dir.join("home")))
            .expect("open the API")
            .with_kubeconfig(vec![kubeconfig]);
        Arc::new(OnceCell::new_with(Some(Ok(api))))
    }

    #[tokio::test]
    async fn each_context_is_asked_at_startup_and_its_answer_taken_once() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let listings = StartupListings::default();
        listings.start(api_over_dead_context(dir.path())).await;

        assert!(
            listings.take("elsewhere").is_none(),
            "not a kubeconfig context"
        );
        let first = listings
            .take("dead")
            .expect("the context was asked at startup");
        let error = first.await.expect_err("the context refuses connections");
        assert_eq!(error.code, ErrorCode::Cluster, "{error:?}");
        assert!(
            listings.take("dead").is_none(),
            "a later call asks the cluster again"
        );
    }

    #[tokio::test]
    async fn nothing_is_asked_when_the_api_did_not_open() {
        let listings = StartupListings::default();
        let failed = Arc::new(OnceCell::new_with(Some(Err(ApiError::new(
            ErrorCode::Store,
            "unreadable",
        )))));
        listings.start(failed).await;
        assert!(listings.take("dead").is_none());
    }
}
