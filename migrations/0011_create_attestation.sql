-- Attestations: in-toto statements about an image, as DSSE envelopes (cosign attest, imported, fetched from the
-- registry's .att tag) or unsigned (buildx's provenance). The statement's exact bytes are kept: they are what was
-- signed, and verification always reads them, never a re-serialisation.
CREATE TABLE attestation (
    id              INTEGER PRIMARY KEY,
    repository      TEXT NOT NULL,
    digest          TEXT NOT NULL,
    predicate_type  TEXT NOT NULL CHECK (length(predicate_type) BETWEEN 1 AND 1024),
    statement       BLOB NOT NULL CHECK (length(statement) > 0),
    envelope        BLOB,                   -- NULL: recorded unsigned (buildx provenance)
    signer_key_id   TEXT,                   -- the trusted key it verified with when recorded, if any
    source          TEXT NOT NULL CHECK (source IN ('attest', 'import', 'buildx')),
    -- SHA-256 of the envelope (of the statement when unsigned): fetching or importing twice records nothing new.
    fingerprint     TEXT NOT NULL CHECK (length(fingerprint) = 64),
    recorded_at     TEXT NOT NULL,
    CHECK (envelope IS NOT NULL OR source = 'buildx'),
    UNIQUE (repository, digest, fingerprint)
);
CREATE INDEX attestation_by_image ON attestation (digest, repository);

CREATE TRIGGER attestation_is_append_only_update BEFORE UPDATE ON attestation
BEGIN SELECT RAISE(ABORT, 'attestations are append-only'); END;
CREATE TRIGGER attestation_is_append_only_delete BEFORE DELETE ON attestation
BEGIN SELECT RAISE(ABORT, 'attestations are append-only'); END;
