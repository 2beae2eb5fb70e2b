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

-- Tags are mutable pointers. `tag` holds where each tag points now (one B-tree, keyed for lookups by
-- name); `tag_history` holds every closed interval. Moving a tag is one UPSERT on `tag`: the trigger below
-- writes the interval it closes, so the history cannot be skipped or rewritten by the application.
CREATE TABLE tag (
    repository  TEXT NOT NULL,
    tag         TEXT NOT NULL,
    digest      TEXT NOT NULL,
    since       TEXT NOT NULL,              -- when the tag started naming this digest
    PRIMARY KEY (repository, tag)
) WITHOUT ROWID;

CREATE TABLE tag_history (
    id          INTEGER PRIMARY KEY,
    repository  TEXT NOT NULL,
    tag         TEXT NOT NULL,
    digest      TEXT NOT NULL,
    valid_from  TEXT NOT NULL,
    valid_to    TEXT NOT NULL,
    CHECK (valid_to >= valid_from)
);
CREATE INDEX tag_history_by_image ON tag_history (digest, repository);
CREATE INDEX tag_history_by_tag ON tag_history (repository, tag, valid_from);

CREATE TRIGGER tag_move_closes_interval AFTER UPDATE OF digest ON tag
WHEN NEW.digest IS NOT OLD.digest
BEGIN
    INSERT INTO tag_history (repository, tag, digest, valid_from, valid_to)
    VALUES (OLD.repository, OLD.tag, OLD.digest, OLD.since, NEW.since);
END;
CREATE TRIGGER tag_history_is_append_only_update BEFORE UPDATE ON tag_history
BEGIN SELECT RAISE(ABORT, 'tag history is append-only'); END;
CREATE TRIGGER tag_history_is_append_only_delete BEFORE DELETE ON tag_history
BEGIN SELECT RAISE(ABORT, 'tag history is append-only'); END;
