-- Berth's own facts about kubeconfig contexts. The kubeconfig stays the source of truth for the
-- cluster URL, user and namespace; this table keeps what kubeconfig has no place for.
CREATE TABLE contexts (
    name              TEXT PRIMARY KEY NOT NULL,
    location_override TEXT CHECK (location_override IN ('laptop', 'cloud', 'private')),
    favourite         INTEGER NOT NULL DEFAULT 0 CHECK (favourite IN (0, 1)),
    last_seen         TEXT,
    server_version    TEXT,
    updated_at        TEXT NOT NULL
) STRICT;
