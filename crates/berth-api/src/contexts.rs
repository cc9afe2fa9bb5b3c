//! Contexts: kubeconfig entries joined with Berth's tags, and reachability probes.

use std::collections::HashMap;
use std::time::Duration;

use crate::timestamps::rfc3339;
use berth_cluster::{LoadedKubeconfig, location, probe};
use time::OffsetDateTime;

use crate::{
    Api, ApiError, ContextInfo, ContextList, ContextProbe, ErrorCode, KubeconfigProblem, Location,
    ProbeFailure,
};

impl Api {
    pub(crate) fn load_kubeconfig(&self) -> Result<LoadedKubeconfig, ApiError> {
        Ok(match &self.kubeconfig {
            Some(paths) => LoadedKubeconfig::load(paths),
            None => LoadedKubeconfig::load_default()?,
        })
    }

    /// Every context in the kubeconfig files in force, with Berth's tags. Reads files and the
    /// local store only: fast, no network. Broken files are reported in `problems`.
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn list_contexts(&self) -> Result<ContextList, ApiError> {
        let kubeconfig = self.load_kubeconfig()?;
        let tags: HashMap<_, _> = self
            .store
            .contexts()?
            .into_iter()
            .map(|r| (r.name.clone(), r))
            .collect();
        let contexts = kubeconfig
            .contexts()
            .into_iter()
            .map(|entry| {
                let record = tags.get(&entry.name).cloned().unwrap_or_default();
                context_info(entry, record)
            })
            .collect();
        Ok(ContextList {
            contexts,
            kubeconfig_files: kubeconfig
                .files
                .iter()
                .map(|f| f.display().to_string())
                .collect(),
            problems: kubeconfig
                .problems
                .iter()
                .map(|p| KubeconfigProblem {
                    file: p.file.display().to_string(),
                    message: p.message.clone(),
                })
                .collect(),
        })
    }

    /// Probes one context (a few seconds at most) and records when it was last reachable.
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn probe_context(&self, name: &str) -> Result<ContextProbe, ApiError> {
        let kubeconfig = self.load_kubeconfig()?;
        kubeconfig.context(name)?;
        self.probe_loaded(&kubeconfig, name).await
    }

    /// Probes every context concurrently.
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn probe_contexts(&self) -> Result<Vec<ContextProbe>, ApiError> {
        let kubeconfig = self.load_kubeconfig()?;
        let names: Vec<String> = kubeconfig.contexts().into_iter().map(|c| c.name).collect();
        let probes = names.iter().map(|n| self.probe_loaded(&kubeconfig, n));
        futures::future::join_all(probes)
            .await
            .into_iter()
            .collect()
    }

    async fn probe_loaded(
        &self,
        kubeconfig: &LoadedKubeconfig,
        name: &str,
    ) -> Result<ContextProbe, ApiError> {
        let outcome = probe::probe(kubeconfig, name, probe_timeout()).await;
        let last_seen = if outcome.reachable {
            let record = self.store.record_reachable(
                name,
                outcome.server_version.as_deref(),
                OffsetDateTime::now_utc(),
            )?;
            record.last_seen
        } else {
            self.store.context(name)?.and_then(|r| r.last_seen)
        };
        Ok(ContextProbe {
            name: outcome.context,
            reachable: outcome.reachable,
            server_version: outcome.server_version,
            latency_ms: u32::try_from(outcome.latency.as_millis()).unwrap_or(u32::MAX),
            failure: outcome.failure.map(|f| ProbeFailure {
                kind: f.kind,
                message: f.message,
                hint: f.hint,
            }),
            last_seen: last_seen.map(rfc3339),
        })
    }

    /// Sets the location of a context, or with `None` goes back to the inferred one.
    #[tracing::instrument(level = "debug", skip(self))]
    pub fn set_context_location(
        &self,
        name: &str,
        location: Option<Location>,
    ) -> Result<ContextInfo, ApiError> {
        let entry = self.load_kubeconfig()?.context(name)?;
        let location = location.map(Location::as_str);
        let record = self.store.set_location_override(name, location)?;
        Ok(context_info(entry, record))
    }

    /// Stars or unstars a context.
    #[tracing::instrument(level = "debug", skip(self))]
    pub fn set_context_favourite(
        &self,
        name: &str,
        favourite: bool,
    ) -> Result<ContextInfo, ApiError> {
        let entry = self.load_kubeconfig()?.context(name)?;
        let record = self.store.set_favourite(name, favourite)?;
        Ok(context_info(entry, record))
    }
}

/// Parses a location as users type it (`laptop`, `cloud`, `private`; `auto` for inferred).
pub fn parse_location(text: &str) -> Result<Option<Location>, ApiError> {
    if text.trim().eq_ignore_ascii_case("auto") {
        return Ok(None);
    }
    Location::parse(text).map(Some).ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidInput,
            format!("unknown location {text:?}: use laptop, cloud, private or auto"),
        )
    })
}

fn probe_timeout() -> Duration {
    std::env::var("BERTH_PROBE_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(probe::DEFAULT_TIMEOUT, Duration::from_millis)
}

fn context_info(
    entry: berth_cluster::ContextEntry,
    record: berth_store::ContextRecord,
) -> ContextInfo {
    let chosen = record
        .location_override
        .as_deref()
        .and_then(berth_cluster::Location::parse);
    let inferred = location::infer(&entry.name, &entry.cluster, entry.server.as_deref());
    ContextInfo {
        location: chosen.unwrap_or(inferred),
        location_inferred: chosen.is_none(),
        favourite: record.favourite,
        last_seen: record.last_seen.map(rfc3339),
        server_version: record.server_version,
        source_file: entry.source_file.display().to_string(),
        name: entry.name,
        cluster: entry.cluster,
        server: entry.server,
        user: entry.user,
        namespace: entry.namespace,
        current: entry.current,
    }
}
