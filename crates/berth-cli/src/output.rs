//! Printing: human tables by default, stable JSON with `-o json`.

use berth_api::ApiError;
use clap::ValueEnum;
use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Aligned columns for people
    Table,
    /// One JSON document on stdout, with a stable schema, for scripts
    Json,
    /// The same document as YAML
    Yaml,
}

/// Prints a line on stdout. A closed pipe (`berth ... | head`) ends the output quietly instead of
/// panicking like `println!`.
pub(crate) fn line(text: impl std::fmt::Display) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{text}").is_err() {
        std::process::exit(0);
    }
}

/// Prints a value as pretty JSON on stdout.
pub(crate) fn json<T: Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => line(text),
        Err(e) => eprintln!("error: cannot encode the result as JSON: {e}"),
    }
}

/// Prints a value as YAML on stdout.
pub(crate) fn yaml<T: Serialize>(value: &T) {
    match serde_yaml::to_string(value) {
        Ok(text) => line(text.trim_end()),
        Err(e) => eprintln!("error: cannot encode the result as YAML: {e}"),
    }
}

/// Prints a value in the structured format asked for; `None` for the table format, which each
/// command prints its own way.
pub(crate) fn structured<T: Serialize>(value: &T, format: Format) -> Option<()> {
    match format {
        Format::Json => json(value),
        Format::Yaml => yaml(value),
        Format::Table => return None,
    }
    Some(())
}

/// A table with Berth's look: no borders, header row, wraps to the terminal.
pub(crate) fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().map(|h| h.to_uppercase()));
    table
}

/// Prints an error: on stderr for people; with `-o json` also as `{"error": {code, message}}` on stdout.
pub(crate) fn error(err: &ApiError, format: Format) {
    if format != Format::Table {
        structured(&serde_json::json!({ "error": err }), format);
    }
    eprintln!("error: {}", err.message);
    if let Some(hint) = err.cli_hint.as_ref().or(err.hint.as_ref()) {
        eprintln!("  {hint}");
    }
}

/// Prints a warning on stderr.
pub(crate) fn warn(message: &str) {
    eprintln!("warning: {message}");
}

/// Asks `question` on the terminal (`[y/N]`); true only for an explicit yes.
pub(crate) fn ask(question: &str) -> bool {
    use std::io::{BufRead, Write};
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    matches!(answer.trim(), "y" | "Y" | "yes")
}

/// Whether a question can be asked: stdin and stderr are both terminals.
pub(crate) fn can_ask() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// The machine's offset from UTC, read once at start (see [`learn_local_offset`]).
static LOCAL_OFFSET: std::sync::OnceLock<time::UtcOffset> = std::sync::OnceLock::new();

/// Reads the machine's offset from UTC (`TZ`, else the system's zone). Call it while the
/// process has a single thread: the `time` crate refuses to read it once others run, as the C
/// library's time zone functions are not thread-safe.
pub(crate) fn learn_local_offset() {
    if let Ok(offset) = time::UtcOffset::current_local_offset() {
        let _ = LOCAL_OFFSET.set(offset);
    }
}

/// A time in the machine's zone (UTC when it could not be read).
pub(crate) fn local(t: time::OffsetDateTime) -> time::OffsetDateTime {
    t.to_offset(LOCAL_OFFSET.get().copied().unwrap_or(time::UtcOffset::UTC))
}

/// An RFC 3339 time as `YYYY-MM-DD HH:MM:SS` in the machine's zone, 24-hour; the text as it
/// came when it is not a time.
pub(crate) fn local_time(rfc3339: &str) -> String {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .map(|t| date_time(local(t)))
        .unwrap_or_else(|_| rfc3339.to_owned())
}

fn date_time(t: time::OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod time_tests {
    #[test]
    fn times_are_written_in_24_hour_form_in_the_given_zone() {
        let t = time::OffsetDateTime::from_unix_timestamp(1_796_596_805).unwrap();
        assert_eq!(super::date_time(t), "2026-12-06 22:40:05");
        let india = time::UtcOffset::from_hms(5, 30, 0).unwrap();
        assert_eq!(super::date_time(t.to_offset(india)), "2026-12-07 04:10:05");
        assert_eq!(super::local_time("not a time"), "not a time");
    }
}
