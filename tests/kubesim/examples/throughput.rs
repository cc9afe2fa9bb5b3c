//! Throughput benchmark: simple writes (ConfigMap creations) per second through kube-rs
//! with a concurrent watch, and watch events delivered per second.
//!
//! `cargo run --release -p kubesim --example throughput -- [WRITES] [CONCURRENCY]`

use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, ObjectMeta, PostParams, WatchEvent, WatchParams};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let writes: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5000);
    let concurrency: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(32);
    let sim = kubesim::Sim::start(kubesim::Config::default()).await?;
    let client = sim.client().await?;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");

    // A watch counting events from now on.
    let start_rv = cms
        .list_metadata(&Default::default())
        .await?
        .metadata
        .resource_version
        .unwrap_or_default();
    let mut stream = cms
        .watch(&WatchParams::default().labels("bench=1"), &start_rv)
        .await?
        .boxed();
    let watcher = tokio::spawn(async move {
        let mut n = 0usize;
        let mut first: Option<Instant> = None;
        let mut last = Instant::now();
        while n < writes {
            match tokio::time::timeout(Duration::from_secs(30), stream.try_next()).await {
                Ok(Ok(Some(WatchEvent::Added(_)))) => {
                    n += 1;
                    first.get_or_insert_with(Instant::now);
                    last = Instant::now();
                }
                Ok(Ok(Some(_))) => {}
                _ => break,
            }
        }
        (n, first.map(|f| last - f).unwrap_or_default())
    });

    let started = Instant::now();
    futures::stream::iter(0..writes)
        .map(|i| {
            let cms = cms.clone();
            async move {
                let cm = ConfigMap {
                    metadata: ObjectMeta {
                        name: Some(format!("bench-{i}")),
                        labels: Some([("bench".to_string(), "1".to_string())].into()),
                        ..Default::default()
                    },
                    data: Some([("k".to_string(), "v".to_string())].into()),
                    ..Default::default()
                };
                cms.create(&PostParams::default(), &cm).await.map(|_| ())
            }
        })
        .buffer_unordered(concurrency)
        .try_collect::<Vec<()>>()
        .await?;
    let elapsed = started.elapsed();
    let (events, watch_span) = watcher.await?;
    println!(
        "writes: {writes} in {:.2}s = {:.0} writes/s (concurrency {concurrency})",
        elapsed.as_secs_f64(),
        writes as f64 / elapsed.as_secs_f64()
    );
    println!(
        "watch: {events} events, {:.0} events/s",
        events as f64
            / watch_span
                .as_secs_f64()
                .max(elapsed.as_secs_f64() / 2.0)
                .max(1e-3)
    );
    sim.shutdown().await;
    Ok(())
}
