//! One context's instances, on their own: the desktop's Services screen asks every context
//! separately so a reachable cluster is painted as soon as it answers, without waiting for the
//! slowest or a dead one (which [`Api::list_instances`] with `all_contexts` must do, to return one
//! list).

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use ts_rs::TS;

use crate::instances::summary;
use crate::{Api, ApiError, CONTEXT_LIST_TIMEOUT, InstanceSummary};

/// The instances one context holds.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ContextInstances {
    /// The context.
    pub context: String,
    /// Its instances, by namespace and name.
    pub instances: Vec<InstanceSummary>,
}

impl Api {
    /// The instances of one named context (in every namespace, or in `namespace`). A context that
    /// does not answer within [`CONTEXT_LIST_TIMEOUT`] (failing requests retried for at most
    /// [`crate::LIST_RETRY_BUDGET`]) is a [`crate::ErrorCode::Cluster`] error whose message says why; an unknown
    /// context is [`crate::ErrorCode::InvalidInput`].
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn list_context_instances(
        &self,
        context: &str,
        namespace: Option<&str>,
    ) -> Result<ContextInstances, ApiError> {
        self.list_context_instances_within(context, namespace, CONTEXT_LIST_TIMEOUT)
            .await
    }

    /// Like [`Api::list_context_instances`], giving the context at most `timeout` to answer.
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn list_context_instances_within(
        &self,
        context: &str,
        namespace: Option<&str>,
        timeout: Duration,
    ) -> Result<ContextInstances, ApiError> {
        let kubeconfig = self.load_kubeconfig()?;
        // the catalog comes after the listing, with only the definitions it names
        let no_catalog = Arc::new(berth_catalog::Catalog::default());
        let listing = self
            .fetch_listing(&kubeconfig, Some(context), namespace, timeout, no_catalog)
            .await
            .map_err(|(_, e)| e)?;
        let ids = listing.definitions();
        let catalog = if ids.is_empty() {
            berth_catalog::Catalog::default()
        } else {
            self.catalog_only(&ids)?
        };
        let mut instances: Vec<InstanceSummary> =
            listing.judge(&catalog).into_iter().map(summary).collect();
        self.mark_local_history(&mut instances);
        Ok(ContextInstances {
            context: context.to_owned(),
            instances,
        })
    }
}
