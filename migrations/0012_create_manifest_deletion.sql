-- Manifests `gc apply` deleted from their registry: the record that they are gone, and why. Deleting closes the
-- manifest's tags (their intervals end in tag_history); a later push of the same digest tags it again.
CREATE TABLE manifest_deletion (
    id              INTEGER PRIMARY KEY,
    repository      TEXT NOT NULL,
    digest          TEXT NOT NULL,
    reason          TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 1024),
    deleted_at      TEXT NOT NULL
);
CREATE INDEX manifest_deletion_by_image ON manifest_deletion (repository, digest);

CREATE TRIGGER manifest_deletion_is_append_only_update BEFORE UPDATE ON manifest_deletion
BEGIN SELECT RAISE(ABORT, 'manifest deletions are append-only'); END;
CREATE TRIGGER manifest_deletion_is_append_only_delete BEFORE DELETE ON manifest_deletion
BEGIN SELECT RAISE(ABORT, 'manifest deletions are append-only'); END;

-- gc plan asks for the deploys still rolling out; they are few among millions.
CREATE INDEX deploy_in_progress ON deploy (id) WHERE state = 'in_progress';
