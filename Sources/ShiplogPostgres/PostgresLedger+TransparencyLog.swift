import ShiplogCore
import ShiplogCrypto

extension PostgresLedger: TransparencyLogStore {
    /// From the entries themselves, as on SQLite (what `log verify` walks); the head's own count is the appenders' bookkeeping.
    package func logSize() throws(LedgerError) -> Int64 {
        try single { session throws(LedgerError) in
            try session.row("SELECT coalesce(max(leaf_index) + 1, 0) AS size FROM log_entry")?.integer("size") ?? 0
        }
    }

    package func logRoot(size: Int64) throws(LedgerError) -> [UInt8] {
        guard size > 0 else { throw .invalidInput(InvalidInput(field: "size", value: String(size), reason: "a root needs at least one entry")) }
        return try read { session throws(LedgerError) in
            try Self.lookingUp(session) { lookup in try MerkleTree.rangeHash(0, size, lookup) }
        }
    }

    package func logInclusionProof(index: Int64, size: Int64) throws(LedgerError) -> (leafHash: [UInt8], proof: [[UInt8]]) {
        guard index >= 0, index < size else {
            throw .invalidInput(InvalidInput(field: "entry", value: String(index), reason: "not in a tree of \(size) entries"))
        }
        return try read { session throws(LedgerError) in
            try Self.lookingUp(session) { lookup in (try lookup(0, index), try MerkleTree.inclusionProof(index: index, size: size, lookup)) }
        }
    }

    package func logConsistencyProof(from: Int64, to: Int64) throws(LedgerError) -> [[UInt8]] {
        try read { session throws(LedgerError) in
            try Self.lookingUp(session) { lookup in try MerkleTree.consistencyProof(from: from, to: to, lookup) }
        }
    }

    package func logEntries(from: Int64, limit: Int) throws(LedgerError) -> [LogEntry] {
        try single { session throws(LedgerError) in
            try session.rows("SELECT leaf_index, kind, data, leaf_hash FROM log_entry WHERE leaf_index >= $1 ORDER BY leaf_index LIMIT $2",
                             [.integer(from), .int(limit)]).map { row throws(LedgerError) in
                LogEntry(index: try row.integer("leaf_index"), kind: try row.text("kind"), data: try row.bytes("data"),
                         leafHash: try row.bytes("leaf_hash"))
            }
        }
    }

    package func storedSubtrees() throws(LedgerError) -> [SubtreeHash] {
        try single { session throws(LedgerError) in
            try session.rows("SELECT level, idx, hash FROM log_node ORDER BY level, idx").map { row throws(LedgerError) in
                (level: Int(try row.integer("level")), index: try row.integer("idx"), hash: try row.bytes("hash"))
            }
        }
    }

    package func save(_ checkpoint: Checkpoint) throws(LedgerError) {
        try write { session, _ throws(LedgerError) in
            try session.execute("""
                INSERT INTO log_checkpoint (tree_size, root_hash, note, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING
                """, [.integer(checkpoint.treeSize), .bytes(checkpoint.rootHash), .text(checkpoint.note), .text(checkpoint.createdAt.description)])
        }
    }

    package func checkpoints() throws(LedgerError) -> [Checkpoint] {
        try single { session throws(LedgerError) in
            try session.rows("SELECT * FROM log_checkpoint ORDER BY tree_size").map(Self.checkpoint(from:))
        }
    }

    package func latestCheckpoint() throws(LedgerError) -> Checkpoint? {
        try single { session throws(LedgerError) in
            try session.row("SELECT * FROM log_checkpoint ORDER BY tree_size DESC LIMIT 1").map(Self.checkpoint(from:))
        }
    }

    static func checkpoint(from row: SQLRow) throws(LedgerError) -> Checkpoint {
        let note = try row.text("note")
        return Checkpoint(origin: String(note.prefix { $0 != "\n" }), treeSize: try row.integer("tree_size"), rootHash: try row.bytes("root_hash"),
                          note: note, createdAt: try Self.time(try row.text("created_at")))
    }

    /// Runs `body` with a lookup of complete subtrees: leaves from log_entry, small subtrees from their leaves, the rest from log_node.
    static func lookingUp<T>(_ session: PostgresSession, _ body: (MerkleTree.SubtreeLookup) throws -> T) throws(LedgerError) -> T {
        let lookup: MerkleTree.SubtreeLookup = { level, index in
            if level > 0, level < PostgresLogAppender.lowestStoredLevel {
                return try PostgresLogAppender.subtreeFromLeaves(session, level: level, index: index)
            }
            let row = level == 0
                ? try session.row("SELECT leaf_hash AS hash FROM log_entry WHERE leaf_index = $1", [.integer(index)])
                : try session.row("SELECT hash FROM log_node WHERE level = $1 AND idx = $2", [.int(level), .integer(index)])
            guard let row else { throw LedgerError.storage("transparency log has no subtree (\(level), \(index))") }
            return try row.bytes("hash")
        }
        do { return try body(lookup) } catch let error as LedgerError { throw error } catch {
            throw .storage("transparency log: \(error)")
        }
    }

    /// A stored time, which was valid when it was written.
    static func time(_ text: String) throws(LedgerError) -> Timestamp {
        do { return try Timestamp(rfc3339: text) } catch { throw .storage("stored time \(text): \(error)") }
    }

    static func time(_ text: String?) throws(LedgerError) -> Timestamp? {
        guard let text else { return nil }
        return try time(text)
    }
}
