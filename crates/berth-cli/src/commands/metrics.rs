//! `berth metrics NAME [--since D] [--watch]`: CPU and memory per pod now, with requests and
//! limits; with `--since`, a summary of the samples kept over that range; with `--watch`, a new
//! sample every few seconds (kept too, so the history fills while it watches) until Ctrl-C.
//!
//! Units are millicores and MiB everywhere; times are 24-hour UTC.

use std::time::Duration;

use berth_api::{
    Api, ApiError, ErrorCode, InstanceMetrics, InstanceRef, MetricsHistory, MetricsHistoryInput,
    PodHistory, PodMetrics, PodResources,
};
use serde::Serialize;

use crate::cli::{Global, MetricsArgs};
use crate::commands::instance_ref;
use crate::output::{self, Format};

const MIB: f64 = 1024.0 * 1024.0;

/// The range asked for requests and limits when no `--since` is given (the samples are unused).
const RESOURCES_ONLY_SECONDS: u32 = 60;

/// One pod now, as `-o json` prints it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PodNow<'a> {
    pod: &'a str,
    timestamp: &'a str,
    cpu_millicores: u32,
    memory_bytes: u64,
    resources: Option<&'a PodResources>,
}

/// Lowest, middle and highest of a pod's samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
struct Spread {
    min: f64,
    median: f64,
    max: f64,
}

impl Spread {
    fn of(mut values: Vec<f64>) -> Option<Self> {
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let median = match n {
            0 => return None,
            _ if n % 2 == 1 => values[n / 2],
            _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
        };
        Some(Self {
            min: values[0],
            median,
            max: values[n - 1],
        })
    }
}

/// One pod's history over the range, summarised.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PodSummary<'a> {
    pod: &'a str,
    samples: usize,
    cpu_millicores: Option<Spread>,
    memory_mib: Option<Spread>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    points: &'a [berth_api::UsagePoint],
}

fn summary(p: &PodHistory) -> PodSummary<'_> {
    PodSummary {
        pod: &p.pod,
        samples: p.points.len(),
        cpu_millicores: Spread::of(
            p.points
                .iter()
                .map(|x| f64::from(x.cpu_millicores))
                .collect(),
        ),
        memory_mib: Spread::of(
            p.points
                .iter()
                .map(|x| x.memory_bytes as f64 / MIB)
                .collect(),
        ),
        points: &p.points,
    }
}

/// What `-o json` prints without `--watch`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Report<'a> {
    context: &'a str,
    namespace: &'a str,
    name: &'a str,
    pods: Vec<PodNow<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<HistoryReport<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct HistoryReport<'a> {
    since_seconds: u32,
    /// The cluster's Prometheus the points come from (`namespace/service`), or null for the
    /// samples Berth kept.
    prometheus: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notice: Option<&'a str>,
    from: String,
    to: String,
    pods: Vec<PodSummary<'a>>,
}

pub(crate) async fn run(api: &Api, global: &Global, args: MetricsArgs) -> Result<(), ApiError> {
    let which = instance_ref(global, &args.name);
    let since = match args.since {
        Some(s) => Some(
            u32::try_from(s)
                .map_err(|_| ApiError::new(ErrorCode::InvalidInput, "--since is at most 30d"))?,
        ),
        None => None,
    };
    if args.watch {
        return watch(
            api,
            global.output,
            &which,
            Duration::from_millis(args.interval),
        )
        .await;
    }
    let pods = sample(api, &which).await?;
    let history = api
        .metrics_history(&MetricsHistoryInput {
            instance: which.clone(),
            since_seconds: since.unwrap_or(RESOURCES_ONLY_SECONDS),
        })
        .await?;
    let report = Report {
        context: &history.context,
        namespace: &history.namespace,
        name: &history.name,
        pods: now(&pods, &history),
        history: since.map(|since_seconds| HistoryReport {
            since_seconds,
            prometheus: history.prometheus.as_deref(),
            notice: history.notice.as_deref(),
            from: moment(history.from_ms, since_seconds),
            to: moment(history.to_ms, since_seconds),
            pods: history.pods.iter().map(summary).collect(),
        }),
    };
    if output::structured(&report, global.output).is_some() {
        return Ok(());
    }
    print_now(&report.pods);
    if let Some(h) = &report.history {
        output::line("");
        if let Some(notice) = h.notice {
            output::line(format!("note: {notice}"));
        }
        match h.prometheus {
            Some(p) => output::line(format!("from Prometheus at {p}, {} to {}:", h.from, h.to)),
            None => output::line(format!("kept samples, {} to {}:", h.from, h.to)),
        }
        print_history(&h.pods);
    }
    Ok(())
}

/// One sample of every pod (kept by the API), or a clear error when the cluster has no metrics API.
async fn sample(api: &Api, which: &InstanceRef) -> Result<Vec<PodMetrics>, ApiError> {
    match api.instance_metrics(which).await? {
        InstanceMetrics::Samples { pods } => Ok(pods),
        InstanceMetrics::NoMetricsApi { message } => {
            let mut e = ApiError::new(ErrorCode::Unsupported, message);
            e.hint = Some(
                "metrics-server provides it; most local clusters add it with one command, e.g. `minikube addons enable metrics-server`"
                    .into(),
            );
            Err(e)
        }
    }
}

/// Each pod's sample with its requests and limits from `history`.
fn now<'a>(pods: &'a [PodMetrics], history: &'a MetricsHistory) -> Vec<PodNow<'a>> {
    pods.iter()
        .map(|p| PodNow {
            pod: &p.pod,
            timestamp: &p.timestamp,
            cpu_millicores: p.cpu_millicores,
            memory_bytes: p.memory_bytes,
            resources: history
                .pods
                .iter()
                .find(|h| h.pod == p.pod)
                .and_then(|h| h.resources.as_ref()),
        })
        .collect()
}

fn millicores(v: Option<u32>) -> String {
    v.map_or_else(|| "-".to_owned(), |m| format!("{m}m"))
}

fn mib(bytes: Option<u64>) -> String {
    bytes.map_or_else(|| "-".to_owned(), |b| format!("{:.0} MiB", b as f64 / MIB))
}

/// `13:40:05`: the time of day in the machine's zone, 24-hour.
/// A range's end: the time of day, with the date when the range is longer than a day.
fn moment(ms: f64, since_seconds: u32) -> String {
    if since_seconds <= 86_400 {
        return clock(ms);
    }
    let t = output::local(
        time::OffsetDateTime::from_unix_timestamp((ms / 1000.0) as i64)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
    );
    format!("{} {}", t.date(), clock(ms))
}

fn clock(ms: f64) -> String {
    let t = output::local(
        time::OffsetDateTime::from_unix_timestamp((ms / 1000.0) as i64)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
    );
    format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
}

fn print_now(pods: &[PodNow<'_>]) {
    if pods.is_empty() {
        output::line("no running pod to measure (is the service stopped?)");
        return;
    }
    let mut table = output::table(&[
        "pod",
        "cpu",
        "cpu request",
        "cpu limit",
        "memory",
        "mem request",
        "mem limit",
    ]);
    for p in pods {
        let r = p.resources.cloned().unwrap_or_default();
        table.add_row(vec![
            p.pod.to_owned(),
            millicores(Some(p.cpu_millicores)),
            millicores(r.cpu_request_millicores),
            millicores(r.cpu_limit_millicores),
            mib(Some(p.memory_bytes)),
            mib(r.memory_request_bytes),
            mib(r.memory_limit_bytes),
        ]);
    }
    output::line(table);
}

fn print_history(pods: &[PodSummary<'_>]) {
    let spread = |s: Option<Spread>, unit: &str| {
        s.map_or_else(
            || "-".to_owned(),
            |s| format!("{:.0} / {:.0} / {:.0}{unit}", s.min, s.median, s.max),
        )
    };
    let mut table = output::table(&[
        "pod",
        "samples",
        "cpu min/median/max",
        "memory min/median/max",
    ]);
    for p in pods {
        table.add_row(vec![
            p.pod.to_owned(),
            p.samples.to_string(),
            spread(p.cpu_millicores, "m"),
            spread(p.memory_mib, " MiB"),
        ]);
    }
    output::line(table);
}

/// Samples every `interval` until Ctrl-C, one line per pod and round (one JSON object per round
/// with `-o json`). A round the cluster does not answer is a warning, not the end.
async fn watch(
    api: &Api,
    format: Format,
    which: &InstanceRef,
    interval: Duration,
) -> Result<(), ApiError> {
    let interrupted = crate::commands::interrupted();
    tokio::pin!(interrupted);
    let history = api
        .metrics_history(&MetricsHistoryInput {
            instance: which.clone(),
            since_seconds: RESOURCES_ONLY_SECONDS,
        })
        .await?;
    let mut ticks = tokio::time::interval(interval.max(Duration::from_millis(100)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = &mut interrupted => return Ok(()),
            _ = ticks.tick() => {}
        }
        match sample(api, which).await {
            Ok(pods) => print_round(format, &history, &pods),
            // a cluster that does not answer this once may the next time
            Err(e) if matches!(e.code, ErrorCode::Cluster | ErrorCode::Timeout) => {
                output::warn(&format!("no sample this round: {}", e.message));
            }
            Err(e) => return Err(e),
        }
    }
}

fn print_round(format: Format, history: &MetricsHistory, pods: &[PodMetrics]) {
    let now = now(pods, history);
    match format {
        // one JSON document per line, so a script can read the rounds as they come
        Format::Json => match serde_json::to_string(&serde_json::json!({ "pods": now })) {
            Ok(text) => output::line(text),
            Err(e) => output::warn(&format!("cannot encode a sample: {e}")),
        },
        Format::Yaml => output::yaml(&[serde_json::json!({ "pods": now })]),
        Format::Table => {
            if now.is_empty() {
                output::line("no running pod to measure (is the service stopped?)");
            }
            for p in &now {
                let at = time::OffsetDateTime::parse(
                    p.timestamp,
                    &time::format_description::well_known::Rfc3339,
                )
                .map_or_else(
                    |_| "--:--:--".to_owned(),
                    |t| clock(t.unix_timestamp() as f64 * 1000.0),
                );
                let r = p.resources.cloned().unwrap_or_default();
                output::line(format!(
                    "{at}  {}  cpu {} (request {}, limit {})  memory {} (request {}, limit {})",
                    p.pod,
                    millicores(Some(p.cpu_millicores)),
                    millicores(r.cpu_request_millicores),
                    millicores(r.cpu_limit_millicores),
                    mib(Some(p.memory_bytes)),
                    mib(r.memory_request_bytes),
                    mib(r.memory_limit_bytes),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Spread, clock};

    #[test]
    fn spread_takes_the_middle_of_sorted_samples() {
        assert_eq!(Spread::of(vec![]), None);
        let odd = Spread::of(vec![30.0, 10.0, 20.0]).unwrap();
        assert_eq!((odd.min, odd.median, odd.max), (10.0, 20.0, 30.0));
        let even = Spread::of(vec![4.0, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!(even.median, 2.5);
    }

    #[test]
    fn clock_is_24_hour_utc() {
        assert_eq!(clock(1_796_478_000_000.0 + 5_000.0), "13:40:05");
    }
}
