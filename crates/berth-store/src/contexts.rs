//! Berth's tags on kubeconfig contexts: a location the user chose, favourite, and what the last
//! successful probe saw. Rows are created on first write; a context without a row has no tags.

use rusqlite::{OptionalExtension, Row, params};
use time::OffsetDateTime;

use crate::time_fmt;
use crate::{Result, Store};

/// What Berth remembers about one context.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContextRecord {
    /// The kubeconfig context name.
    pub name: String,
    /// The location the user chose (`laptop`, `cloud`, `private`), overriding the inferred one.
    pub location_override: Option<String>,
    /// Whether the user starred the context.
    pub favourite: bool,
    /// When a probe last reached the cluster.
    pub last_seen: Option<OffsetDateTime>,
    /// The server version the last successful probe reported.
    pub server_version: Option<String>,
}

impl ContextRecord {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<(Self, Option<String>)> {
        Ok((
            Self {
                name: row.get("name")?,
                location_override: row.get("location_override")?,
                favourite: row.get("favourite")?,
                last_seen: None,
                server_version: row.get("server_version")?,
            },
            row.get("last_seen")?,
        ))
    }
}

fn finish((mut record, last_seen): (ContextRecord, Option<String>)) -> Result<ContextRecord> {
    record.last_seen = last_seen.as_deref().map(time_fmt::parse).transpose()?;
    Ok(record)
}

const COLUMNS: &str = "name, location_override, favourite, last_seen, server_version";

impl Store {
    /// Every context Berth has tags for, by name.
    pub fn contexts(&self) -> Result<Vec<ContextRecord>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM contexts ORDER BY name"))?;
        let rows = stmt.query_map([], ContextRecord::from_row)?;
        rows.map(|row| finish(row?)).collect()
    }

    /// The tags of one context, or `None` when Berth has none.
    pub fn context(&self, name: &str) -> Result<Option<ContextRecord>> {
        let row = self
            .conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM contexts WHERE name = ?1"),
                [name],
                ContextRecord::from_row,
            )
            .optional()?;
        row.map(finish).transpose()
    }

    /// Sets (or with `None` clears) the location the user chose for a context.
    pub fn set_location_override(
        &self,
        name: &str,
        location: Option<&str>,
    ) -> Result<ContextRecord> {
        self.conn().execute(
            "INSERT INTO contexts (name, location_override, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO UPDATE SET location_override = ?2, updated_at = ?3",
            params![name, location, time_fmt::now()],
        )?;
        self.required(name)
    }

    /// Stars or unstars a context.
    pub fn set_favourite(&self, name: &str, favourite: bool) -> Result<ContextRecord> {
        self.conn().execute(
            "INSERT INTO contexts (name, favourite, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO UPDATE SET favourite = ?2, updated_at = ?3",
            params![name, favourite, time_fmt::now()],
        )?;
        self.required(name)
    }

    /// Records that a probe reached the context at `seen`, reporting `server_version`.
    pub fn record_reachable(
        &self,
        name: &str,
        server_version: Option<&str>,
        seen: OffsetDateTime,
    ) -> Result<ContextRecord> {
        let seen = time_fmt::format(seen);
        self.conn().execute(
            "INSERT INTO contexts (name, last_seen, server_version, updated_at) VALUES (?1, ?2, ?3, ?2)
             ON CONFLICT (name) DO UPDATE SET last_seen = ?2, server_version = ?3, updated_at = ?2",
            params![name, seen, server_version],
        )?;
        self.required(name)
    }

    /// Forgets the tags of a context (for one that left every kubeconfig).
    pub fn forget_context(&self, name: &str) -> Result<bool> {
        Ok(self
            .conn()
            .execute("DELETE FROM contexts WHERE name = ?1", [name])?
            > 0)
    }

    fn required(&self, name: &str) -> Result<ContextRecord> {
        self.context(name)?
            .ok_or_else(|| crate::StoreError::NotFound(format!("context {name:?}")))
    }
}
