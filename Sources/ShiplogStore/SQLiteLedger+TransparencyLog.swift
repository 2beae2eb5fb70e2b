import Foundation
import GRDB
import ShiplogCore
import ShiplogCrypto

extension SQLiteLedger {
    package func logSize() throws(LedgerError) -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(leaf_index) + 1, 0) FROM log_entry") ?? 0 }
    }

    package func logRoot(size: Int64) throws(LedgerError) -> [UInt8] {
        guard size > 0 else { throw .invalidInput(InvalidInput(field: "size", value: String(size), reason: "a root needs at least one entry")) }
        return try read { db in try MerkleTree.rangeHash(0, size, Self.subtreeLookup(db)) }
    }

    package func logInclusionProof(index: Int64, size: Int64) throws(LedgerError) -> (leafHash: [UInt8], proof: [[UInt8]]) {
        guard index >= 0, index < size else {
            throw .invalidInput(InvalidInput(field: "entry", value: String(index), reason: "not in a tree of \(size) entries"))
        }
        return try read { db in
            let lookup = Self.subtreeLookup(db)
            return (try lookup(0, index), try MerkleTree.inclusionProof(index: index, size: size, lookup))
        }
    }

    package func logConsistencyProof(from: Int64, to: Int64) throws(LedgerError) -> [[UInt8]] {
        try read { db in try MerkleTree.consistencyProof(from: from, to: to, Self.subtreeLookup(db)) }
    }

    package func logEntries(from: Int64, limit: Int) throws(LedgerError) -> [LogEntry] {
        try read { db in
            try Row.fetchCursor(db, sql: "SELECT leaf_index, kind, data, leaf_hash FROM log_entry WHERE leaf_index >= ? ORDER BY leaf_index LIMIT ?",
                                arguments: [from, limit]).map { row in
                let data: Data = row[2]
                let hash: Data = row[3]
                return LogEntry(index: row[0], kind: row[1], data: Array(data), leafHash: Array(hash))
            }.reduce(into: []) { $0.append($1) }
        }
    }

    package func buildEvents(afterID: Int64, limit: Int) throws(LedgerError) -> [(id: Int64, event: [UInt8], moved: TagPointer?)] {
        try read { db in
            try Row.fetchCursor(db, sql: """
                SELECT id, service, repository, tag, digest, commit_sha, ref, run_id, run_attempt, run_url, builder, built_at, labels,
                       recorded_at, moved_tag, committed_at, written_by FROM build WHERE id > ? ORDER BY id LIMIT ?
                """, arguments: [afterID, limit]).map { row in
                let id: Int64 = row[0]
                let runID: String = row[7]
                let labelsText: String = row[12]
                let labels = labelsText == "{}" ? [:] : ((try? JSONDecoder().decode([String: String].self, from: Data(labelsText.utf8))) ?? [:])
                // Values as stored; the event is built from them exactly as `record` built it.
                var build = NewBuild(
                    service: row[1], repository: Repository(validated: row[2]), tag: row[3], digest: Digest(validated: row[4]),
                    commit: row[5], ref: row[6], runID: runID.isEmpty ? nil : runID, runAttempt: row[8], runURL: row[9],
                    builder: row[10], labels: labels,
                    committedAt: try (row[15] as String?).map { text throws(ValueError) in try Timestamp(rfc3339: text) })
                build.writtenBy = (row[16] as String?).flatMap(WorkloadIdentity.init(canonical:))
                let builtAt: String = row[11]
                let recordedAt: String = row[13]
                let movedTag: Bool = row[14]
                let event = LedgerEvent.build(id: id, build, builtAt: builtAt, recordedAt: recordedAt, movedTag: movedTag).canonicalJSON
                return (id, event, movedTag ? (build.repository.name, build.tag, build.digest.description, recordedAt) : nil)
            }.reduce(into: []) { $0.append($1) }
        }
    }

    package func allDeploys() throws(LedgerError) -> [Deploy] {
        try read { db in try Row.fetchAll(db, sql: "SELECT \(Self.deployColumns) FROM deploy d ORDER BY id").map(Self.deploy(from:)) }
    }

    package func badImages() throws(LedgerError) -> [(image: String, reason: String, markedAt: String)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT repository || '@' || digest, reason, marked_at FROM bad_image ORDER BY 1").map { row in
                (row[0], row[1], row[2])
            }
        }
    }

    package func currentTags() throws(LedgerError) -> [TagPointer] {
        try read { db in
            // A cursor reuses one row: a ledger of a million builds has about as many tags.
            try Row.fetchCursor(db, sql: "SELECT repository, tag, digest, since FROM tag").map { row -> TagPointer in (row[0], row[1], row[2], row[3]) }
                .reduce(into: []) { $0.append($1) }
        }
    }

    package func closedTagIntervals() throws(LedgerError) -> [ClosedTagInterval] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT repository, tag, digest, valid_from, valid_to FROM tag_history ORDER BY id").map { row in
                (row[0], row[1], row[2], row[3], row[4])
            }
        }
    }

    package func allChecks() throws(LedgerError) -> [DeployCheck] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM deploy_check ORDER BY id").map(Self.check(from:)) }
    }

    package func allSwitches() throws(LedgerError) -> [TrafficSwitch] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM traffic_switch ORDER BY id").map(Self.trafficSwitch(from:)) }
    }

    package func allRefusals() throws(LedgerError) -> [(deploy: NewDeploy, reason: String, refusedAt: String, policy: PolicyJudgement?)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM deploy_refusal ORDER BY id").map { row in
                let slot: String = row["slot"]
                let deploy = NewDeploy(environment: row["environment"], slot: slot.isEmpty ? nil : slot, service: row["service"],
                                       repository: Repository(validated: row["repository"]), tag: row["tag"],
                                       digest: Digest(validated: row["digest"]), actor: row["actor"])
                let version: Int64? = row["policy_version"]
                let violations: String? = row["violations"]
                return (deploy, row["reason"], row["refused_at"],
                        version.map { PolicyJudgement(version: $0, violations: PolicyViolation.parse(violations ?? "[]")) })
            }
        }
    }

    package func livePointers() throws(LedgerError) -> [(environment: String, slot: String?, service: String, deployID: Int64)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT environment, slot, service, deploy_id FROM live_deploy ORDER BY 1, 2, 3").map { row in
                let slot: String = row[1]
                return (row[0], slot.isEmpty ? nil : slot, row[2], row[3])
            }
        }
    }

    package func storedSubtrees() throws(LedgerError) -> [SubtreeHash] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT level, idx, hash FROM log_node ORDER BY level, idx").map { row in
                let hash: Data = row[2]
                return (level: row[0], index: row[1], hash: Array(hash))
            }
        }
    }

    package func save(_ checkpoint: Checkpoint) throws(LedgerError) {
        try write { db in
            try db.execute(sql: """
                INSERT INTO log_checkpoint (tree_size, root_hash, note, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING
                """, arguments: [checkpoint.treeSize, Data(checkpoint.rootHash), checkpoint.note, checkpoint.createdAt.description])
        }
    }

    package func checkpoints() throws(LedgerError) -> [Checkpoint] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM log_checkpoint ORDER BY tree_size").map(Self.checkpoint(from:)) }
    }

    package func latestCheckpoint() throws(LedgerError) -> Checkpoint? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM log_checkpoint ORDER BY tree_size DESC LIMIT 1").map(Self.checkpoint(from:))
        }
    }

    static func checkpoint(from row: Row) throws -> Checkpoint {
        let root: Data = row["root_hash"]
        let note: String = row["note"]
        return Checkpoint(origin: String(note.prefix { $0 != "\n" }), treeSize: row["tree_size"], rootHash: Array(root),
                          note: note, createdAt: try Timestamp(rfc3339: row["created_at"]))
    }

    /// Hashes of complete subtrees: leaves from log_entry, small subtrees from their leaves, the rest from log_node.
    static func subtreeLookup(_ db: Database) -> MerkleTree.SubtreeLookup {
        { level, index in
            if level > 0, level < LogAppender.lowestStoredLevel { return try LogAppender.subtreeFromLeaves(db, level: level, index: index) }
            let hash: Data? = level == 0
                ? try Data.fetchOne(db.cachedStatement(sql: "SELECT leaf_hash FROM log_entry WHERE leaf_index = ?"), arguments: [index])
                : try Data.fetchOne(db.cachedStatement(sql: "SELECT hash FROM log_node WHERE level = ? AND idx = ?"),
                                    arguments: [level, index])
            guard let hash else { throw LedgerError.storage("transparency log has no subtree (\(level), \(index))") }
            return Array(hash)
        }
    }
}
