//! `Transfer`: a service with its data, credentials and settings from one cluster to another
//! (DESIGN.md §2, "Move / copy / standby"), journaled step by step in SQLite.
//!
//! * [`plan`]: every check before anything is touched, all problems at once, data size.
//! * [`provision`]: the target installed with the same definition, parameters and credentials.
//! * [`fence`]: client traffic kept off the source (a move), recorded on its record ConfigMap.
//! * [`stream`]: export → import exec to exec in constant memory, byte counts and sha256 on
//!   both ends.
//! * [`verify`]: the definition's verify digest on both sides.
//! * [`cutover`]: revisions on both sides, the source stopped (a move), deleted only when asked.
//! * [`journal`] and [`resume`]: steps in the store, resume from the last finished step, abort.

mod cutover;
pub mod fence;
mod journal;
pub mod plan;
mod provision;
pub(crate) mod remote;
mod resume;
pub mod standby;
pub mod stream;
mod tunnel;
mod verify;

use std::time::Duration;

use berth_store::TransferKind;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use journal::interrupted_transfers;
pub use plan::{Check, CheckLevel, TransferPlan};
pub use resume::{abort, resume};
pub use stream::StreamOutcome;

use crate::{ActionError, Config};

/// What a transfer reports while it runs.
#[derive(Debug, Clone, PartialEq)]
pub enum TransferEvent {
    /// A step begins.
    Step(String),
    /// Bytes streamed so far, with the rate (bytes/s) and the ETA when the size is known.
    Bytes {
        /// Bytes so far.
        bytes: u64,
        /// Expected total.
        expected: Option<u64>,
        /// Bytes per second.
        rate: f64,
        /// Seconds left.
        eta_secs: Option<f64>,
        /// The compressor the stream crosses with (`zstd`, `gzip`): the bytes then count the
        /// compressed stream, fewer than the data, and there is no ETA.
        codec: Option<&'static str>,
    },
    /// Something worth saying (a warning, what was skipped).
    Note(String),
}

/// Where transfer events go.
pub type TransferSink<'a> = &'a (dyn Fn(TransferEvent) + Send + Sync);

/// Everything a transfer was asked for (journaled, so a resume continues with the same).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct TransferOptions {
    /// The source instance.
    pub instance: String,
    /// The source namespace (default: the source context's).
    pub namespace: Option<String>,
    /// The target namespace (default: the source's).
    pub to_namespace: Option<String>,
    /// The target instance name (a copy; default: the source's).
    pub name: Option<String>,
    /// Create the target namespace.
    pub create_namespace: bool,
    /// Storage class mapping `from → to`.
    pub storage_class_map: Vec<(String, String)>,
    /// `path=value` overrides for the target.
    pub set: Vec<String>,
    /// Parameter values merged over the source's.
    pub values: Value,
    /// The target version (a copy into another version).
    pub version: Option<String>,
    /// Uninstall the source (with its data) after a verified move.
    pub delete_source: bool,
    /// Refuse a definition without data operations.
    pub require_data: bool,
    /// How long the target may take to become ready, in seconds (default 300).
    #[ts(type = "number | null")]
    pub timeout_secs: Option<u64>,
}

/// A move or copy between two contexts.
#[derive(Debug, Clone)]
pub struct Transfer<'a> {
    pub(crate) source: &'a Config,
    pub(crate) target: &'a Config,
    /// Move or copy.
    pub kind: TransferKind,
    /// What was asked.
    pub options: TransferOptions,
}

/// How a transfer ended.
#[derive(Debug, Clone)]
pub struct TransferOutcome {
    /// The journal id.
    pub id: i64,
    /// The journal row as it ended.
    pub journal: berth_store::Transfer,
}

/// The steps of a transfer, in order.
pub(crate) fn steps(kind: TransferKind, carries_data: bool) -> Vec<&'static str> {
    let data: &[&'static str] = if carries_data {
        &["stream", "verify"]
    } else {
        &[]
    };
    match kind {
        TransferKind::Sync => return [&["start"], data, &["standby"]].concat(),
        TransferKind::Promote => return [&["fence", "start"], data, &["switch"]].concat(),
        _ => {}
    }
    let mut s = vec!["provision"];
    if kind == TransferKind::Move {
        s.push("fence");
    }
    if carries_data {
        s.extend(["stream", "verify"]);
    }
    s.push("cutover");
    if kind == TransferKind::Standby {
        s.push("standby");
    }
    s
}

impl<'a> Transfer<'a> {
    /// A transfer of `instance` from `source` to `target` with default options.
    pub fn new(
        source: &'a Config,
        target: &'a Config,
        kind: TransferKind,
        instance: impl Into<String>,
    ) -> Self {
        Self {
            source,
            target,
            kind,
            options: TransferOptions {
                instance: instance.into(),
                ..TransferOptions::default()
            },
        }
    }

    pub(crate) fn timeout(&self) -> Duration {
        Duration::from_secs(self.options.timeout_secs.unwrap_or(300))
    }

    /// Plans, then runs every step; the plan's problems (all of them) refuse it before
    /// anything is touched.
    #[tracing::instrument(skip(self, sink), fields(source = %self.source.context(), target = %self.target.context(), instance = %self.options.instance))]
    pub async fn run(&self, sink: TransferSink<'_>) -> Result<TransferOutcome, ActionError> {
        sink(TransferEvent::Step("plan".into()));
        let plan = self.plan().await?;
        if let Some(refusal) = plan.refusal() {
            return Err(refusal);
        }
        for c in plan
            .checks
            .iter()
            .filter(|c| c.level == CheckLevel::Warning)
        {
            sink(TransferEvent::Note(format!("{}: {}", c.name, c.message)));
        }
        let mut options = serde_json::to_value(&self.options).unwrap_or_default();
        options["targetValues"] = plan.target_values.clone();
        let row = self
            .source
            .store
            .begin_transfer(&berth_store::NewTransfer {
                kind: self.kind,
                parent_id: None,
                source: (&plan.source.0, &plan.source.1, &plan.source.2),
                target: (&plan.target.0, &plan.target.1, &plan.target.2),
                definition: &plan.definition,
                version: &plan.version,
                target_version: &plan.target_version,
                options: &options,
                expected_bytes: plan.data_bytes,
            })?;
        resume::execute(self, &plan, row.id, sink).await
    }
}
