-- CI login without stored secrets: which CI jobs' OIDC tokens are trusted, and with which scopes. A rule is never
-- edited: it is revoked, and its repository id is pinned once (given, or from the first token that matched).
CREATE TABLE oidc_trust (
    id            INTEGER PRIMARY KEY,
    repository    TEXT NOT NULL CHECK (repository GLOB '?*/?*'),
    repository_id TEXT CHECK (repository_id IS NULL OR (repository_id <> '' AND repository_id NOT GLOB '*[^0-9]*')),
    ref           TEXT CHECK (ref IS NULL OR ref GLOB 'refs/?*'),
    environment   TEXT,
    workflow      TEXT CHECK (workflow IS NULL OR workflow GLOB '.github/workflows/?*'),
    scopes        TEXT NOT NULL CHECK (json_valid(scopes) AND json_type(scopes) = 'array' AND json_array_length(scopes) >= 1),
    created_at    TEXT NOT NULL,
    revoked_at    TEXT
);

CREATE TRIGGER oidc_trust_changes_only_by_pin_or_revoke BEFORE UPDATE ON oidc_trust
WHEN NEW.id IS NOT OLD.id OR NEW.repository IS NOT OLD.repository OR NEW.ref IS NOT OLD.ref
  OR NEW.environment IS NOT OLD.environment OR NEW.workflow IS NOT OLD.workflow OR NEW.scopes IS NOT OLD.scopes
  OR NEW.created_at IS NOT OLD.created_at
  OR (OLD.repository_id IS NOT NULL AND NEW.repository_id IS NOT OLD.repository_id)
  OR (OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS NOT OLD.revoked_at)
BEGIN SELECT RAISE(ABORT, 'a trust rule is only pinned to its repository id or revoked, once each'); END;
CREATE TRIGGER oidc_trust_is_never_deleted BEFORE DELETE ON oidc_trust
BEGIN SELECT RAISE(ABORT, 'trust rules are revoked, not deleted'); END;

-- Which CI job wrote a build or deploy with its OIDC token (the rule, the subject, the claims that bound it), as
-- canonical JSON; NULL for writes with a shiplog token or on the local file.
ALTER TABLE build ADD COLUMN written_by TEXT CHECK (written_by IS NULL OR json_valid(written_by));
ALTER TABLE deploy ADD COLUMN written_by TEXT CHECK (written_by IS NULL OR json_valid(written_by));

CREATE TRIGGER deploy_written_by_is_fixed BEFORE UPDATE OF written_by ON deploy
WHEN NEW.written_by IS NOT OLD.written_by
BEGIN SELECT RAISE(ABORT, 'a deploy keeps the identity that started it'); END;
