-- Two more operations in the history: `recover` (an interrupted or failed operation resumed or
-- rolled back by `berth recover`) and `adopt` (an instance installed from another machine taken
-- into this machine's history by `berth adopt`). SQLite cannot change a CHECK constraint in
-- place, so the table is rebuilt with the same rows.
CREATE TABLE revisions_new (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    context          TEXT NOT NULL,
    namespace        TEXT NOT NULL,
    instance         TEXT NOT NULL,
    revision         INTEGER NOT NULL CHECK (revision > 0),
    definition       TEXT NOT NULL,
    version          TEXT NOT NULL,
    operation        TEXT NOT NULL CHECK (operation IN ('install', 'upgrade', 'reconfigure', 'stop',
                         'start', 'restart', 'rollback', 'move-in', 'move-out', 'uninstall',
                         'recover', 'adopt')),
    parameters       TEXT NOT NULL DEFAULT '{}',
    manifest_digest  TEXT,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'superseded')),
    os_user          TEXT NOT NULL,
    started_at       TEXT NOT NULL,
    finished_at      TEXT,
    error            TEXT,
    UNIQUE (context, namespace, instance, revision)
) STRICT;

INSERT INTO revisions_new (id, context, namespace, instance, revision, definition, version,
    operation, parameters, manifest_digest, status, os_user, started_at, finished_at, error)
SELECT id, context, namespace, instance, revision, definition, version,
    operation, parameters, manifest_digest, status, os_user, started_at, finished_at, error
FROM revisions;

DROP TABLE revisions;
ALTER TABLE revisions_new RENAME TO revisions;

CREATE INDEX revisions_by_instance ON revisions (context, namespace, instance, revision DESC);
CREATE INDEX revisions_by_time ON revisions (started_at DESC);
