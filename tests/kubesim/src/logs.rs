//! Container logs the simulated kubelet writes, read by `pods/log` (follow, tailLines,
//! sinceSeconds, timestamps, previous, container).

use std::collections::HashMap;
use std::sync::Mutex;

use time::OffsetDateTime;
use tokio::sync::broadcast;

/// Identifies one container instance: namespace, pod, container, and whether it is the
/// previous (terminated) instance.
type LogKey = (String, String, String);

/// A log line.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    /// When it was written.
    pub(crate) time: OffsetDateTime,
    /// Text without newline.
    pub(crate) text: String,
}

#[derive(Debug, Default)]
struct Buffers {
    current: HashMap<LogKey, Vec<Line>>,
    previous: HashMap<LogKey, Vec<Line>>,
}

/// All container logs.
#[derive(Debug)]
pub(crate) struct Logs {
    inner: Mutex<Buffers>,
    tx: broadcast::Sender<(LogKey, Line)>,
}

impl Default for Logs {
    fn default() -> Self {
        Self {
            inner: Mutex::new(Buffers::default()),
            tx: broadcast::channel(4096).0,
        }
    }
}

fn key(ns: &str, pod: &str, container: &str) -> LogKey {
    (ns.to_string(), pod.to_string(), container.to_string())
}

impl Logs {
    /// Appends a line.
    pub(crate) fn write(&self, ns: &str, pod: &str, container: &str, text: &str) {
        let line = Line {
            time: OffsetDateTime::now_utc(),
            text: text.to_string(),
        };
        let k = key(ns, pod, container);
        self.inner
            .lock()
            .expect("logs lock")
            .current
            .entry(k.clone())
            .or_default()
            .push(line.clone());
        let _ = self.tx.send((k, line));
    }

    /// Moves the current log to `previous` (a container restart).
    pub(crate) fn restart(&self, ns: &str, pod: &str, container: &str) {
        let mut b = self.inner.lock().expect("logs lock");
        let k = key(ns, pod, container);
        let cur = b.current.remove(&k).unwrap_or_default();
        b.previous.insert(k, cur);
    }

    /// Forgets a pod's logs.
    pub(crate) fn remove_pod(&self, ns: &str, pod: &str) {
        let mut b = self.inner.lock().expect("logs lock");
        b.current.retain(|k, _| !(k.0 == ns && k.1 == pod));
        b.previous.retain(|k, _| !(k.0 == ns && k.1 == pod));
    }

    /// The lines so far and a receiver for new ones (to follow).
    pub(crate) fn read(
        &self,
        ns: &str,
        pod: &str,
        container: &str,
        previous: bool,
    ) -> (Vec<Line>, broadcast::Receiver<(LogKey, Line)>) {
        let b = self.inner.lock().expect("logs lock");
        let k = key(ns, pod, container);
        let lines = if previous {
            b.previous.get(&k).cloned().unwrap_or_default()
        } else {
            b.current.get(&k).cloned().unwrap_or_default()
        };
        (lines, self.tx.subscribe())
    }

    /// Whether the container ran before (has a previous instance).
    pub(crate) fn has_previous(&self, ns: &str, pod: &str, container: &str) -> bool {
        self.inner
            .lock()
            .expect("logs lock")
            .previous
            .contains_key(&key(ns, pod, container))
    }
}

/// The key type of followed lines, for matching.
pub(crate) fn follow_key(ns: &str, pod: &str, container: &str) -> (String, String, String) {
    key(ns, pod, container)
}
