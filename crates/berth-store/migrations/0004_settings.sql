-- The desktop app's preferences (theme, default namespace, extra catalog folders): one row per
-- key, the value a JSON text the API reads and writes as a whole.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
