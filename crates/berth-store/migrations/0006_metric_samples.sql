-- CPU and memory samples per pod, recorded whenever the desktop app or `berth metrics` watches an
-- instance. `at` is whole Unix seconds (UTC): one sample per pod and second, a repeat replaces it.
-- Retention is bounded on write (see `metric_samples.rs`), so the table stays small.
CREATE TABLE metric_samples (
    context         TEXT NOT NULL,
    namespace       TEXT NOT NULL,
    instance        TEXT NOT NULL,
    pod             TEXT NOT NULL,
    at              INTEGER NOT NULL,
    cpu_millicores  INTEGER NOT NULL CHECK (cpu_millicores >= 0),
    memory_bytes    INTEGER NOT NULL CHECK (memory_bytes >= 0),
    PRIMARY KEY (context, namespace, instance, at, pod)
) STRICT, WITHOUT ROWID;
