-- Builds: one CI build and push of a service image. Append-only: the ledger never rewrites a build.
CREATE TABLE build (
    id          INTEGER PRIMARY KEY,
    service     TEXT NOT NULL CHECK (length(service) BETWEEN 1 AND 63),
    repository  TEXT NOT NULL CHECK (length(repository) BETWEEN 1 AND 255),
    tag         TEXT NOT NULL CHECK (length(tag) BETWEEN 1 AND 128),
    digest      TEXT NOT NULL CHECK (instr(digest, ':') > 1),
    commit_sha  TEXT,
    ref         TEXT,
    -- '' when the build has no CI run: the run is part of the idempotency key and UNIQUE treats NULLs as distinct.
    run_id      TEXT NOT NULL DEFAULT '',
    run_attempt INTEGER CHECK (run_attempt IS NULL OR run_attempt >= 1),
    run_url     TEXT,
    builder     TEXT,
    built_at    TEXT NOT NULL,               -- RFC 3339 UTC with milliseconds: sorts as text
    labels      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(labels)),
    recorded_at TEXT NOT NULL,
    UNIQUE (repository, digest, tag, run_id)
);
CREATE INDEX build_by_service ON build (service, built_at);
CREATE INDEX build_by_built_at ON build (built_at);
CREATE INDEX build_by_digest ON build (digest);

CREATE TRIGGER build_is_append_only_update BEFORE UPDATE ON build
BEGIN SELECT RAISE(ABORT, 'builds are append-only'); END;
CREATE TRIGGER build_is_append_only_delete BEFORE DELETE ON build
BEGIN SELECT RAISE(ABORT, 'builds are append-only'); END;

-- Tag history: a tag is a mutable pointer; each row is one interval during which it named a digest.
-- valid_to IS NULL marks the current mapping; moving a tag closes the old row and opens a new one.
CREATE TABLE tag_history (
    id          INTEGER PRIMARY KEY,
    repository  TEXT NOT NULL,
    tag         TEXT NOT NULL,
    digest      TEXT NOT NULL,
    valid_from  TEXT NOT NULL,
    valid_to    TEXT,
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE UNIQUE INDEX tag_history_current ON tag_history (repository, tag) WHERE valid_to IS NULL;
CREATE INDEX tag_history_by_image ON tag_history (repository, digest);

CREATE TRIGGER tag_history_is_append_only_delete BEFORE DELETE ON tag_history
BEGIN SELECT RAISE(ABORT, 'tag history is append-only'); END;
-- The only update allowed is closing an open interval.
CREATE TRIGGER tag_history_rows_only_close BEFORE UPDATE ON tag_history
WHEN OLD.valid_to IS NOT NULL OR NEW.valid_to IS NULL
  OR NEW.repository IS NOT OLD.repository OR NEW.tag IS NOT OLD.tag
  OR NEW.digest IS NOT OLD.digest OR NEW.valid_from IS NOT OLD.valid_from
BEGIN SELECT RAISE(ABORT, 'tag history rows can only be closed'); END;
