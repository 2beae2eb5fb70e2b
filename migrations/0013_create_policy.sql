-- Policies: per environment, versioned; setting one is a new version, the newest is in force. The document is
-- the canonical JSON of the policy as shiplog read it (YAML arrives converted), so it is exactly what judged.
CREATE TABLE policy (
    id          INTEGER PRIMARY KEY,
    environment TEXT NOT NULL REFERENCES environment (name),
    version     INTEGER NOT NULL CHECK (version >= 1),
    document    TEXT NOT NULL CHECK (json_valid(document) AND json_type(document) = 'object'),
    actor       TEXT,
    set_at      TEXT NOT NULL,
    UNIQUE (environment, version)
);

CREATE TRIGGER policy_is_append_only_update BEFORE UPDATE ON policy
BEGIN SELECT RAISE(ABORT, 'policies are append-only'); END;
CREATE TRIGGER policy_is_append_only_delete BEFORE DELETE ON policy
BEGIN SELECT RAISE(ABORT, 'policies are append-only'); END;

-- Which policy version judged a deploy (NULL: none, or the --require-signature shorthand) and what it found:
-- an audit-mode policy lets a deploy through with its violations, an enforcing one refuses it (deploy_refusal).
ALTER TABLE deploy ADD COLUMN policy_version INTEGER CHECK (policy_version >= 1);
ALTER TABLE deploy ADD COLUMN policy_violations TEXT CHECK (policy_violations IS NULL OR json_valid(policy_violations));
ALTER TABLE deploy_refusal ADD COLUMN policy_version INTEGER CHECK (policy_version >= 1);
ALTER TABLE deploy_refusal ADD COLUMN violations TEXT CHECK (violations IS NULL OR json_valid(violations));

-- The judgement is part of the deploy's record: it never changes after the start.
CREATE TRIGGER deploy_policy_is_fixed BEFORE UPDATE OF policy_version, policy_violations ON deploy
WHEN NEW.policy_version IS NOT OLD.policy_version OR NEW.policy_violations IS NOT OLD.policy_violations
BEGIN SELECT RAISE(ABORT, 'a deploy keeps the policy decision it started with'); END;
