//! Times as the API hands them out: RFC 3339 text in UTC, the one format every client parses.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// `t` as RFC 3339 (`2026-12-05T13:40:00Z`).
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// The current time as RFC 3339.
pub(crate) fn now() -> String {
    rfc3339(OffsetDateTime::now_utc())
}
