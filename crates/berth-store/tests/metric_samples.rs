//! Metric samples against a real SQLite file: range reads, one row per pod and second, retention
//! pruned on write, instances kept apart.

use berth_store::{MAX_SAMPLES_PER_INSTANCE, MetricSample, MetricScope, RETENTION_SECS, Store};

const PG: MetricScope<'static> = MetricScope {
    context: "laptop",
    namespace: "default",
    instance: "pg",
};

fn sample(pod: &str, at: i64, cpu: u64, mem: u64) -> MetricSample {
    MetricSample {
        pod: pod.into(),
        at,
        cpu_millicores: cpu,
        memory_bytes: mem,
    }
}

#[test]
fn records_and_reads_a_range_across_a_reopen() {
    let home = tempfile::tempdir().unwrap();
    let t0 = 1_800_000_000;
    {
        let store = Store::open_in(home.path()).unwrap();
        for i in 0..10 {
            store
                .record_metric_samples(
                    PG,
                    &[
                        sample("pg-0", t0 + i * 5, 100 + i as u64, 1 << 20),
                        sample("pg-1", t0 + i * 5, 50, 2 << 20),
                    ],
                )
                .unwrap();
        }
    }
    let store = Store::open_in(home.path()).unwrap();
    let got = store.metric_samples(PG, t0 + 10, t0 + 20).unwrap();
    let keys: Vec<(&str, i64)> = got.iter().map(|s| (s.pod.as_str(), s.at)).collect();
    assert_eq!(
        keys,
        [
            ("pg-0", t0 + 10),
            ("pg-1", t0 + 10),
            ("pg-0", t0 + 15),
            ("pg-1", t0 + 15),
            ("pg-0", t0 + 20),
            ("pg-1", t0 + 20)
        ]
    );
    assert_eq!(got[0].cpu_millicores, 102);
    assert_eq!(got[1].memory_bytes, 2 << 20);
    // another instance or context sees nothing of these
    let other = MetricScope {
        context: "cloud",
        ..PG
    };
    assert!(store.metric_samples(other, 0, i64::MAX).unwrap().is_empty());
}

#[test]
fn the_same_pod_and_second_is_stored_once() {
    let home = tempfile::tempdir().unwrap();
    let store = Store::open_in(home.path()).unwrap();
    store
        .record_metric_samples(PG, &[sample("pg-0", 100, 10, 1000)])
        .unwrap();
    store
        .record_metric_samples(PG, &[sample("pg-0", 100, 20, 2000)])
        .unwrap();
    let got = store.metric_samples(PG, 0, 1000).unwrap();
    assert_eq!(got, [sample("pg-0", 100, 20, 2000)]);
}

#[test]
fn writing_prunes_samples_older_than_the_retention() {
    let home = tempfile::tempdir().unwrap();
    let store = Store::open_in(home.path()).unwrap();
    let other = MetricScope {
        instance: "redis",
        ..PG
    };
    store
        .record_metric_samples(PG, &[sample("pg-0", 1_000, 1, 1)])
        .unwrap();
    store
        .record_metric_samples(PG, &[sample("pg-0", 2_000, 1, 1)])
        .unwrap();
    store
        .record_metric_samples(other, &[sample("redis-0", 1_000, 1, 1)])
        .unwrap();
    // a day after the second sample: the first is beyond the retention, the second at its edge
    store
        .record_metric_samples(PG, &[sample("pg-0", 2_000 + RETENTION_SECS, 1, 1)])
        .unwrap();
    let ats: Vec<i64> = store
        .metric_samples(PG, 0, i64::MAX)
        .unwrap()
        .iter()
        .map(|s| s.at)
        .collect();
    assert_eq!(ats, [2_000, 2_000 + RETENTION_SECS]);
    // other instances are pruned by their own writes only
    assert_eq!(store.metric_samples(other, 0, i64::MAX).unwrap().len(), 1);
}

#[test]
fn an_instance_keeps_at_most_the_row_cap() {
    let home = tempfile::tempdir().unwrap();
    let store = Store::open_in(home.path()).unwrap();
    let cap = MAX_SAMPLES_PER_INSTANCE;
    // one batch over the cap: two pods per second, so the cap falls inside one second's rows
    let batch: Vec<MetricSample> = (0..cap / 2 + 10)
        .flat_map(|i| [sample("a", i, 1, 1), sample("b", i, 1, 1)])
        .collect();
    store.record_metric_samples(PG, &batch).unwrap();
    let kept = store.metric_samples(PG, 0, i64::MAX).unwrap();
    assert!(kept.len() as i64 <= cap, "{} rows kept", kept.len());
    assert!(kept.len() as i64 >= cap - 2, "{} rows kept", kept.len());
    assert_eq!(kept.last().unwrap().at, cap / 2 + 9);
    assert_eq!(kept.first().unwrap().at, 10);
}
