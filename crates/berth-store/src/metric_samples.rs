//! Recent CPU and memory samples per pod of an instance, kept so the Metrics panel and
//! `berth metrics --since` can show history, not only what was polled while they were open.
//!
//! Time is whole Unix seconds: a second sample of the same pod in the same second replaces the
//! first instead of duplicating it. Retention is bounded on every write: samples older than
//! [`RETENTION_SECS`] before the newest written one are dropped, and an instance keeps at most
//! [`MAX_SAMPLES_PER_INSTANCE`] rows (the oldest go first).

use rusqlite::params;

use crate::{Result, Store};

/// How far back samples are kept: 24 hours.
pub const RETENTION_SECS: i64 = 24 * 60 * 60;

/// The most rows one instance keeps (a day of 5 s samples of 3 pods is about 52 000).
pub const MAX_SAMPLES_PER_INSTANCE: i64 = 60_000;

/// Which instance samples belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricScope<'a> {
    /// The kubeconfig context.
    pub context: &'a str,
    /// The instance's namespace.
    pub namespace: &'a str,
    /// The instance name.
    pub instance: &'a str,
}

/// One pod's usage at one second.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricSample {
    /// The pod.
    pub pod: String,
    /// Unix seconds (UTC).
    pub at: i64,
    /// CPU in millicores.
    pub cpu_millicores: u64,
    /// Memory (working set) in bytes.
    pub memory_bytes: u64,
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl Store {
    /// Stores `samples` of one instance (a repeat of pod and second replaces the earlier one),
    /// then prunes that instance's rows beyond the retention. One transaction.
    pub fn record_metric_samples(
        &self,
        scope: MetricScope<'_>,
        samples: &[MetricSample],
    ) -> Result<()> {
        let Some(newest) = samples.iter().map(|s| s.at).max() else {
            return Ok(());
        };
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO metric_samples
                   (context, namespace, instance, pod, at, cpu_millicores, memory_bytes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (context, namespace, instance, at, pod)
                 DO UPDATE SET cpu_millicores = ?6, memory_bytes = ?7",
            )?;
            for s in samples {
                insert.execute(params![
                    scope.context,
                    scope.namespace,
                    scope.instance,
                    s.pod,
                    s.at,
                    to_i64(s.cpu_millicores),
                    to_i64(s.memory_bytes)
                ])?;
            }
        }
        tx.execute(
            "DELETE FROM metric_samples
             WHERE context = ?1 AND namespace = ?2 AND instance = ?3 AND at < ?4",
            params![
                scope.context,
                scope.namespace,
                scope.instance,
                newest - RETENTION_SECS
            ],
        )?;
        tx.execute(
            "DELETE FROM metric_samples
             WHERE context = ?1 AND namespace = ?2 AND instance = ?3 AND at < (
               SELECT at FROM metric_samples
               WHERE context = ?1 AND namespace = ?2 AND instance = ?3
               ORDER BY at DESC LIMIT 1 OFFSET ?4)",
            params![
                scope.context,
                scope.namespace,
                scope.instance,
                MAX_SAMPLES_PER_INSTANCE - 1
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The instance's samples with `from <= at <= to` (Unix seconds), oldest first, then by pod.
    pub fn metric_samples(
        &self,
        scope: MetricScope<'_>,
        from: i64,
        to: i64,
    ) -> Result<Vec<MetricSample>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT pod, at, cpu_millicores, memory_bytes FROM metric_samples
             WHERE context = ?1 AND namespace = ?2 AND instance = ?3 AND at BETWEEN ?4 AND ?5
             ORDER BY at, pod",
        )?;
        let rows = stmt.query_map(
            params![scope.context, scope.namespace, scope.instance, from, to],
            |row| {
                Ok(MetricSample {
                    pod: row.get(0)?,
                    at: row.get(1)?,
                    cpu_millicores: row.get::<_, i64>(2)?.max(0).unsigned_abs(),
                    memory_bytes: row.get::<_, i64>(3)?.max(0).unsigned_abs(),
                })
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
