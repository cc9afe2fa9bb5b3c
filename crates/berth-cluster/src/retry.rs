//! Retrying transient API failures with exponential backoff, within a deadline.
//!
//! A request that fails in a way that says nothing about the request itself is tried again:
//! 503 (the API server or an aggregated API is unavailable), 429 (throttled; its
//! `Retry-After` is honoured), 500/502/504 (an `etcdserver: request timed out` or a proxy
//! hiccup) and transport failures that may pass (a connection reset, a read timeout, a TLS
//! stream cut short). A refused connection, a name that does not resolve and an untrusted
//! certificate are told at once. Everything else, a 4xx such as 403, 404, 409 or 422, is an answer about the
//! request and is returned at once.
//!
//! The delays grow from 200 ms to at most 3 s with jitter, for as long as the
//! [`Cluster`](crate::Cluster)'s retry budget allows: the time left until the deadline of the
//! operation in progress ([`within_deadline`]), else [`DEFAULT_BUDGET`]. The deadline belongs to
//! the operation, not to the client: it is a task-local value around the operation's future, so
//! two operations sharing one `Cluster` (the desktop app runs several at once) each keep their
//! own. The backoff itself is `backon` (also what kube-runtime's watchers use):
//! a small, well-kept crate whose exponential builder has the total-delay cap this needs, so
//! Berth does not carry its own backoff arithmetic.

use std::future::Future;
use std::time::{Duration, Instant};

use backon::{ExponentialBuilder, Retryable};

/// How long a request is retried when no operation deadline is set.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(30);

tokio::task_local! {
    /// The deadline of the operation whose future is being polled.
    static DEADLINE: Instant;
}

/// Runs `operation` with `deadline`: the requests it makes retry transient failures until then
/// (an inner `within_deadline` sets its own for what it wraps).
pub async fn within_deadline<F: Future>(deadline: Instant, operation: F) -> F::Output {
    DEADLINE.scope(deadline, operation).await
}

/// `task` under the deadline in force where this is called: for work an operation hands to
/// `tokio::spawn`, which task-local values do not cross.
pub fn carry_deadline<F: Future>(task: F) -> impl Future<Output = F::Output> {
    let deadline = DEADLINE.try_with(|d| *d).ok();
    async move {
        match deadline {
            Some(deadline) => DEADLINE.scope(deadline, task).await,
            None => task.await,
        }
    }
}

/// How long a request failing now may still be retried: until the operation's deadline, else
/// [`DEFAULT_BUDGET`].
pub fn budget() -> Duration {
    DEADLINE
        .try_with(|d| d.saturating_duration_since(Instant::now()))
        .unwrap_or(DEFAULT_BUDGET)
}

const MIN_DELAY: Duration = Duration::from_millis(200);
const MAX_DELAY: Duration = Duration::from_secs(3);

/// Whether a failed request may succeed when sent again unchanged.
pub fn is_transient(err: &kube::Error) -> bool {
    match err {
        kube::Error::Api(status) => matches!(status.code, 429 | 500 | 502 | 503 | 504),
        kube::Error::HyperError(_) | kube::Error::Service(_) | kube::Error::ReadEvents(_) => {
            // a refused connection, a name that does not resolve, an untrusted certificate:
            // asking again at once will not change the answer (a cut or reset connection, a
            // timeout, are retried)
            let (kind, _) = crate::failure::classify(err, &crate::failure::Endpoint::default());
            matches!(
                kind,
                crate::ProbeFailureKind::Timeout | crate::ProbeFailureKind::Other
            )
        }
        _ => false,
    }
}

/// What the server asked to wait before the next try (429 `Retry-After`), if anything.
fn retry_after(err: &kube::Error) -> Option<Duration> {
    match err {
        kube::Error::Api(status) => status
            .details
            .as_ref()
            .map(|d| d.retry_after_seconds)
            .filter(|s| *s > 0)
            .map(|s| Duration::from_secs(u64::from(s))),
        _ => None,
    }
}

/// Runs `request` until it succeeds, fails permanently, or `budget` of waiting is spent.
pub async fn with_retries<T, F, Fut>(
    budget: Duration,
    what: &str,
    request: F,
) -> Result<T, kube::Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, kube::Error>>,
{
    if budget.is_zero() {
        let mut request = request;
        return request().await;
    }
    let backoff = ExponentialBuilder::default()
        .with_min_delay(MIN_DELAY)
        .with_max_delay(MAX_DELAY)
        .with_factor(2.0)
        .with_jitter()
        .without_max_times()
        .with_total_delay(Some(budget));
    request
        .retry(backoff)
        .sleep(tokio::time::sleep)
        .when(is_transient)
        .adjust(|err, delay| {
            // the server's Retry-After, within what the budget still allows
            delay.map(|d| retry_after(err).map_or(d, |asked| asked.min(budget).max(d)))
        })
        .notify(|err, delay| {
            // a retry is not news; the failure, if the retries do not help, is reported
            tracing::debug!(%what, error = %err, ?delay, "transient API failure, retrying");
        })
        .await
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::{Duration, Instant};

    use super::{
        DEFAULT_BUDGET, budget, carry_deadline, is_transient, with_retries, within_deadline,
    };

    fn api(code: u16) -> kube::Error {
        kube::Error::Api(
            kube::core::Status::failure("injected", "ServiceUnavailable")
                .with_code(code)
                .boxed(),
        )
    }

    #[test]
    fn server_side_and_transport_failures_are_transient_answers_are_not() {
        for code in [429, 500, 502, 503, 504] {
            assert!(is_transient(&api(code)), "{code}");
        }
        for code in [400, 401, 403, 404, 409, 410, 422] {
            assert!(!is_transient(&api(code)), "{code}");
        }
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        assert!(is_transient(&kube::Error::ReadEvents(io)));
    }

    #[tokio::test]
    async fn a_refused_connection_is_an_answer_not_a_hiccup() {
        // a port nothing listens on: the real client's real error
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = kube::Config::new(format!("http://127.0.0.1:{port}").parse().unwrap());
        let client = kube::Client::try_from(config).unwrap();
        let err = client.apiserver_version().await.unwrap_err();
        assert!(!is_transient(&err), "{err:?}");
    }

    #[tokio::test]
    async fn transient_failures_are_retried_until_success() {
        let tries = AtomicU32::new(0);
        let got = with_retries(Duration::from_secs(10), "test", || async {
            match tries.fetch_add(1, Ordering::SeqCst) {
                0 | 1 => Err(api(503)),
                _ => Ok(7),
            }
        })
        .await
        .unwrap();
        assert_eq!(got, 7);
        assert_eq!(tries.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn permanent_failures_fail_at_once() {
        let tries = AtomicU32::new(0);
        let err = with_retries(Duration::from_secs(10), "test", || async {
            tries.fetch_add(1, Ordering::SeqCst);
            Err::<(), _>(api(403))
        })
        .await
        .unwrap_err();
        assert!(matches!(err, kube::Error::Api(s) if s.code == 403));
        assert_eq!(tries.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn retries_stop_when_the_budget_is_spent() {
        let start = Instant::now();
        let tries = AtomicU32::new(0);
        let err = with_retries(Duration::from_millis(800), "test", || async {
            tries.fetch_add(1, Ordering::SeqCst);
            Err::<(), _>(api(503))
        })
        .await
        .unwrap_err();
        assert!(matches!(err, kube::Error::Api(s) if s.code == 503));
        assert!(tries.load(Ordering::SeqCst) >= 2);
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{:?}",
            start.elapsed()
        );
    }

    #[tokio::test]
    async fn each_operation_keeps_its_own_deadline() {
        assert_eq!(budget(), DEFAULT_BUDGET, "no operation, the default");
        let short = Instant::now() + Duration::from_secs(2);
        let long = Instant::now() + Duration::from_secs(600);
        // two operations at once on one runtime: neither sees the other's deadline
        let (a, b) = tokio::join!(
            within_deadline(short, async {
                tokio::task::yield_now().await;
                budget()
            }),
            within_deadline(long, async {
                tokio::task::yield_now().await;
                budget()
            }),
        );
        assert!(a <= Duration::from_secs(2), "{a:?}");
        assert!(b > Duration::from_secs(500), "{b:?}");
        // a nested operation has its own; a spawned task carries its operation's
        let (nested, spawned) = within_deadline(long, async {
            let nested = within_deadline(short, async { budget() }).await;
            let spawned = tokio::spawn(carry_deadline(async { budget() }))
                .await
                .unwrap();
            (nested, spawned)
        })
        .await;
        assert!(nested <= Duration::from_secs(2), "{nested:?}");
        assert!(spawned > Duration::from_secs(500), "{spawned:?}");
        assert_eq!(budget(), DEFAULT_BUDGET, "nothing left behind");
    }
}
