//! The append-only history of operations on instances (DESIGN.md §1, "Revision").
//!
//! A revision is written `pending` before the cluster is touched and gets its outcome afterwards;
//! when one succeeds, the instance's earlier succeeded revisions become `superseded`. Rows are
//! never deleted or rewritten otherwise, so an interrupted operation stays visible as `pending`.

use rusqlite::{OptionalExtension, Row, params};
use time::OffsetDateTime;

use crate::time_fmt;
use crate::{Result, Store, StoreError};

/// An enum stored as text, with `as_str`, `parse` and `Display`.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The text stored in the database.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub(crate) fn parse(s: &str) -> Result<Self> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(StoreError::Corrupt(format!(concat!(stringify!($name), " {:?}"), other))),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum! {
    /// What a revision did to its instance.
    Operation {
        /// First installation.
        Install = "install",
        /// A new definition version.
        Upgrade = "upgrade",
        /// New parameters, same version.
        Reconfigure = "reconfigure",
        /// Scaled to zero, data kept.
        Stop = "stop",
        /// Restored from a stop.
        Start = "start",
        /// A rolling restart.
        Restart = "restart",
        /// Back to an earlier revision's parameters and version.
        Rollback = "rollback",
        /// Arrived from another cluster with its data.
        MoveIn = "move-in",
        /// Left for another cluster with its data.
        MoveOut = "move-out",
        /// Removed.
        Uninstall = "uninstall",
        /// An interrupted or failed operation resumed or rolled back (`berth recover`).
        Recover = "recover",
        /// Taken into this machine's history, installed from another one (`berth adopt`).
        Adopt = "adopt",
    }
}

text_enum! {
    /// Where a revision stands.
    RevisionStatus {
        /// Written before the cluster was touched; no outcome yet.
        Pending = "pending",
        /// Completed; the instance is as this revision describes.
        Succeeded = "succeeded",
        /// Did not complete; see the error.
        Failed = "failed",
        /// Succeeded once, then a later revision succeeded.
        Superseded = "superseded",
    }
}

/// A revision about to be written.
#[derive(Debug, Clone)]
pub struct NewRevision<'a> {
    /// The kubeconfig context of the instance.
    pub context: &'a str,
    /// The instance's namespace.
    pub namespace: &'a str,
    /// The instance name.
    pub instance: &'a str,
    /// The catalog definition id (`postgres`).
    pub definition: &'a str,
    /// The definition version.
    pub version: &'a str,
    /// What is being done.
    pub operation: Operation,
    /// The non-secret parameters in force after the operation.
    pub parameters: &'a serde_json::Value,
    /// A digest of the rendered manifests, when something was rendered.
    pub manifest_digest: Option<&'a str>,
}

/// One entry of an instance's history.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    /// The row id, unique across instances.
    pub id: i64,
    /// The kubeconfig context of the instance.
    pub context: String,
    /// The instance's namespace.
    pub namespace: String,
    /// The instance name.
    pub instance: String,
    /// The revision number within the instance, from 1.
    pub revision: u32,
    /// The catalog definition id.
    pub definition: String,
    /// The definition version.
    pub version: String,
    /// What was done.
    pub operation: Operation,
    /// The non-secret parameters in force after the operation.
    pub parameters: serde_json::Value,
    /// A digest of the rendered manifests.
    pub manifest_digest: Option<String>,
    /// Where it stands.
    pub status: RevisionStatus,
    /// The operating-system user who ran it.
    pub os_user: String,
    /// When it started.
    pub started_at: OffsetDateTime,
    /// When it got its outcome.
    pub finished_at: Option<OffsetDateTime>,
    /// Why it failed.
    pub error: Option<String>,
}

struct RawRevision {
    revision: Revision,
    operation: String,
    parameters: String,
    status: String,
    started_at: String,
    finished_at: Option<String>,
}

impl RawRevision {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            revision: Revision {
                id: row.get("id")?,
                context: row.get("context")?,
                namespace: row.get("namespace")?,
                instance: row.get("instance")?,
                revision: row.get("revision")?,
                definition: row.get("definition")?,
                version: row.get("version")?,
                operation: Operation::Install,
                parameters: serde_json::Value::Null,
                manifest_digest: row.get("manifest_digest")?,
                status: RevisionStatus::Pending,
                os_user: row.get("os_user")?,
                started_at: OffsetDateTime::UNIX_EPOCH,
                finished_at: None,
                error: row.get("error")?,
            },
            operation: row.get("operation")?,
            parameters: row.get("parameters")?,
            status: row.get("status")?,
            started_at: row.get("started_at")?,
            finished_at: row.get("finished_at")?,
        })
    }

    fn finish(self) -> Result<Revision> {
        let mut r = self.revision;
        r.operation = Operation::parse(&self.operation)?;
        r.status = RevisionStatus::parse(&self.status)?;
        r.parameters = serde_json::from_str(&self.parameters)
            .map_err(|e| StoreError::Corrupt(format!("revision {} parameters: {e}", r.id)))?;
        r.started_at = time_fmt::parse(&self.started_at)?;
        r.finished_at = self
            .finished_at
            .as_deref()
            .map(time_fmt::parse)
            .transpose()?;
        Ok(r)
    }
}

const SELECT: &str =
    "SELECT id, context, namespace, instance, revision, definition, version, operation,
    parameters, manifest_digest, status, os_user, started_at, finished_at, error FROM revisions";

impl Store {
    /// Writes a new `pending` revision, numbered one past the instance's latest, and returns it.
    pub fn begin_revision(&self, new: &NewRevision<'_>) -> Result<Revision> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let next: u32 = tx.query_row(
            "SELECT COALESCE(MAX(revision), 0) + 1 FROM revisions
             WHERE context = ?1 AND namespace = ?2 AND instance = ?3",
            params![new.context, new.namespace, new.instance],
            |row| row.get(0),
        )?;
        tx.execute(
            "INSERT INTO revisions (context, namespace, instance, revision, definition, version, operation,
                 parameters, manifest_digest, status, os_user, started_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', ?10, ?11)",
            params![
                new.context,
                new.namespace,
                new.instance,
                next,
                new.definition,
                new.version,
                new.operation.as_str(),
                new.parameters.to_string(),
                new.manifest_digest,
                os_user(),
                time_fmt::now(),
            ],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        drop(conn);
        self.revision(id)?
            .ok_or_else(|| StoreError::NotFound(format!("revision {id}")))
    }

    /// Gives a pending revision its outcome: `Ok(())` for success (earlier succeeded revisions of
    /// the instance become superseded), `Err(message)` for failure.
    pub fn finish_revision(
        &self,
        id: i64,
        outcome: std::result::Result<(), &str>,
    ) -> Result<Revision> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let (status, error) = match outcome {
            Ok(()) => (RevisionStatus::Succeeded, None),
            Err(message) => (RevisionStatus::Failed, Some(message)),
        };
        let changed = tx.execute(
            "UPDATE revisions SET status = ?2, error = ?3, finished_at = ?4 WHERE id = ?1 AND status = 'pending'",
            params![id, status.as_str(), error, time_fmt::now()],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!("pending revision {id}")));
        }
        if status == RevisionStatus::Succeeded {
            tx.execute(
                "UPDATE revisions SET status = 'superseded'
                 WHERE status = 'succeeded' AND id <> ?1 AND (context, namespace, instance) =
                     (SELECT context, namespace, instance FROM revisions WHERE id = ?1)",
                [id],
            )?;
        }
        tx.commit()?;
        drop(conn);
        self.revision(id)?
            .ok_or_else(|| StoreError::NotFound(format!("revision {id}")))
    }

    /// One revision by row id.
    pub fn revision(&self, id: i64) -> Result<Option<Revision>> {
        let raw = self
            .conn()
            .query_row(
                &format!("{SELECT} WHERE id = ?1"),
                [id],
                RawRevision::from_row,
            )
            .optional()?;
        raw.map(RawRevision::finish).transpose()
    }

    /// An instance's history, newest first.
    pub fn revisions(
        &self,
        context: &str,
        namespace: &str,
        instance: &str,
    ) -> Result<Vec<Revision>> {
        self.query_revisions(
            &format!("{SELECT} WHERE context = ?1 AND namespace = ?2 AND instance = ?3 ORDER BY revision DESC"),
            params![context, namespace, instance],
        )
    }

    /// The instances of one context that have at least one revision here, as
    /// `(namespace, instance)`: one query for a whole listing (`berth ls` marks each instance it
    /// lists as known to this machine's history or not) instead of one per instance.
    pub fn instances_with_history(
        &self,
        context: &str,
    ) -> Result<std::collections::HashSet<(String, String)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT DISTINCT namespace, instance FROM revisions WHERE context = ?1",
        )?;
        let rows = stmt.query_map([context], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every revision still `pending`: operations that were interrupted, oldest first.
    pub fn pending_revisions(&self) -> Result<Vec<Revision>> {
        self.query_revisions(
            &format!("{SELECT} WHERE status = 'pending' ORDER BY id"),
            [],
        )
    }

    /// The whole history across instances, newest first, at most `limit` rows.
    pub fn history(&self, limit: u32) -> Result<Vec<Revision>> {
        self.query_revisions(&format!("{SELECT} ORDER BY id DESC LIMIT ?1"), [limit])
    }

    /// The history narrowed to an instance name, context and namespace (each optional), newest
    /// first, at most `limit` rows: filtered and limited in SQL.
    pub fn history_of(
        &self,
        instance: Option<&str>,
        context: Option<&str>,
        namespace: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Revision>> {
        self.query_revisions(
            &format!(
                "{SELECT} WHERE (?1 IS NULL OR instance = ?1) AND (?2 IS NULL OR context = ?2)
                 AND (?3 IS NULL OR namespace = ?3) ORDER BY id DESC LIMIT ?4"
            ),
            params![instance, context, namespace, limit],
        )
    }

    fn query_revisions(&self, sql: &str, params: impl rusqlite::Params) -> Result<Vec<Revision>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params, RawRevision::from_row)?;
        rows.map(|row| row?.finish()).collect()
    }
}

pub(crate) fn os_user() -> String {
    whoami::username()
}
