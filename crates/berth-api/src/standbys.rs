//! Standbys for every client: create, sync, promote (planned or forced), list and drop, with
//! the progress events of a transfer (see `berth_actions::transfer::standby`).
//!
//! The transfer futures are boxed here (and in `transfers`): inline, a promote's state machine
//! is over a megabyte in a debug build and overflows a 2 MiB thread stack in any caller that
//! polls it there (a `#[tokio::test]` body, `block_on`).

use std::time::Duration;

use berth_actions::TransferOptions;
use berth_actions::transfer::TransferEvent;
use berth_actions::transfer::standby::{self, Pairing};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::instances::action_error;
use crate::transfers::{TransferInfo, TransferProgress, info};
use crate::{Api, ApiError, ErrorCode};

/// How long a command waits for an old active's cluster before leaving its fence for later.
const FENCE_RETURNED_BUDGET: Duration = Duration::from_secs(15);

/// A standby to create.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct StandbyInput {
    /// The active's context (default: the current one).
    pub context: Option<String>,
    /// The standby's context.
    pub on: String,
    /// The instance, namespaces, storage-class map and overrides.
    pub options: TransferOptions,
}

/// Where a pair stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum StandbyState {
    /// The standby is stopped, fenced and paired: it can be synced or promoted.
    Ready,
    /// A forced promote's old active has not been fenced yet: its cluster has not answered
    /// since. It is fenced as soon as any Berth command reaches that cluster.
    OldActiveNotFenced,
    /// The last sync failed before it streamed (its error is kept); the standby holds the
    /// data of the sync before it.
    LastSyncFailed,
    /// A sync stopped while streaming (or is streaming now): the standby's data is partly
    /// replaced until a sync succeeds, and a forced promote is refused.
    Incomplete,
}

impl std::fmt::Display for StandbyState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Ready => "ready",
            Self::OldActiveNotFenced => "old active not fenced",
            Self::LastSyncFailed => "last sync failed",
            Self::Incomplete => "data incomplete: sync again",
        })
    }
}

/// One active–standby pair.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StandbyInfo {
    /// The pairing's journal id.
    #[ts(type = "number")]
    pub id: i64,
    /// The definition.
    pub definition: String,
    /// `context/namespace/instance` of the active.
    pub active: String,
    /// `context/namespace/instance` of the standby.
    pub standby: String,
    /// The active's context.
    pub active_context: String,
    /// The standby's context.
    pub standby_context: String,
    /// The time of the consistent point the standby holds (RFC 3339); `None` while its data
    /// is incomplete.
    pub data_as_of: Option<String>,
    /// Its age in seconds, now.
    #[ts(type = "number | null")]
    pub data_age_secs: Option<i64>,
    /// Where the pair stands.
    pub state: StandbyState,
    /// The last sync's error.
    pub last_error: Option<String>,
}

impl StandbyInfo {
    /// How long until this pair needs a sync to keep its data within `every` of the active:
    /// zero when it does now (its data older, of unknown age, or incomplete).
    pub fn due_in(&self, every: Duration) -> Duration {
        match (self.state, self.data_age_secs) {
            (StandbyState::Incomplete, _) | (_, None) => Duration::ZERO,
            (_, Some(age)) => every.saturating_sub(Duration::from_secs(age.max(0).unsigned_abs())),
        }
    }
}

fn standby_info(p: Pairing) -> StandbyInfo {
    let t = |p: &(String, String, String)| format!("{}/{}/{}", p.0, p.1, p.2);
    let now = time::OffsetDateTime::now_utc();
    StandbyInfo {
        id: p.id,
        definition: p.definition.clone(),
        active: t(&p.active),
        standby: t(&p.standby),
        active_context: p.active.0.clone(),
        standby_context: p.standby.0.clone(),
        data_as_of: p.data_as_of.and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        }),
        data_age_secs: p.data_as_of.map(|d| (now - d).whole_seconds()),
        state: if p.unfenced_old_active.is_some() {
            StandbyState::OldActiveNotFenced
        } else if p.incomplete {
            StandbyState::Incomplete
        } else if p.last_error.is_some() {
            StandbyState::LastSyncFailed
        } else {
            StandbyState::Ready
        },
        last_error: p.last_error,
    }
}

impl Api {
    fn pairing(&self, name: &str, context: Option<&str>) -> Result<Pairing, ApiError> {
        standby::pairing_of(&self.store, name, context).map_err(action_error)
    }

    /// Fences every old active of a forced promote living in `context` whose cluster answers
    /// again (a short budget: a cluster still down keeps its mark). Returns what was fenced.
    pub async fn fence_returned_actives(&self, context: &str) -> Vec<String> {
        let marked = standby::pairings(&self.store)
            .map(|ps| {
                ps.iter()
                    .any(|p| p.unfenced_old_active.is_some() && p.standby.0 == context)
            })
            .unwrap_or(false);
        if !marked {
            return Vec::new();
        }
        let Ok(cfg) = self.action_config_unchecked(Some(context)).await else {
            return Vec::new();
        };
        match tokio::time::timeout(FENCE_RETURNED_BUDGET, standby::fence_returned(&cfg)).await {
            Ok(Ok(done)) => done,
            Ok(Err(e)) => {
                tracing::warn!(%e, context, "an old active could not be fenced yet");
                Vec::new()
            }
            Err(_) => Vec::new(),
        }
    }

    /// Creates a standby on another context: a consistent online copy, kept stopped and fenced.
    pub async fn create_standby(
        &self,
        input: &StandbyInput,
        progress: &(dyn Fn(TransferProgress) + Send + Sync),
    ) -> Result<TransferInfo, ApiError> {
        if input.on.is_empty() {
            return Err(ApiError::new(
                ErrorCode::InvalidInput,
                "a standby needs the context it lives in (--on CONTEXT)",
            ));
        }
        let target = self.action_config(Some(&input.on)).await?;
        let active = self.action_config(input.context.as_deref()).await?;
        let sink = |e: TransferEvent| progress(e.into());
        let out = Box::pin(standby::create(
            &active,
            &target,
            input.options.clone(),
            &sink,
        ))
        .await
        .map_err(action_error)?;
        Ok(info(out.journal, false))
    }

    /// Refreshes the standby of `name` (its active or its standby) from the active.
    pub async fn sync_standby(
        &self,
        name: &str,
        context: Option<&str>,
        progress: &(dyn Fn(TransferProgress) + Send + Sync),
    ) -> Result<TransferInfo, ApiError> {
        let p = self.pairing(name, context)?;
        let active = self.action_config(Some(&p.active.0)).await?;
        let target = self.action_config(Some(&p.standby.0)).await?;
        let sink = |e: TransferEvent| progress(e.into());
        let out = Box::pin(standby::sync(&active, &target, &p, &sink))
            .await
            .map_err(action_error)?;
        Ok(info(out.journal, false))
    }

    /// Makes the standby of `name` the active. Planned (`force` false): the active fenced, a
    /// last sync, verify, the old active kept as the new standby. Forced (the active's cluster
    /// unreachable): the standby started from its last sync, the old active marked to be fenced
    /// when its cluster answers; refused while the active answers.
    pub async fn promote_standby(
        &self,
        name: &str,
        context: Option<&str>,
        force: bool,
        progress: &(dyn Fn(TransferProgress) + Send + Sync),
    ) -> Result<TransferInfo, ApiError> {
        let p = self.pairing(name, context)?;
        let target = self.action_config(Some(&p.standby.0)).await?;
        let sink = |e: TransferEvent| progress(e.into());
        let out = if force {
            standby::refuse_incomplete(&p).map_err(action_error)?;
            if self.active_answers(&p).await {
                return Err(ApiError::new(
                    ErrorCode::InvalidInput,
                    format!(
                        "the active {}/{}/{} answers: promote without --force (a planned switch loses no write)",
                        p.active.0, p.active.1, p.active.2
                    ),
                ));
            }
            Box::pin(standby::promote_forced(&target, &p, &sink)).await
        } else {
            let active = self.action_config(Some(&p.active.0)).await?;
            Box::pin(standby::promote(&active, &target, &p, &sink)).await
        }
        .map_err(action_error)?;
        Ok(info(out.journal, false))
    }

    /// Whether the active's record can be read (within a short budget).
    async fn active_answers(&self, p: &Pairing) -> bool {
        let Ok(cfg) = self.action_config_unchecked(Some(&p.active.0)).await else {
            return false;
        };
        matches!(
            tokio::time::timeout(Duration::from_secs(10), standby::answers(&cfg, &p.active)).await,
            Ok(true)
        )
    }

    /// The pair of `name` as the journal holds it (its data age, what a forced promote asks).
    pub fn standby_of(&self, name: &str, context: Option<&str>) -> Result<StandbyInfo, ApiError> {
        Ok(standby_info(self.pairing(name, context)?))
    }

    /// Every pair; old actives of forced promotes whose cluster answers again are fenced first.
    pub async fn standbys(&self) -> Result<Vec<StandbyInfo>, ApiError> {
        let pairs = standby::pairings(&self.store).map_err(action_error)?;
        let mut contexts: Vec<&str> = pairs
            .iter()
            .filter(|p| p.unfenced_old_active.is_some())
            .map(|p| p.standby.0.as_str())
            .collect();
        contexts.dedup();
        for c in contexts {
            self.fence_returned_actives(c).await;
        }
        Ok(standby::pairings(&self.store)
            .map_err(action_error)?
            .into_iter()
            .map(standby_info)
            .collect())
    }

    /// Ends the pairing of `name`; with `delete_data` the standby is uninstalled with its data
    /// (never the active).
    pub async fn drop_standby(
        &self,
        name: &str,
        context: Option<&str>,
        delete_data: bool,
    ) -> Result<StandbyInfo, ApiError> {
        let p = self.pairing(name, context)?;
        let target = self.action_config(Some(&p.standby.0)).await?;
        let active = self.action_config(Some(&p.active.0)).await.ok();
        standby::drop_pairing(active.as_ref(), &target, &p, delete_data)
            .await
            .map_err(action_error)?;
        Ok(standby_info(p))
    }
}

pub(crate) fn typescript_bindings() -> Vec<(String, String)> {
    use crate::dto::binding as one;
    vec![
        one::<StandbyInput>(),
        one::<StandbyState>(),
        one::<StandbyInfo>(),
    ]
}
