//! Moves and copies between contexts (the `Transfer` of berth-actions) for every client: plan,
//! run with progress events (step, bytes, rate, ETA), list the journal, resume, abort.

use berth_actions::Transfer;
use berth_actions::transfer::{self, TransferEvent};
use berth_store::TransferKind;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use berth_actions::transfer::{Check, CheckLevel};
pub use berth_actions::{TransferOptions, TransferPlan};

use crate::instances::action_error;
use crate::{Api, ApiError, ErrorCode};

/// What to transfer, and where.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct TransferInput {
    /// `move` or `copy`.
    pub kind: String,
    /// The source context (default: the current one).
    pub context: Option<String>,
    /// The target context.
    pub to: String,
    /// Everything else.
    pub options: TransferOptions,
}

/// One progress event of a transfer.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum TransferProgress {
    /// A step begins.
    Step {
        /// The step.
        step: String,
    },
    /// Bytes streamed.
    Bytes {
        /// So far.
        #[ts(type = "number")]
        bytes: u64,
        /// Expected total.
        #[ts(type = "number | null")]
        expected: Option<u64>,
        /// Bytes per second.
        rate: f64,
        /// Seconds left.
        eta_secs: Option<f64>,
        /// The compressor the stream crosses with (`zstd`, `gzip`): `bytes` then counts the
        /// compressed stream, fewer than the data, and there is no ETA.
        codec: Option<String>,
    },
    /// A note.
    Note {
        /// The text.
        message: String,
    },
}

/// A progress event of one run the desktop app follows (`run` is the id the window chose).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TransferRunEvent {
    /// The run it belongs to.
    pub run: String,
    /// What happened.
    pub progress: TransferProgress,
}

impl From<TransferEvent> for TransferProgress {
    fn from(e: TransferEvent) -> Self {
        match e {
            TransferEvent::Step(step) => Self::Step { step },
            TransferEvent::Bytes {
                bytes,
                expected,
                rate,
                eta_secs,
                codec,
            } => Self::Bytes {
                bytes,
                expected,
                rate,
                eta_secs,
                codec: codec.map(str::to_owned),
            },
            TransferEvent::Note(message) => Self::Note { message },
        }
    }
}

/// One journaled transfer.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TransferInfo {
    /// Its id.
    #[ts(type = "number")]
    pub id: i64,
    /// move, copy...
    pub kind: String,
    /// running, failed, succeeded, aborted.
    pub status: String,
    /// Whether it was interrupted (its process gone) or failed: resume or abort it.
    pub needs_decision: bool,
    /// `context/namespace/instance` of the source.
    pub source: String,
    /// `context/namespace/instance` of the target.
    pub target: String,
    /// Definition and version.
    pub definition: String,
    /// The source's version.
    pub version: String,
    /// The target's version.
    pub target_version: String,
    /// Whether the source is fenced.
    pub fenced: bool,
    /// Bytes streamed.
    #[ts(type = "number")]
    pub bytes: u64,
    /// sha256 of the stream, sent and received.
    pub source_sha256: Option<String>,
    /// sha256 as received.
    pub target_sha256: Option<String>,
    /// Verify digests.
    pub source_digest: Option<String>,
    /// Verify digest of the target.
    pub target_digest: Option<String>,
    /// Steps as `(step, status, error)`.
    pub steps: Vec<(String, String, Option<String>)>,
    /// How long each step took, in seconds, in the order of `steps` (`None` while it runs).
    pub step_secs: Vec<Option<f64>>,
    /// Start time (RFC 3339).
    pub started_at: String,
    /// Why it failed.
    pub error: Option<String>,
}

pub(crate) fn info(t: berth_store::Transfer, decide: bool) -> TransferInfo {
    TransferInfo {
        id: t.id,
        kind: t.kind.to_string(),
        status: t.status.to_string(),
        needs_decision: decide,
        source: format!("{}/{}/{}", t.source.0, t.source.1, t.source.2),
        target: format!("{}/{}/{}", t.target.0, t.target.1, t.target.2),
        definition: t.definition,
        version: t.version,
        target_version: t.target_version,
        fenced: t.fenced,
        bytes: t.bytes,
        source_sha256: t.source_sha256,
        target_sha256: t.target_sha256,
        source_digest: t.source_digest,
        target_digest: t.target_digest,
        step_secs: t
            .steps
            .iter()
            .map(|s| s.finished_at.map(|f| (f - s.started_at).as_seconds_f64()))
            .collect(),
        steps: t
            .steps
            .into_iter()
            .map(|s| (s.step, s.status.to_string(), s.error))
            .collect(),
        started_at: crate::timestamps::rfc3339(t.started_at),
        error: t.error,
    }
}

fn kind_of(text: &str) -> Result<TransferKind, ApiError> {
    match text {
        "move" => Ok(TransferKind::Move),
        "copy" => Ok(TransferKind::Copy),
        other => Err(ApiError::new(
            ErrorCode::InvalidInput,
            format!("unknown transfer kind {other:?}: move or copy"),
        )),
    }
}

impl Api {
    /// Checks a transfer on both clusters without changing anything.
    pub async fn plan_transfer(&self, input: &TransferInput) -> Result<TransferPlan, ApiError> {
        let kind = kind_of(&input.kind)?;
        let source = self.action_config(input.context.as_deref()).await?;
        let target = self.action_config(Some(&input.to)).await?;
        let mut t = Transfer::new(&source, &target, kind, input.options.instance.clone());
        t.options = input.options.clone();
        t.plan().await.map_err(action_error)
    }

    /// Runs a transfer (plan first: its problems refuse it before anything is touched).
    pub async fn run_transfer(
        &self,
        input: &TransferInput,
        progress: &(dyn Fn(TransferProgress) + Send + Sync),
    ) -> Result<TransferInfo, ApiError> {
        let kind = kind_of(&input.kind)?;
        let source = self.action_config(input.context.as_deref()).await?;
        let target = self.action_config(Some(&input.to)).await?;
        let mut t = Transfer::new(&source, &target, kind, input.options.instance.clone());
        t.options = input.options.clone();
        let sink = |e: TransferEvent| progress(e.into());
        let out = Box::pin(t.run(&sink)).await.map_err(action_error)?;
        Ok(info(out.journal, false))
    }

    /// The journal, newest first.
    pub fn transfers(&self, limit: u32) -> Result<Vec<TransferInfo>, ApiError> {
        let decide: Vec<i64> = self.interrupted_transfer_ids()?;
        Ok(self
            .store
            .transfers(limit)?
            .into_iter()
            .map(|t| {
                let d = decide.contains(&t.id);
                info(t, d)
            })
            .collect())
    }

    fn interrupted_transfer_ids(&self) -> Result<Vec<i64>, ApiError> {
        Ok(transfer::interrupted_transfers(&self.store)
            .map_err(action_error)?
            .iter()
            .map(|t| t.id)
            .collect())
    }

    /// Transfers that were interrupted or failed: shown at start-up with resume and abort.
    pub fn interrupted_transfers(&self) -> Result<Vec<TransferInfo>, ApiError> {
        Ok(transfer::interrupted_transfers(&self.store)
            .map_err(action_error)?
            .into_iter()
            .map(|t| info(t, true))
            .collect())
    }

    async fn configs_of(
        &self,
        id: i64,
    ) -> Result<(berth_actions::Config, berth_actions::Config), ApiError> {
        let row = self.store.transfer(id)?.ok_or_else(|| {
            ApiError::new(
                ErrorCode::NotFound,
                format!("no transfer {id} (see `berth transfers`)"),
            )
        })?;
        Ok((
            self.action_config(Some(&row.source.0)).await?,
            self.action_config(Some(&row.target.0)).await?,
        ))
    }

    /// Continues a transfer from its last finished step.
    pub async fn resume_transfer(
        &self,
        id: i64,
        progress: &(dyn Fn(TransferProgress) + Send + Sync),
    ) -> Result<TransferInfo, ApiError> {
        let (source, target) = self.configs_of(id).await?;
        let sink = |e: TransferEvent| progress(e.into());
        let out = Box::pin(transfer::resume(&source, &target, id, &sink))
            .await
            .map_err(action_error)?;
        Ok(info(out.journal, false))
    }

    /// Undoes a transfer: the half-made target removed, the source's fence lifted.
    pub async fn abort_transfer(
        &self,
        id: i64,
        progress: &(dyn Fn(TransferProgress) + Send + Sync),
    ) -> Result<TransferInfo, ApiError> {
        let (source, target) = self.configs_of(id).await?;
        let sink = |e: TransferEvent| progress(e.into());
        let row = Box::pin(transfer::abort(&source, &target, id, &sink))
            .await
            .map_err(action_error)?;
        Ok(info(row, false))
    }
}

/// The TypeScript bindings of this module's DTOs (see [`crate::dto::typescript_bindings`]).
pub(crate) fn typescript_bindings() -> Vec<(String, String)> {
    use crate::dto::binding as one;
    vec![
        one::<TransferInput>(),
        one::<TransferProgress>(),
        one::<TransferRunEvent>(),
        one::<TransferInfo>(),
        one::<TransferOptions>(),
        one::<TransferPlan>(),
        one::<Check>(),
        one::<CheckLevel>(),
    ]
}
