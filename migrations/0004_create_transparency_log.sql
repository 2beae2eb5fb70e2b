-- The transparency log: an RFC 6962 Merkle tree over every ledger write, appended in the same
-- transaction as the write itself, so the log and the tables cannot disagree.
CREATE TABLE log_entry (
    leaf_index  INTEGER PRIMARY KEY CHECK (leaf_index >= 0),   -- 0-based, dense
    kind        TEXT NOT NULL,
    data        BLOB NOT NULL,                                   -- the canonical JSON of the event
    leaf_hash   BLOB NOT NULL CHECK (length(leaf_hash) = 32),    -- SHA-256(0x00 || data)
    appended_at TEXT NOT NULL
);

-- Hashes of complete, aligned subtrees of 16 leaves or more: (level, idx) covers leaves
-- [idx * 2^level, (idx + 1) * 2^level). Stored as the tree grows, so appends and proofs are O(log n);
-- smaller subtrees are recomputed from their leaf hashes when needed.
CREATE TABLE log_node (
    level INTEGER NOT NULL CHECK (level >= 4),
    idx   INTEGER NOT NULL CHECK (idx >= 0),
    hash  BLOB NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;

-- Signed checkpoints (signed-note text), kept so that later rewrites of history are detectable.
CREATE TABLE log_checkpoint (
    tree_size  INTEGER PRIMARY KEY CHECK (tree_size >= 0),
    root_hash  BLOB NOT NULL,
    note       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TRIGGER log_entry_is_append_only_update BEFORE UPDATE ON log_entry
BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
CREATE TRIGGER log_entry_is_append_only_delete BEFORE DELETE ON log_entry
BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
CREATE TRIGGER log_node_is_append_only_update BEFORE UPDATE ON log_node
BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
CREATE TRIGGER log_node_is_append_only_delete BEFORE DELETE ON log_node
BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
CREATE TRIGGER log_checkpoint_is_append_only_update BEFORE UPDATE ON log_checkpoint
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER log_checkpoint_is_append_only_delete BEFORE DELETE ON log_checkpoint
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
