-- Registry notifications (CNCF distribution, Harbor): image pushes, pulls and deletes, each kept once
-- however often the registry retries it (event_id). Pushes move tags and deletes close them through
-- `tag` (so tag_history records it, and the transparency log gets a leaf); pulls are usage counts and
-- are summed as they arrive into the two tables below, which `image` and the cost report read.
CREATE TABLE registry_event (
    id          INTEGER PRIMARY KEY,
    event_id    TEXT NOT NULL UNIQUE,
    action      TEXT NOT NULL CHECK (action IN ('push', 'pull', 'delete')),
    repository  TEXT NOT NULL,
    digest      TEXT,
    tag         TEXT,
    bytes       INTEGER CHECK (bytes IS NULL OR bytes >= 0),
    service     TEXT NOT NULL,
    format      TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE TRIGGER registry_event_is_append_only_update BEFORE UPDATE ON registry_event
BEGIN SELECT RAISE(ABORT, 'registry events are append-only'); END;
CREATE TRIGGER registry_event_is_append_only_delete BEFORE DELETE ON registry_event
BEGIN SELECT RAISE(ABORT, 'registry events are append-only'); END;

-- Pulls of each image.
CREATE TABLE image_pulls (
    repository      TEXT NOT NULL,
    digest          TEXT NOT NULL,
    pulls           INTEGER NOT NULL,
    bytes           INTEGER NOT NULL,      -- summed over the pulls whose size the registry reported
    last_pulled_at  TEXT NOT NULL,
    PRIMARY KEY (digest, repository)
) WITHOUT ROWID;

-- Pulls of each service per UTC day.
CREATE TABLE pull_daily (
    service     TEXT NOT NULL,
    day         TEXT NOT NULL,             -- YYYY-MM-DD (UTC)
    pulls       INTEGER NOT NULL,
    bytes       INTEGER NOT NULL,
    sized_pulls INTEGER NOT NULL,          -- pulls whose size was known (bytes is their sum)
    PRIMARY KEY (service, day)
) WITHOUT ROWID;

CREATE TRIGGER registry_pull_counts AFTER INSERT ON registry_event WHEN NEW.action = 'pull' AND NEW.digest IS NOT NULL
BEGIN
    INSERT INTO image_pulls (repository, digest, pulls, bytes, last_pulled_at)
    VALUES (NEW.repository, NEW.digest, 1, coalesce(NEW.bytes, 0), NEW.occurred_at)
    ON CONFLICT (digest, repository) DO UPDATE SET pulls = pulls + 1, bytes = bytes + coalesce(NEW.bytes, 0),
        last_pulled_at = max(last_pulled_at, NEW.occurred_at);
    INSERT INTO pull_daily (service, day, pulls, bytes, sized_pulls)
    VALUES (NEW.service, substr(NEW.occurred_at, 1, 10), 1, coalesce(NEW.bytes, 0), NEW.bytes IS NOT NULL)
    ON CONFLICT (service, day) DO UPDATE SET pulls = pulls + 1, bytes = bytes + coalesce(NEW.bytes, 0),
        sized_pulls = sized_pulls + (NEW.bytes IS NOT NULL);
END;
