-- The journal of transfers (moves, copies and, later, standbys and their syncs): one row per
-- transfer and one per step it ran. A transfer is resumed from its last finished step, so each
-- step is written `running` before it starts and gets its outcome afterwards. `kind` names what
-- the transfer is for; a standby is a copy kept stopped whose later syncs are new `transfers`
-- rows of kind `sync` pointing at it through `parent_id`, each with its `data_as_of` (the time
-- of the consistent point it carried), so the standby's data age is the newest of them.
CREATE TABLE transfers (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    kind              TEXT NOT NULL CHECK (kind IN ('move', 'copy', 'standby', 'sync', 'promote')),
    parent_id         INTEGER REFERENCES transfers (id),
    status            TEXT NOT NULL CHECK (status IN ('running', 'failed', 'succeeded', 'aborted')),
    source_context    TEXT NOT NULL,
    source_namespace  TEXT NOT NULL,
    source_instance   TEXT NOT NULL,
    target_context    TEXT NOT NULL,
    target_namespace  TEXT NOT NULL,
    target_instance   TEXT NOT NULL,
    definition        TEXT NOT NULL,
    version           TEXT NOT NULL,
    target_version    TEXT NOT NULL,
    options           TEXT NOT NULL DEFAULT '{}',
    fenced            INTEGER NOT NULL DEFAULT 0 CHECK (fenced IN (0, 1)),
    expected_bytes    INTEGER,
    bytes             INTEGER NOT NULL DEFAULT 0,
    source_sha256     TEXT,
    target_sha256     TEXT,
    source_digest     TEXT,
    target_digest     TEXT,
    data_as_of        TEXT,
    os_user           TEXT NOT NULL,
    pid               INTEGER,
    started_at        TEXT NOT NULL,
    finished_at       TEXT,
    error             TEXT
) STRICT;

CREATE INDEX transfers_by_time ON transfers (started_at DESC);

CREATE TABLE transfer_steps (
    transfer_id  INTEGER NOT NULL REFERENCES transfers (id),
    step         TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    detail       TEXT,
    error        TEXT,
    PRIMARY KEY (transfer_id, step)
) STRICT;
