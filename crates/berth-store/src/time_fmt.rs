//! Timestamps are stored as RFC 3339 text in UTC, which sorts and reads well in SQLite.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::StoreError;

/// Now, as stored.
pub(crate) fn now() -> String {
    format(OffsetDateTime::now_utc())
}

pub(crate) fn format(t: OffsetDateTime) -> String {
    t.format(&Rfc3339)
        .expect("UTC timestamps always format as RFC 3339")
}

pub(crate) fn parse(s: &str) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(s, &Rfc3339)
        .map_err(|e| StoreError::Corrupt(format!("timestamp {s:?}: {e}")))
}
