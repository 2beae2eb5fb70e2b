-- The trust store: public keys only. Private keys live in files and never enter the ledger.
CREATE TABLE key (
    key_id          TEXT PRIMARY KEY NOT NULL CHECK (key_id GLOB 'sha256:*' AND length(key_id) = 71),
    name            TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 128),
    algorithm       TEXT NOT NULL CHECK (algorithm IN ('ecdsa-p256', 'ed25519', 'rsa')),
    -- Keys that vouch for images are kept apart from keys with other jobs (the log's checkpoint key).
    purpose         TEXT NOT NULL DEFAULT 'image-signing' CHECK (purpose IN ('image-signing')),
    public_key_pem  TEXT NOT NULL,
    added_at        TEXT NOT NULL,
    revoked_at      TEXT,
    revoked_reason  TEXT
) WITHOUT ROWID;

-- A key is never deleted or changed; the one change allowed is revoking it, once.
CREATE TRIGGER key_is_append_only_delete BEFORE DELETE ON key
BEGIN SELECT RAISE(ABORT, 'keys are never deleted; revoke them'); END;
CREATE TRIGGER key_only_revokes BEFORE UPDATE ON key
WHEN OLD.revoked_at IS NOT NULL OR NEW.revoked_at IS NULL
  OR NEW.key_id IS NOT OLD.key_id OR NEW.name IS NOT OLD.name OR NEW.algorithm IS NOT OLD.algorithm
  OR NEW.purpose IS NOT OLD.purpose OR NEW.public_key_pem IS NOT OLD.public_key_pem OR NEW.added_at IS NOT OLD.added_at
BEGIN SELECT RAISE(ABORT, 'a key can only be revoked, once'); END;

-- Signatures over simple-signing payloads, with the exact payload bytes that were signed.
CREATE TABLE signature (
    id              INTEGER PRIMARY KEY,
    repository      TEXT NOT NULL,
    digest          TEXT NOT NULL,
    payload         BLOB NOT NULL,
    signature       BLOB NOT NULL CHECK (length(signature) > 0),
    signer_key_id   TEXT,                   -- the key that made it, when known
    source          TEXT NOT NULL CHECK (source IN ('sign', 'import')),
    recorded_at     TEXT NOT NULL,
    UNIQUE (repository, digest, signature)
);
-- digest first: `image DIGEST` asks across repositories; (repository, digest) lookups use it too.
CREATE INDEX signature_by_image ON signature (digest, repository);

CREATE TRIGGER signature_is_append_only_update BEFORE UPDATE ON signature
BEGIN SELECT RAISE(ABORT, 'signatures are append-only'); END;
CREATE TRIGGER signature_is_append_only_delete BEFORE DELETE ON signature
BEGIN SELECT RAISE(ABORT, 'signatures are append-only'); END;
