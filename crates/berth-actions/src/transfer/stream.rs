//! The stream: the source pod's `export` into the target pod's `import`, exec to exec through
//! Berth, frame by frame ([`tunnel`]: each frame of the export's output is sent on as one frame
//! of the import's input), in constant memory (one frame per end, whatever the size), with
//! bytes, rate and ETA.
//!
//! A cut exec stream can end with exit 0 (the API server closes it cleanly), so the exit code is
//! never trusted alone. Both remote commands run under [`WRAPPER`], a small POSIX `sh` script
//! that counts the bytes and takes a sha256 of what passes through it in the pod (with
//! `openssl dgst` where the image has it, several times faster than coreutils' `sha256sum`
//! on CPUs with SHA instructions, else `sha256sum`; both print the hex digest first) and prints
//! them, with the command's exit code, as a last stderr line (`berth-stream RC BYTES SHA256`).
//! The stream succeeded only when the export exited 0, the source pod's count, Berth's count
//! and the target pod's agree, both pods' digests agree, and the import exited 0 (Berth does
//! not hash what it relays: the two digests and three counts already prove it unchanged). The wrapper also writes
//! the pid of the command to a file, so an abandoned stream's processes are killed
//! ([`kill_leftovers`]), and prints a heartbeat byte to stderr every few seconds, so a long
//! silent phase (an index build) keeps the connection busy for idle timeouts on the way (the
//! kubelet's, load balancers', Berth's own read timeout).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;

use super::remote::{self, Place};
use super::tunnel::{self, Frame};
use super::{TransferEvent, TransferSink};
use crate::{ActionError, Config};

/// How much of each end's stderr is kept for error messages and the wrapper's report.
const TAIL: usize = 16 * 1024;

/// How often both connections are pinged (kube's exec pings every 60 s; proxies' idle limits
/// are often 60 s too).
const PING_EVERY: Duration = Duration::from_secs(30);

/// How often progress is reported.
const PROGRESS_EVERY: Duration = Duration::from_millis(500);

/// How long an end may stay silent (no data, no heartbeat: the wrapper beats every 5 s) before
/// its exec stream counts as cut. A connection closed without an end, or a half-open one
/// behind a dropped network, otherwise never ends.
const SILENCE: Duration = Duration::from_secs(20);

/// When each end of the stream last showed a sign of life, in milliseconds since the start.
struct Liveness {
    started: tokio::time::Instant,
    source: AtomicU64,
    target: AtomicU64,
    /// Berth waits for the import to take what it read: the export is held back by that
    /// (its output, heartbeats included, waits in the exec channel), so its silence says
    /// nothing until the write is done.
    writing: std::sync::atomic::AtomicBool,
}

impl Liveness {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            started: tokio::time::Instant::now(),
            source: AtomicU64::new(0),
            target: AtomicU64::new(0),
            writing: std::sync::atomic::AtomicBool::new(false),
        })
    }

    fn beat(&self, end: &AtomicU64) {
        end.store(self.started.elapsed().as_millis() as u64, Ordering::Relaxed);
    }

    /// Resolves with the name of the first end silent for longer than [`SILENCE`].
    async fn first_silent(&self) -> &'static str {
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let now = self.started.elapsed().as_millis() as u64;
            let limit = SILENCE.as_millis() as u64;
            let writing = self.writing.load(Ordering::Relaxed);
            for (name, end) in [("export", &self.source), ("import", &self.target)] {
                if name == "export" && writing {
                    continue;
                }
                if now.saturating_sub(end.load(Ordering::Relaxed)) > limit {
                    return name;
                }
            }
        }
    }
}

/// The wrapper around `export` and `import` (arguments: mode, pid file, codec, command...).
/// The count and the digest are of the bytes as they cross the exec tunnels: with a codec
/// (`zstd`, `gzip`) the export side measures after compressing and the import side before
/// decompressing, so the pods hash a fraction of the data and their counts equal the bytes
/// Berth relays; the codec's own frame checksum (zstd's xxhash, gzip's CRC-32) covers the
/// data, and a decompressor that fails (a cut or changed stream) fails the import even when the
/// engine took the truncated input with exit 0. The import side also reports the data's size,
/// as the decompressor counted it (`zstd -v`) or, with gzip, as `wc` does. zstd runs without
/// its reader and writer threads where it has the switch (1.5.3 on): between two pipes they
/// cost more in thread switches than they save, about half of its CPU.
pub(crate) const WRAPPER: &str = r#"set -u
mode=$1; pidfile=$2; codec=$3; shift 3
d=$(mktemp -d) || exit 125
trap 'rm -rf "$d" "$pidfile"' EXIT
mkfifo "$d/h" "$d/c" || exit 125
if command -v openssl >/dev/null 2>&1; then sum='openssl dgst -sha256 -r'; else sum=sha256sum; fi
$sum < "$d/h" > "$d/sum" & s=$!
wc -c < "$d/c" > "$d/n" & w=$!
( while sleep 5 4>&-; do printf . >&4; done ) 4>&2 >/dev/null 2>&1 & hb=$!
run() { sh -c 'echo $$ > "$1"; shift; exec "$@"' berth-op "$pidfile" "$@"; }
echo 0 > "$d/zrc"; : > "$d/dn"
z=zstd; [ "$codec" = zstd ] && zstd --no-asyncio -V >/dev/null 2>&1 && z='zstd --no-asyncio'
case $codec in zstd) pack="$z -1 -q -c" ;; gzip) pack='gzip -1 -c' ;; *) pack= ;; esac
case $mode:$codec in
  export:zstd | export:gzip) { run "$@"; echo $? > "$d/rc"; } | { $pack; echo $? > "$d/zrc"; } | tee "$d/h" "$d/c" ;;
  export:*) { run "$@"; echo $? > "$d/rc"; } | tee "$d/h" "$d/c" ;;
  *:zstd) tee "$d/h" "$d/c" | { $z -d -v -c 2> "$d/z"; echo $? > "$d/zrc"; } | run "$@"; echo $? > "$d/rc"
    sed -n 's/.*: *\([0-9][0-9]*\) bytes.*/\1/p' "$d/z" | tail -n 1 > "$d/dn" ;;
  *:gzip) mkfifo "$d/r" || exit 125; wc -c < "$d/r" > "$d/dn" & r=$!
    tee "$d/h" "$d/c" | { gzip -d -c 2> "$d/z"; echo $? > "$d/zrc"; } | tee "$d/r" | run "$@"; echo $? > "$d/rc"
    wait $r ;;
  *) tee "$d/h" "$d/c" | run "$@"; echo $? > "$d/rc" ;;
esac
kill $hb 2>/dev/null
wait $s $w
rc=$(cat "$d/rc"); zrc=$(cat "$d/zrc")
if [ "$rc" = 0 ] && [ "$zrc" != 0 ]; then
  [ -f "$d/z" ] && grep -v -e '^\*\*\*' -e ' bytes *$' "$d/z" >&2
  echo "$codec exited with code $zrc" >&2; rc=$zrc
fi
printf '\nberth-stream %s %s %s %s\n' "$rc" "$(tr -d ' \n' < "$d/n")" "$(cut -c1-64 "$d/sum")" "$(tr -d ' \n' < "$d/dn")" >&2
exit "$rc"
"#;

/// How the data crosses the exec tunnels between the pods. Through a real API server the
/// tunnel is the narrow part, so the stream is compressed whenever both pods have a
/// compressor: a database dump shrinks several times over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// `zstd -1`: fast, and several times smaller for dumps.
    Zstd,
    /// `gzip -1`, where a pod has no zstd.
    Gzip,
    /// As the engine writes it.
    None,
}

impl Codec {
    /// The wrapper's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Codec::Zstd => "zstd",
            Codec::Gzip => "gzip",
            Codec::None => "none",
        }
    }

    /// The best codec both pods have, from what [`CODECS`] printed in each.
    pub(crate) fn common(source: &str, target: &str) -> Self {
        let has = |out: &str, tool: &str| out.split_whitespace().any(|t| t == tool);
        if has(source, "zstd") && has(target, "zstd") {
            Codec::Zstd
        } else if has(source, "gzip") && has(target, "gzip") {
            Codec::Gzip
        } else {
            Codec::None
        }
    }

    /// The best codec both pods have; none when either cannot be asked.
    async fn choose(stream: &Stream<'_>) -> Self {
        let command = vec!["sh".to_owned(), "-c".to_owned(), CODECS.to_owned()];
        let (source, target) = tokio::join!(
            remote::run(
                stream.source,
                &stream.source_place,
                &command,
                "looking for a compressor"
            ),
            remote::run(
                stream.target,
                &stream.target_place,
                &command,
                "looking for a compressor"
            ),
        );
        match (source, target) {
            (Ok(s), Ok(t)) => Self::common(&s, &t),
            _ => Codec::None,
        }
    }
}

/// Prints the compressors a pod has.
const CODECS: &str =
    "for c in zstd gzip; do $c -1 -c </dev/null >/dev/null 2>&1 && echo $c; done; true";

/// One end of a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Export,
    Import,
}

impl Side {
    fn as_str(self) -> &'static str {
        match self {
            Side::Export => "export",
            Side::Import => "import",
        }
    }
}

/// A name for a transfer's streams that no other transfer shares: journal ids repeat across
/// machines (each has its own journal), and two transfers may stream from one pod at once (two
/// people copying the same instance). A digest of the row's id, places and start time.
pub(crate) fn stream_tag(row: &berth_store::Transfer) -> String {
    let mut h = Sha256::new();
    h.update(
        format!(
            "{}\n{:?}\n{:?}\n{}",
            row.id,
            row.source,
            row.target,
            row.started_at.unix_timestamp_nanos()
        )
        .as_bytes(),
    );
    hex::encode(h.finalize())[..16].to_owned()
}

/// The pid file of one side of a transfer's stream, in the pod's `/tmp`.
fn pid_file(tag: &str, side: Side) -> String {
    format!("/tmp/berth-stream-{tag}-{}.pid", side.as_str())
}

/// The wrapped argv of an operation.
fn wrapped(tag: &str, side: Side, codec: Codec, command: &[String]) -> Vec<String> {
    let mut argv = vec![
        "sh".to_owned(),
        "-c".to_owned(),
        WRAPPER.to_owned(),
        "berth-stream".to_owned(),
        side.as_str().to_owned(),
        pid_file(tag, side),
        codec.as_str().to_owned(),
    ];
    argv.extend(command.iter().cloned());
    argv
}

/// Kills what a transfer's stream left running at both ends, the two at once (the processes
/// named by its pid files). Best effort: a pod that is gone has nothing left.
pub(crate) async fn kill_leftovers(
    source: (&Config, &Place),
    target: (&Config, &Place),
    tag: &str,
) {
    tokio::join!(
        kill_leftover(source.0, source.1, tag, Side::Export),
        kill_leftover(target.0, target.1, tag, Side::Import),
    );
}

/// Kills what a transfer's stream left running at one end.
async fn kill_leftover(cfg: &Config, place: &Place, tag: &str, side: Side) {
    let file = pid_file(tag, side);
    let script = format!(
        "f={file}; if [ -f \"$f\" ]; then kill \"$(cat \"$f\")\" 2>/dev/null; rm -f \"$f\"; fi; true"
    );
    let command = vec!["sh".to_owned(), "-c".to_owned(), script];
    if let Err(e) = remote::run(cfg, place, &command, "stopping a leftover stream").await {
        tracing::debug!(%e, "no leftover stream stopped");
    }
}

/// What one end of the wrapper reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EndReport {
    pub(crate) exit_code: i32,
    /// Bytes that crossed this end's exec tunnel.
    pub(crate) bytes: u64,
    /// sha256 of those bytes.
    pub(crate) sha256: String,
    /// The data's size after decompression (the import side of a compressed stream).
    pub(crate) data: Option<u64>,
}

/// Finds the wrapper's last `berth-stream RC BYTES SHA256 [DATA]` line in a stderr tail.
pub(crate) fn parse_report(stderr: &[u8]) -> Option<EndReport> {
    let text = String::from_utf8_lossy(stderr);
    let line = text
        .lines()
        .rev()
        .find_map(|l| l.trim_start_matches('.').strip_prefix("berth-stream "))?;
    let mut parts = line.split_whitespace();
    let exit_code = parts.next()?.parse().ok()?;
    let bytes = parts.next()?.parse().ok()?;
    let sha256 = parts.next()?.to_owned();
    let data = parts.next().and_then(|d| d.parse().ok());
    (sha256.len() == 64).then_some(EndReport {
        exit_code,
        bytes,
        sha256,
        data,
    })
}

/// The stderr of a side without the heartbeat and the report, for error messages.
fn messages(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.trim_start_matches('.'))
        .filter(|l| !l.is_empty() && !l.starts_with("berth-stream "))
        .collect();
    let start = lines.len().saturating_sub(5);
    lines[start..].join("; ")
}

/// What a finished stream carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamOutcome {
    /// Bytes of data moved, as the export wrote them.
    pub bytes: u64,
    /// Bytes that crossed the exec tunnels (fewer than `bytes` when compressed).
    pub wire_bytes: u64,
    /// How they crossed.
    pub codec: Codec,
    /// sha256 (hex) of the stream as the source pod sent it (compressed, with a codec).
    pub source_sha256: String,
    /// sha256 (hex) of the stream as the target pod received it.
    pub target_sha256: String,
    /// How long it took.
    pub elapsed: Duration,
}

/// One stream to run.
pub(crate) struct Stream<'a> {
    /// The transfer's [`stream_tag`]: names its pid files.
    pub(crate) tag: String,
    pub(crate) source: &'a Config,
    pub(crate) source_place: Place,
    pub(crate) export: Vec<String>,
    pub(crate) target: &'a Config,
    pub(crate) target_place: Place,
    pub(crate) import: Vec<String>,
    /// The expected size (for the ETA only: a dump's size differs from the data's).
    pub(crate) expected: Option<u64>,
    pub(crate) cancel: CancellationToken,
}

impl Stream<'_> {
    /// Stops what this stream left running at either end.
    async fn kill_leftovers(&self) {
        kill_leftovers(
            (self.source, &self.source_place),
            (self.target, &self.target_place),
            &self.tag,
        )
        .await;
    }

    /// Runs the stream; any disagreement between the ends is an error saying what differs.
    pub(crate) async fn run(&self, sink: TransferSink<'_>) -> Result<StreamOutcome, ActionError> {
        let started = Instant::now();
        let codec = Codec::choose(self).await;
        // with compression Berth sees fewer bytes than the data has: no ETA against its size
        let expected = self.expected.filter(|_| codec == Codec::None);
        // both ends start at once; one that fails leaves nothing running at the other
        let (export_end, import_end) = tokio::join!(
            tunnel::open(
                self.source,
                &self.source_place,
                wrapped(&self.tag, Side::Export, codec, &self.export),
                false,
            ),
            tunnel::open(
                self.target,
                &self.target_place,
                wrapped(&self.tag, Side::Import, codec, &self.import),
                true,
            ),
        );
        let ((mut export_input, mut export), (mut import, import_output)) =
            match (export_end, import_end) {
                (Ok(e), Ok(i)) => (e, i),
                (Err(error), _) | (_, Err(error)) => {
                    // the end that opened is closed here; what either end started is stopped
                    self.kill_leftovers().await;
                    return Err(error);
                }
            };
        let alive = Liveness::new();
        // the import's output is read beside the copy, so that it never waits on a full pipe
        let mut import_ended = tokio::spawn({
            let alive = alive.clone();
            import_output.drain(TAIL, move || alive.beat(&alive.target))
        });
        let silent = alive.first_silent();
        tokio::pin!(silent);
        let cut = |end: &str| {
            format!(
                "the {end}'s exec stream showed no sign of life for {} s (no data, no heartbeat): cut or hung",
                SILENCE.as_secs()
            )
        };
        let mut pings =
            tokio::time::interval_at(tokio::time::Instant::now() + PING_EVERY, PING_EVERY);

        let mut bytes: u64 = 0;
        let mut export_err = tunnel::Tail::default();
        let mut export_status = None;
        let mut last_report = Instant::now();
        let copied: Result<(), String> = loop {
            let frame = tokio::select! {
                _ = self.cancel.cancelled() => break Err("cancelled".into()),
                end = &mut silent => break Err(cut(end)),
                _ = pings.tick() => {
                    // both connections see traffic both ways, for idle limits on the way
                    let _ = export_input.ping().await;
                    let _ = import.ping().await;
                    continue;
                }
                f = export.next() => f,
            };
            let data = match frame {
                None => break Ok(()),
                Some(Err(e)) => break Err(format!("reading the export failed: {e}")),
                Some(Ok(Frame::Stderr(b))) => {
                    alive.beat(&alive.source);
                    export_err.push(&b, TAIL);
                    continue;
                }
                Some(Ok(Frame::Status(s))) => {
                    export_status = s;
                    break Ok(());
                }
                Some(Ok(Frame::Stdout(b))) => b,
            };
            alive.beat(&alive.source);
            bytes += data.len() as u64;
            alive.writing.store(true, Ordering::Relaxed);
            let written = tokio::select! {
                _ = self.cancel.cancelled() => break Err("cancelled".into()),
                end = &mut silent => break Err(cut(end)),
                w = import.write(&data) => w,
            };
            alive.writing.store(false, Ordering::Relaxed);
            // the export's silence counts again from now
            alive.beat(&alive.source);
            if let Err(e) = written {
                break Err(format!(
                    "the import stopped reading after {bytes} bytes: {e}"
                ));
            }
            if last_report.elapsed() >= PROGRESS_EVERY {
                last_report = Instant::now();
                sink(progress(bytes, expected, started.elapsed(), codec));
            }
        };
        drop((export_input, export));
        let ended = match copied {
            Ok(()) => {
                // end of the export: the import reads its end of file
                let _ = import.close_stdin().await;
                tokio::select! {
                    _ = self.cancel.cancelled() => Err("cancelled".to_owned()),
                    end = &mut silent => Err(cut(end)),
                    e = &mut import_ended => e.map_err(|e| format!("reading the import failed: {e}")),
                }
            }
            Err(e) => Err(e),
        };
        drop(import);
        let ended = match ended {
            Ok(ended) => ended,
            Err(e) => {
                import_ended.abort();
                self.kill_leftovers().await;
                return Err(ActionError::Failed(format!("the stream failed: {e}")));
            }
        };
        sink(progress(bytes, Some(bytes), started.elapsed(), codec));
        let import_status = match ended.error {
            Some(e) => Err(format!("the import's exec stream failed: {e}")),
            None => remote::exited_zero(ended.status.map(|s| *s)),
        };
        let judged = judge(
            bytes,
            codec,
            (
                remote::exited_zero(export_status.map(|s| *s)),
                export_err.bytes(),
            ),
            (import_status, ended.stderr.bytes()),
        );
        if judged.is_err() {
            self.kill_leftovers().await;
        }
        let (data_bytes, sha256) = judged?;
        Ok(StreamOutcome {
            bytes: data_bytes,
            wire_bytes: bytes,
            codec,
            source_sha256: sha256.clone(),
            target_sha256: sha256,
            elapsed: started.elapsed(),
        })
    }
}

/// A progress event: bytes so far, the rate, and an ETA when the size is known.
fn progress(bytes: u64, expected: Option<u64>, elapsed: Duration, codec: Codec) -> TransferEvent {
    let secs = elapsed.as_secs_f64().max(0.001);
    let rate = bytes as f64 / secs;
    let eta_secs = expected
        .filter(|&e| rate > 0.0 && e >= bytes)
        .map(|e| (e - bytes) as f64 / rate);
    TransferEvent::Bytes {
        bytes,
        expected,
        rate,
        eta_secs,
        codec: (codec != Codec::None).then(|| codec.as_str()),
    }
}

/// Whether both ends agree with each other and with what Berth relayed: the data's size and
/// the stream's digest when they do, else what differs. Berth counts the bytes it relays
/// (`wire`) but does not hash them: both ends' counts are compared with Berth's and their
/// digests with each other, which together say the same as a third digest would, for one
/// sha256 less on the way.
fn judge(
    wire: u64,
    codec: Codec,
    (source_status, source_err): (Result<(), String>, &[u8]),
    (target_status, target_err): (Result<(), String>, &[u8]),
) -> Result<(u64, String), ActionError> {
    let fail = |what: String| Err(ActionError::Failed(format!("the stream failed: {what}")));
    let Some(sent) = parse_report(source_err) else {
        return fail(format!(
            "the export did not report its end (the exec stream was cut after {wire} bytes{}){}",
            source_status
                .err()
                .map(|e| format!("; {e}"))
                .unwrap_or_default(),
            with_messages(source_err)
        ));
    };
    if sent.exit_code != 0 || source_status.is_err() {
        return fail(format!(
            "the export exited with code {}{}",
            sent.exit_code,
            with_messages(source_err)
        ));
    }
    if sent.bytes != wire {
        return fail(format!(
            "the export sent {} bytes but Berth received {wire}",
            sent.bytes
        ));
    }
    let Some(received) = parse_report(target_err) else {
        return fail(format!(
            "the import did not report its end{}{}",
            target_status
                .err()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default(),
            with_messages(target_err)
        ));
    };
    let short = received.bytes != sent.bytes;
    if received.exit_code != 0 || target_status.is_err() {
        // an import that stops early also stops reading: say how far it got
        return fail(format!(
            "the import exited with code {}{}{}",
            received.exit_code,
            if short {
                format!(" after reading {} of {} bytes", received.bytes, sent.bytes)
            } else {
                String::new()
            },
            with_messages(target_err)
        ));
    }
    if short || received.sha256 != sent.sha256 {
        return fail(format!(
            "the export sent {} bytes (sha256 {}) but the import received {} (sha256 {})",
            sent.bytes, sent.sha256, received.bytes, received.sha256
        ));
    }
    let data = match (codec, received.data) {
        (Codec::None, _) => received.bytes,
        (_, Some(data)) => data,
        (_, None) => {
            // a decompressor whose count could not be read: the stream is sound, its size unknown
            tracing::warn!(
                "the import did not report the data's size; counting the compressed bytes"
            );
            received.bytes
        }
    };
    Ok((data, received.sha256))
}

fn with_messages(stderr: &[u8]) -> String {
    let m = messages(stderr);
    if m.is_empty() {
        String::new()
    } else {
        format!(": {m}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn reads_the_last_report_after_heartbeats() {
        let stderr = format!("warning: x\n....\nberth-stream 0 12 {SHA}\n");
        assert_eq!(
            parse_report(stderr.as_bytes()),
            Some(EndReport {
                exit_code: 0,
                bytes: 12,
                sha256: SHA.into(),
                data: None,
            })
        );
        assert_eq!(
            parse_report(format!("berth-stream 0 12 {SHA} 40\n").as_bytes()).map(|r| r.data),
            Some(Some(40))
        );
        assert_eq!(parse_report(b"...\nberth-stream 0 12 short\n"), None);
        assert_eq!(parse_report(b"no report"), None);
    }

    #[test]
    fn a_cut_stream_with_exit_zero_is_a_failure() {
        let ok = |b: &[u8]| (Ok(()), b.to_vec());
        let report = format!("berth-stream 0 100 {SHA}\n");
        // cut: no report from the export even though the exec status says success
        let (s, e) = ok(b"...");
        let (t, te) = ok(report.as_bytes());
        let err = judge(50, Codec::None, (s, &e), (t, &te))
            .unwrap_err()
            .to_string();
        assert!(err.contains("cut after 50 bytes"), "{err}");
        // short: the export sent more than arrived
        let (s, e) = ok(report.as_bytes());
        let (t, te) = ok(report.as_bytes());
        let err = judge(60, Codec::None, (s, &e), (t, &te))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("sent 100 bytes but Berth received 60"),
            "{err}"
        );
        // changed on the way: the counts agree, the digests do not
        let other = format!("berth-stream 0 100 {}\n", "0".repeat(64));
        let (s, e) = ok(report.as_bytes());
        let (t, te) = ok(other.as_bytes());
        let err = judge(100, Codec::None, (s, &e), (t, &te))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!(
                "but the import received 100 (sha256 {})",
                "0".repeat(64)
            )),
            "{err}"
        );
        // agreeing ends
        let (s, e) = ok(report.as_bytes());
        let (t, te) = ok(report.as_bytes());
        assert_eq!(
            judge(100, Codec::None, (s, &e), (t, &te)).unwrap(),
            (100, SHA.to_owned())
        );
        // compressed: every count is of the wire; the import names the data's size
        let wire = format!("berth-stream 0 30 {SHA}\n");
        let (s, e) = ok(wire.as_bytes());
        let (t, te) = ok(format!("berth-stream 0 30 {SHA} 100\n").as_bytes());
        assert_eq!(
            judge(30, Codec::Zstd, (s, &e), (t, &te)).unwrap(),
            (100, SHA.to_owned())
        );
        // ... and Berth's count is held to the export's as well
        let (s, e) = ok(wire.as_bytes());
        let (t, te) = ok(format!("berth-stream 0 30 {SHA} 100\n").as_bytes());
        let err = judge(20, Codec::Zstd, (s, &e), (t, &te))
            .unwrap_err()
            .to_string();
        assert!(err.contains("sent 30 bytes but Berth received 20"), "{err}");
        // a failing import
        let bad = format!("ERROR: relation exists\nberth-stream 3 100 {SHA}\n");
        let (s, e) = ok(report.as_bytes());
        let err = judge(100, Codec::None, (s, &e), (Ok(()), bad.as_bytes()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("code 3: ERROR: relation exists"), "{err}");
        // an import that stopped early: its error first, then how far it read
        let bad =
            format!("zstd: premature end\nzstd exited with code 1\nberth-stream 1 40 {SHA}\n");
        let (s, e) = ok(report.as_bytes());
        let err = judge(100, Codec::Zstd, (s, &e), (Ok(()), bad.as_bytes()))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("code 1 after reading 40 of 100 bytes: zstd: premature end"),
            "{err}"
        );
    }

    /// Beats `end` every 5 s, as a wrapper's heartbeat does, forever.
    async fn beating(alive: &Liveness, end: &AtomicU64) {
        loop {
            tokio::time::sleep(Duration::from_secs(5)).await;
            alive.beat(end);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_export_is_not_called_silent_while_berth_waits_on_the_import() {
        let alive = Liveness::new();
        // Berth's write waits on a slow import (an index build) that keeps beating: the
        // export's heartbeats wait behind its data, and that is no sign of a cut
        alive.writing.store(true, Ordering::Relaxed);
        let waited = tokio::time::timeout(Duration::from_secs(120), async {
            tokio::select! {
                end = alive.first_silent() => end,
                () = beating(&alive, &alive.target) => unreachable!(),
            }
        })
        .await;
        assert!(
            waited.is_err(),
            "called {waited:?} silent while waiting on the import"
        );
        // reading again, the export's silence counts: it is reported once over the limit
        alive.writing.store(false, Ordering::Relaxed);
        let end = tokio::select! {
            end = alive.first_silent() => end,
            () = beating(&alive, &alive.target) => unreachable!(),
        };
        assert_eq!(end, "export");
    }

    /// Runs the wrapper as a pod would, exporting `printf hello` with `PATH` as given.
    fn wrapped_hello(path: &std::ffi::OsStr) -> (Vec<u8>, EndReport) {
        let pidfile = tempfile::NamedTempFile::new().unwrap();
        let out = std::process::Command::new("/bin/sh")
            .args(["-c", WRAPPER, "berth-stream", "export"])
            .arg(pidfile.path())
            .args(["none", "printf", "hello"])
            .env("PATH", path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        (out.stdout, parse_report(&out.stderr).expect("a report"))
    }

    #[test]
    fn the_wrapper_reports_the_same_digest_with_and_without_openssl() {
        let hello = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
        let expected = EndReport {
            exit_code: 0,
            bytes: 5,
            sha256: hello.into(),
            data: None,
        };
        let system = std::env::var_os("PATH").unwrap_or_default();
        let (out, report) = wrapped_hello(&system);
        assert_eq!((out.as_slice(), &report), (&b"hello"[..], &expected));

        // a PATH with every tool the wrapper needs but openssl: coreutils' sha256sum
        let bin = tempfile::tempdir().unwrap();
        for tool in "sh mktemp mkfifo rm sha256sum wc sleep tee cat tr cut printf kill".split(' ') {
            let Some(found) = std::env::split_paths(&system)
                .map(|d| d.join(tool))
                .find(|p| p.exists())
            else {
                continue; // a shell builtin here
            };
            std::os::unix::fs::symlink(found, bin.path().join(tool)).unwrap();
        }
        assert!(!bin.path().join("openssl").exists());
        let (out, report) = wrapped_hello(bin.path().as_os_str());
        assert_eq!((out.as_slice(), &report), (&b"hello"[..], &expected));
    }

    /// The export wrapper's output, its first `keep` bytes when given (a cut stream), piped
    /// into the import wrapper, as the stream does, with `codec`: what the import's command
    /// read, the bytes between the two, the export's report and the import's output.
    fn round_trip(
        codec: Codec,
        data: &[u8],
        keep: Option<usize>,
    ) -> (Vec<u8>, usize, EndReport, std::process::Output) {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in");
        let received = dir.path().join("out");
        std::fs::write(&input, data).unwrap();
        let wrapper = |side: &str, command: &[&str]| {
            let mut c = std::process::Command::new("/bin/sh");
            c.args(["-c", WRAPPER, "berth-stream", side])
                .arg(dir.path().join(format!("{side}.pid")))
                .arg(codec.as_str())
                .args(command);
            c
        };
        let export = wrapper("export", &["cat", input.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(export.status.success(), "{export:?}");
        let wire = &export.stdout[..keep.unwrap_or(export.stdout.len())];
        let mut import = wrapper(
            "import",
            &["sh", "-c", "cat > \"$0\"", received.to_str().unwrap()],
        )
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
        std::io::Write::write_all(import.stdin.as_mut().unwrap(), wire).unwrap();
        let import = import.wait_with_output().unwrap();
        (
            std::fs::read(&received).unwrap_or_default(),
            export.stdout.len(),
            parse_report(&export.stderr).expect("the export's report"),
            import,
        )
    }

    /// A dump-like text: it compresses.
    fn dump_like() -> Vec<u8> {
        (0..20_000)
            .flat_map(|i| format!("{i}\tsome row text ü\t{}\n", i * 7).into_bytes())
            .collect()
    }

    fn require(codec: Codec) {
        let found = std::process::Command::new("sh")
            .args(["-c", &format!("command -v {}", codec.as_str())])
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            found,
            "{} is needed by this test (scripts/system-deps.sh)",
            codec.as_str()
        );
    }

    #[test]
    fn each_codec_carries_the_data_and_both_ends_measure_the_wire() {
        let data = dump_like();
        for codec in [Codec::None, Codec::Gzip, Codec::Zstd] {
            if codec != Codec::None {
                require(codec);
            }
            let (received, wire, sent, import) = round_trip(codec, &data, None);
            assert!(import.status.success(), "{codec:?}: {import:?}");
            let got = parse_report(&import.stderr).expect("the import's report");
            assert_eq!(received, data, "{codec:?}");
            // both pods count what crossed, as Berth does, and hash the same bytes
            assert_eq!(
                (sent.bytes, got.bytes),
                (wire as u64, wire as u64),
                "{codec:?}"
            );
            assert_eq!(sent.sha256, got.sha256, "{codec:?}");
            if codec == Codec::None {
                assert_eq!((wire, got.data), (data.len(), None));
            } else {
                assert!(wire * 3 < data.len(), "{codec:?}: {wire} bytes on the wire");
                // the import names the data's size, as the decompressor wrote it
                assert_eq!(got.data, Some(data.len() as u64), "{codec:?}");
            }
            assert_eq!(sent.data, None);
        }
    }

    #[test]
    fn a_cut_compressed_stream_fails_the_import_though_its_command_exits_zero() {
        let data = dump_like();
        for codec in [Codec::Gzip, Codec::Zstd] {
            require(codec);
            let (_, wire, _, import) = round_trip(codec, &data, Some(wire_half(codec, &data)));
            // `cat` took the truncated data and exited 0; the decompressor did not
            assert!(!import.status.success(), "{codec:?}: {import:?}");
            let got = parse_report(&import.stderr).expect("the import's report");
            assert_ne!(got.exit_code, 0);
            assert!(got.bytes < wire as u64);
            let stderr = String::from_utf8_lossy(&import.stderr);
            assert!(
                stderr.contains(&format!("{} exited with code", codec.as_str())),
                "{codec:?}: {stderr}"
            );
        }
    }

    /// Half the compressed size of `data` with `codec`.
    fn wire_half(codec: Codec, data: &[u8]) -> usize {
        let (_, wire, _, _) = round_trip(codec, data, None);
        wire / 2
    }

    #[test]
    fn the_codec_is_the_best_both_pods_have() {
        assert_eq!(Codec::common("zstd\ngzip\n", "gzip\nzstd"), Codec::Zstd);
        assert_eq!(Codec::common("zstd\ngzip\n", "gzip\n"), Codec::Gzip);
        assert_eq!(Codec::common("zstd\n", "gzip\n"), Codec::None);
        assert_eq!(Codec::common("", "zstd\ngzip"), Codec::None);
    }
}
