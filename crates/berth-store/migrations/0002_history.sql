-- Append-only history of every operation on an installed service (DESIGN.md §1, "Revision").
CREATE TABLE revisions (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    context          TEXT NOT NULL,
    namespace        TEXT NOT NULL,
    instance         TEXT NOT NULL,
    revision         INTEGER NOT NULL CHECK (revision > 0),
    definition       TEXT NOT NULL,
    version          TEXT NOT NULL,
    operation        TEXT NOT NULL CHECK (operation IN ('install', 'upgrade', 'reconfigure', 'stop',
                         'start', 'restart', 'rollback', 'move-in', 'move-out', 'uninstall')),
    parameters       TEXT NOT NULL DEFAULT '{}',
    manifest_digest  TEXT,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'superseded')),
    os_user          TEXT NOT NULL,
    started_at       TEXT NOT NULL,
    finished_at      TEXT,
    error            TEXT,
    UNIQUE (context, namespace, instance, revision)
) STRICT;

CREATE INDEX revisions_by_instance ON revisions (context, namespace, instance, revision DESC);
CREATE INDEX revisions_by_time ON revisions (started_at DESC);
