-- Environments, optionally with slots (blue/green) and protected (deploys need a trusted signature).
CREATE TABLE environment (
    name              TEXT PRIMARY KEY NOT NULL CHECK (length(name) BETWEEN 1 AND 63),
    slots             TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(slots)),   -- JSON array of slot names
    active_slot       TEXT NOT NULL DEFAULT '',                               -- '' when there are no slots
    require_signature INTEGER NOT NULL DEFAULT 0 CHECK (require_signature IN (0, 1)),
    created_at        TEXT NOT NULL
) WITHOUT ROWID;

-- Traffic switches between slots: who, when, from, to. Append-only.
CREATE TABLE traffic_switch (
    id          INTEGER PRIMARY KEY,
    environment TEXT NOT NULL REFERENCES environment (name),
    from_slot   TEXT NOT NULL,
    to_slot     TEXT NOT NULL,
    actor       TEXT,
    switched_at TEXT NOT NULL
);
CREATE INDEX traffic_switch_by_environment ON traffic_switch (environment, id);

-- One rollout of one service's digest into an environment (and slot; '' without slots).
CREATE TABLE deploy (
    id          INTEGER PRIMARY KEY,
    environment TEXT NOT NULL REFERENCES environment (name),
    slot        TEXT NOT NULL DEFAULT '',
    service     TEXT NOT NULL CHECK (length(service) BETWEEN 1 AND 63),
    repository  TEXT NOT NULL,
    tag         TEXT,
    digest      TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'in_progress', 'succeeded', 'failed')),
    actor       TEXT,
    created_at  TEXT NOT NULL,
    started_at  TEXT,
    finished_at TEXT
);
-- Newest good candidates of a service: LKG walks this index backwards.
CREATE INDEX deploy_succeeded ON deploy (environment, service, id) WHERE state = 'succeeded';
CREATE INDEX deploy_by_image ON deploy (digest, repository);   -- digest first, as signature_by_image

-- A deploy's state only moves forward; a finished deploy is final.
CREATE TRIGGER deploy_state_moves_forward BEFORE UPDATE ON deploy
WHEN NOT (
    (OLD.state = 'pending' AND NEW.state IN ('in_progress', 'succeeded', 'failed'))
    OR (OLD.state = 'in_progress' AND NEW.state IN ('succeeded', 'failed'))
) OR NEW.id IS NOT OLD.id OR NEW.environment IS NOT OLD.environment OR NEW.slot IS NOT OLD.slot
  OR NEW.service IS NOT OLD.service OR NEW.repository IS NOT OLD.repository OR NEW.digest IS NOT OLD.digest
BEGIN SELECT RAISE(ABORT, 'invalid deploy transition'); END;
CREATE TRIGGER deploy_is_append_only_delete BEFORE DELETE ON deploy
BEGIN SELECT RAISE(ABORT, 'deploys are append-only'); END;

-- What is live: per (environment, slot, service) the newest deploy that reached in_progress or later.
-- Kept by triggers so that `live` reads one small table instead of scanning every deploy.
CREATE TABLE live_deploy (
    environment TEXT NOT NULL,
    slot        TEXT NOT NULL,
    service     TEXT NOT NULL,
    deploy_id   INTEGER NOT NULL REFERENCES deploy (id),
    PRIMARY KEY (environment, slot, service)
) WITHOUT ROWID;
CREATE TRIGGER deploy_goes_live_on_insert AFTER INSERT ON deploy WHEN NEW.state <> 'pending'
BEGIN
    INSERT INTO live_deploy (environment, slot, service, deploy_id) VALUES (NEW.environment, NEW.slot, NEW.service, NEW.id)
    ON CONFLICT (environment, slot, service) DO UPDATE SET deploy_id = excluded.deploy_id WHERE excluded.deploy_id > deploy_id;
END;
CREATE TRIGGER deploy_goes_live_on_start AFTER UPDATE OF state ON deploy WHEN OLD.state = 'pending'
BEGIN
    INSERT INTO live_deploy (environment, slot, service, deploy_id) VALUES (NEW.environment, NEW.slot, NEW.service, NEW.id)
    ON CONFLICT (environment, slot, service) DO UPDATE SET deploy_id = excluded.deploy_id WHERE excluded.deploy_id > deploy_id;
END;

-- Post-deploy validation results. Append-only.
CREATE TABLE deploy_check (
    id          INTEGER PRIMARY KEY,
    deploy_id   INTEGER NOT NULL REFERENCES deploy (id),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
    status      TEXT NOT NULL CHECK (status IN ('pass', 'fail', 'skip')),
    detail      TEXT,
    checked_at  TEXT NOT NULL
);
CREATE INDEX deploy_check_failed ON deploy_check (deploy_id) WHERE status = 'fail';
CREATE INDEX deploy_check_by_deploy ON deploy_check (deploy_id);
CREATE TRIGGER deploy_check_is_append_only_update BEFORE UPDATE ON deploy_check
BEGIN SELECT RAISE(ABORT, 'checks are append-only'); END;
CREATE TRIGGER deploy_check_is_append_only_delete BEFORE DELETE ON deploy_check
BEGIN SELECT RAISE(ABORT, 'checks are append-only'); END;

-- Deploys refused by the content-trust gate, with the verification reason.
CREATE TABLE deploy_refusal (
    id          INTEGER PRIMARY KEY,
    environment TEXT NOT NULL REFERENCES environment (name),
    slot        TEXT NOT NULL,
    service     TEXT NOT NULL,
    repository  TEXT NOT NULL,
    tag         TEXT,
    digest      TEXT NOT NULL,
    reason      TEXT NOT NULL,
    detail      TEXT NOT NULL,
    actor       TEXT,
    refused_at  TEXT NOT NULL
);

-- Images marked bad after the fact (an incident): no deploy of them is good from then on.
CREATE TABLE bad_image (
    repository TEXT NOT NULL,
    digest     TEXT NOT NULL,
    reason     TEXT NOT NULL,
    marked_at  TEXT NOT NULL,
    PRIMARY KEY (repository, digest)
) WITHOUT ROWID;

-- Which trusted key a recorded signature verified with (payload naming the same digest), found when
-- the signature was recorded or when the key was added later. Lets "is this digest signed by a
-- trusted, unrevoked key" be answered by an index lookup on hot paths (live, lkg).
CREATE TABLE signature_verification (
    signature_id INTEGER NOT NULL REFERENCES signature (id),
    key_id       TEXT NOT NULL REFERENCES key (key_id),
    verified_at  TEXT NOT NULL,
    PRIMARY KEY (signature_id, key_id)
) WITHOUT ROWID;
