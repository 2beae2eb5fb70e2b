-- Whether recording a build moved its tag is part of its log entry ("moved_tag"): kept in the row, so a
-- build's log event is regenerated from its row alone, as one byte string.
ALTER TABLE build ADD COLUMN moved_tag INTEGER NOT NULL DEFAULT 0 CHECK (moved_tag IN (0, 1));

-- Existing rows take the flag from their own log entries; builds are otherwise never updated.
DROP TRIGGER build_is_append_only_update;
UPDATE build SET moved_tag = 1 WHERE id IN (
    SELECT json_extract(CAST(data AS TEXT), '$.id') FROM log_entry
    WHERE kind = 'build' AND json_extract(CAST(data AS TEXT), '$.moved_tag') = 1
);
CREATE TRIGGER build_is_append_only_update BEFORE UPDATE ON build
BEGIN SELECT RAISE(ABORT, 'builds are append-only'); END;

-- The one definition of "signed by a key we trust": a recorded signature over the image that verified
-- with a key in the trust store which is not revoked. The deploy gate, `verify` and goodness read it.
CREATE VIEW trusted_signature AS
SELECT s.id AS signature_id, v.key_id AS key_id, s.repository AS repository, s.digest AS digest
FROM signature s
JOIN signature_verification v ON v.signature_id = s.id
JOIN key k ON k.key_id = v.key_id
WHERE k.revoked_at IS NULL;
