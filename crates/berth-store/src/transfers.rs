//! The journal of transfers between clusters (DESIGN.md §2, "Move / copy / standby"): what a
//! transfer is, each step it ran with its outcome, the bytes and digests of its stream. A
//! transfer is `running` until it gets an outcome; one whose process died stays `running` with
//! the pid of that process, so the next start of Berth reports it and `resume` continues from
//! its last finished step.

use rusqlite::{OptionalExtension, Row, params};
use time::OffsetDateTime;

use crate::revisions::os_user;
use crate::time_fmt;
use crate::{Result, Store, StoreError};

text_enum! {
    /// What a transfer is for.
    TransferKind {
        /// The instance leaves its cluster for another one.
        Move = "move",
        /// A second instance with the same data; the source keeps serving.
        Copy = "copy",
        /// A copy kept stopped as the standby of its source.
        Standby = "standby",
        /// A standby refreshed from its active instance.
        Sync = "sync",
        /// A standby made the active instance.
        Promote = "promote",
    }
}

text_enum! {
    /// Where a transfer stands.
    TransferStatus {
        /// Under way, or interrupted when its process is gone.
        Running = "running",
        /// Stopped on an error; resumable or abortable.
        Failed = "failed",
        /// Finished.
        Succeeded = "succeeded",
        /// Undone: the half-made target removed, the source unfenced.
        Aborted = "aborted",
    }
}

text_enum! {
    /// Where a step stands.
    StepStatus {
        /// Started, no outcome yet.
        Running = "running",
        /// Finished.
        Succeeded = "succeeded",
        /// Stopped on an error.
        Failed = "failed",
    }
}

/// A transfer about to be journaled.
#[derive(Debug, Clone)]
pub struct NewTransfer<'a> {
    /// What it is for.
    pub kind: TransferKind,
    /// The transfer this one belongs to (a standby's sync), if any.
    pub parent_id: Option<i64>,
    /// `(context, namespace, instance)` of the source.
    pub source: (&'a str, &'a str, &'a str),
    /// `(context, namespace, instance)` of the target.
    pub target: (&'a str, &'a str, &'a str),
    /// The catalog definition id.
    pub definition: &'a str,
    /// The source's version.
    pub version: &'a str,
    /// The target's version (another one for a copy into a new version).
    pub target_version: &'a str,
    /// Everything else needed to resume it (non-secret: overrides, storage class map, flags).
    pub options: &'a serde_json::Value,
    /// The expected stream size, when the definition could say.
    pub expected_bytes: Option<u64>,
}

/// One journaled transfer.
#[derive(Debug, Clone, PartialEq)]
pub struct Transfer {
    /// The row id, shown to users as the transfer's id.
    pub id: i64,
    /// What it is for.
    pub kind: TransferKind,
    /// The transfer this one belongs to.
    pub parent_id: Option<i64>,
    /// Where it stands.
    pub status: TransferStatus,
    /// `(context, namespace, instance)` of the source.
    pub source: (String, String, String),
    /// `(context, namespace, instance)` of the target.
    pub target: (String, String, String),
    /// The catalog definition id.
    pub definition: String,
    /// The source's version.
    pub version: String,
    /// The target's version.
    pub target_version: String,
    /// The options it was started with.
    pub options: serde_json::Value,
    /// Whether the source is fenced now (recorded in its record ConfigMap too).
    pub fenced: bool,
    /// The expected stream size.
    pub expected_bytes: Option<u64>,
    /// Bytes streamed (the last stream's count).
    pub bytes: u64,
    /// sha256 of the stream as the source sent it.
    pub source_sha256: Option<String>,
    /// sha256 of the stream as the target received it.
    pub target_sha256: Option<String>,
    /// The definition's verify digest on the source.
    pub source_digest: Option<String>,
    /// The definition's verify digest on the target.
    pub target_digest: Option<String>,
    /// When the consistent point the target holds was taken.
    pub data_as_of: Option<OffsetDateTime>,
    /// The operating-system user who started it.
    pub os_user: String,
    /// The process running it (last one to resume it).
    pub pid: Option<u32>,
    /// When it started.
    pub started_at: OffsetDateTime,
    /// When it got its outcome.
    pub finished_at: Option<OffsetDateTime>,
    /// Why it failed.
    pub error: Option<String>,
    /// Its steps, in the order they started.
    pub steps: Vec<TransferStep>,
}

/// One step of a transfer.
#[derive(Debug, Clone, PartialEq)]
pub struct TransferStep {
    /// The step name (`plan`, `provision`, `fence`, `stream`, `verify`, `cutover`).
    pub step: String,
    /// Where it stands.
    pub status: StepStatus,
    /// When it (last) started.
    pub started_at: OffsetDateTime,
    /// When it got its outcome.
    pub finished_at: Option<OffsetDateTime>,
    /// What it found or did, as JSON (non-secret).
    pub detail: Option<serde_json::Value>,
    /// Why it failed.
    pub error: Option<String>,
}

/// Fields of a transfer to change; `None` keeps the stored value.
#[derive(Debug, Clone, Default)]
pub struct TransferUpdate {
    /// Whether the source is fenced.
    pub fenced: Option<bool>,
    /// Bytes streamed.
    pub bytes: Option<u64>,
    /// The expected stream size.
    pub expected_bytes: Option<u64>,
    /// sha256 of the stream as sent.
    pub source_sha256: Option<String>,
    /// sha256 of the stream as received.
    pub target_sha256: Option<String>,
    /// Verify digest on the source.
    pub source_digest: Option<String>,
    /// Verify digest on the target.
    pub target_digest: Option<String>,
    /// When the consistent point was taken.
    pub data_as_of: Option<OffsetDateTime>,
}

const SELECT: &str = "SELECT id, kind, parent_id, status, source_context, source_namespace,
    source_instance, target_context, target_namespace, target_instance, definition, version,
    target_version, options, fenced, expected_bytes, bytes, source_sha256, target_sha256,
    source_digest, target_digest, data_as_of, os_user, pid, started_at, finished_at, error
    FROM transfers";

fn corrupt(what: &str) -> impl Fn(serde_json::Error) -> StoreError + '_ {
    move |e| StoreError::Corrupt(format!("{what}: {e}"))
}

fn transfer_from_row(row: &Row<'_>) -> rusqlite::Result<Result<Transfer>> {
    let kind: String = row.get("kind")?;
    let status: String = row.get("status")?;
    let options: String = row.get("options")?;
    let data_as_of: Option<String> = row.get("data_as_of")?;
    let started_at: String = row.get("started_at")?;
    let finished_at: Option<String> = row.get("finished_at")?;
    let id: i64 = row.get("id")?;
    let fixed = Transfer {
        id,
        kind: TransferKind::Move,
        parent_id: row.get("parent_id")?,
        status: TransferStatus::Running,
        source: (
            row.get("source_context")?,
            row.get("source_namespace")?,
            row.get("source_instance")?,
        ),
        target: (
            row.get("target_context")?,
            row.get("target_namespace")?,
            row.get("target_instance")?,
        ),
        definition: row.get("definition")?,
        version: row.get("version")?,
        target_version: row.get("target_version")?,
        options: serde_json::Value::Null,
        fenced: row.get::<_, i64>("fenced")? != 0,
        expected_bytes: row
            .get::<_, Option<i64>>("expected_bytes")?
            .map(|b| b as u64),
        bytes: row.get::<_, i64>("bytes")? as u64,
        source_sha256: row.get("source_sha256")?,
        target_sha256: row.get("target_sha256")?,
        source_digest: row.get("source_digest")?,
        target_digest: row.get("target_digest")?,
        data_as_of: None,
        os_user: row.get("os_user")?,
        pid: row.get("pid")?,
        started_at: OffsetDateTime::UNIX_EPOCH,
        finished_at: None,
        error: row.get("error")?,
        steps: Vec::new(),
    };
    Ok((|| {
        Ok(Transfer {
            kind: TransferKind::parse(&kind)?,
            status: TransferStatus::parse(&status)?,
            options: serde_json::from_str(&options).map_err(corrupt("transfer options"))?,
            data_as_of: data_as_of.as_deref().map(time_fmt::parse).transpose()?,
            started_at: time_fmt::parse(&started_at)?,
            finished_at: finished_at.as_deref().map(time_fmt::parse).transpose()?,
            ..fixed
        })
    })())
}

fn step_from_row(row: &Row<'_>) -> rusqlite::Result<Result<TransferStep>> {
    let status: String = row.get("status")?;
    let started_at: String = row.get("started_at")?;
    let finished_at: Option<String> = row.get("finished_at")?;
    let detail: Option<String> = row.get("detail")?;
    let step: String = row.get("step")?;
    let error: Option<String> = row.get("error")?;
    Ok((|| {
        Ok(TransferStep {
            status: StepStatus::parse(&status)?,
            started_at: time_fmt::parse(&started_at)?,
            finished_at: finished_at.as_deref().map(time_fmt::parse).transpose()?,
            detail: detail
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(corrupt("transfer step detail"))?,
            step,
            error,
        })
    })())
}

impl Store {
    /// Journals a new `running` transfer owned by this process and returns it.
    pub fn begin_transfer(&self, new: &NewTransfer<'_>) -> Result<Transfer> {
        let id = {
            let conn = self.conn();
            conn.execute(
                "INSERT INTO transfers (kind, parent_id, status, source_context, source_namespace,
                     source_instance, target_context, target_namespace, target_instance, definition,
                     version, target_version, options, expected_bytes, os_user, pid, started_at)
                 VALUES (?1, ?2, 'running', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                params![
                    new.kind.as_str(),
                    new.parent_id,
                    new.source.0,
                    new.source.1,
                    new.source.2,
                    new.target.0,
                    new.target.1,
                    new.target.2,
                    new.definition,
                    new.version,
                    new.target_version,
                    new.options.to_string(),
                    new.expected_bytes.map(|b| b as i64),
                    os_user(),
                    std::process::id(),
                    time_fmt::now(),
                ],
            )?;
            conn.last_insert_rowid()
        };
        self.require_transfer(id)
    }

    /// One transfer with its steps.
    pub fn transfer(&self, id: i64) -> Result<Option<Transfer>> {
        let found = self
            .conn()
            .query_row(&format!("{SELECT} WHERE id = ?1"), [id], transfer_from_row)
            .optional()?;
        match found {
            Some(t) => {
                let mut t = t?;
                t.steps = self.transfer_steps(id)?;
                Ok(Some(t))
            }
            None => Ok(None),
        }
    }

    fn require_transfer(&self, id: i64) -> Result<Transfer> {
        self.transfer(id)?
            .ok_or_else(|| StoreError::NotFound(format!("transfer {id}")))
    }

    /// Transfers, newest first, at most `limit`, each with its steps.
    pub fn transfers(&self, limit: u32) -> Result<Vec<Transfer>> {
        self.query_transfers(&format!("{SELECT} ORDER BY id DESC LIMIT ?1"), [limit])
    }

    /// Transfers without an outcome (`running`, possibly interrupted) or `failed` (resumable),
    /// oldest first.
    pub fn unfinished_transfers(&self) -> Result<Vec<Transfer>> {
        self.query_transfers(
            &format!("{SELECT} WHERE status IN ('running', 'failed') ORDER BY id"),
            [],
        )
    }

    fn query_transfers(&self, sql: &str, params: impl rusqlite::Params) -> Result<Vec<Transfer>> {
        let found: Vec<Result<Transfer>> = {
            let conn = self.conn();
            let mut stmt = conn.prepare_cached(sql)?;
            let rows = stmt.query_map(params, transfer_from_row)?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        found
            .into_iter()
            .map(|t| {
                let mut t = t?;
                t.steps = self.transfer_steps(t.id)?;
                Ok(t)
            })
            .collect()
    }

    fn transfer_steps(&self, id: i64) -> Result<Vec<TransferStep>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT step, status, started_at, finished_at, detail, error FROM transfer_steps
             WHERE transfer_id = ?1 ORDER BY started_at, rowid",
        )?;
        let rows = stmt.query_map([id], step_from_row)?;
        rows.map(|r| r?).collect()
    }

    /// Marks a step `running` (again, when a resume repeats it).
    pub fn begin_transfer_step(&self, id: i64, step: &str) -> Result<()> {
        self.conn().execute(
            "INSERT INTO transfer_steps (transfer_id, step, status, started_at) VALUES (?1, ?2, 'running', ?3)
             ON CONFLICT (transfer_id, step) DO UPDATE SET status = 'running', started_at = ?3,
                 finished_at = NULL, error = NULL",
            params![id, step, time_fmt::now()],
        )?;
        Ok(())
    }

    /// Gives a step its outcome, with what it found (`detail`, non-secret JSON).
    pub fn finish_transfer_step(
        &self,
        id: i64,
        step: &str,
        detail: Option<&serde_json::Value>,
        outcome: std::result::Result<(), &str>,
    ) -> Result<()> {
        let (status, error) = match outcome {
            Ok(()) => (StepStatus::Succeeded, None),
            Err(e) => (StepStatus::Failed, Some(e)),
        };
        let changed = self.conn().execute(
            "UPDATE transfer_steps SET status = ?3, finished_at = ?4, detail = ?5, error = ?6
             WHERE transfer_id = ?1 AND step = ?2",
            params![
                id,
                step,
                status.as_str(),
                time_fmt::now(),
                detail.map(|d| d.to_string()),
                error
            ],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!(
                "step {step} of transfer {id}"
            )));
        }
        Ok(())
    }

    /// Changes the fields of `update` that are set.
    pub fn update_transfer(&self, id: i64, update: &TransferUpdate) -> Result<()> {
        self.conn().execute(
            "UPDATE transfers SET
                 fenced = COALESCE(?2, fenced),
                 bytes = COALESCE(?3, bytes),
                 expected_bytes = COALESCE(?4, expected_bytes),
                 source_sha256 = COALESCE(?5, source_sha256),
                 target_sha256 = COALESCE(?6, target_sha256),
                 source_digest = COALESCE(?7, source_digest),
                 target_digest = COALESCE(?8, target_digest),
                 data_as_of = COALESCE(?9, data_as_of)
             WHERE id = ?1",
            params![
                id,
                update.fenced.map(i64::from),
                update.bytes.map(|b| b as i64),
                update.expected_bytes.map(|b| b as i64),
                update.source_sha256,
                update.target_sha256,
                update.source_digest,
                update.target_digest,
                update.data_as_of.map(time_fmt::format),
            ],
        )?;
        Ok(())
    }

    /// This process takes a transfer over (a resume): `running` again, its pid recorded.
    pub fn claim_transfer(&self, id: i64) -> Result<Transfer> {
        self.conn().execute(
            "UPDATE transfers SET status = 'running', pid = ?2, finished_at = NULL, error = NULL
             WHERE id = ?1",
            params![id, std::process::id()],
        )?;
        self.require_transfer(id)
    }

    /// Gives a transfer its outcome: `Ok(status)` or `Err(message)` for `failed`.
    pub fn finish_transfer(
        &self,
        id: i64,
        outcome: std::result::Result<TransferStatus, &str>,
    ) -> Result<Transfer> {
        let (status, error) = match outcome {
            Ok(status) => (status, None),
            Err(e) => (TransferStatus::Failed, Some(e)),
        };
        self.conn().execute(
            "UPDATE transfers SET status = ?2, error = ?3, finished_at = ?4 WHERE id = ?1",
            params![id, status.as_str(), error, time_fmt::now()],
        )?;
        self.require_transfer(id)
    }
}
