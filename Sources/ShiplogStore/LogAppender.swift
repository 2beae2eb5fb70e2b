import Foundation
import GRDB
import ShiplogCore
import ShiplogCrypto

/// Appends leaves to the transparency log inside the caller's transaction.
///
/// Keeps the right edge of the tree (the pending left sibling at each level) in memory, so an append
/// hashes and stores only the subtrees it completes: O(log n), and O(1) amortised.
final class LogAppender {
    private let insertEntry: BulkStatement
    private let insertNode: BulkStatement
    private var frontier: [Int: MerkleTree.Hash] = [:]
    private(set) var size: Int64
    private let time: String

    /// Nil when the ledger was opened without a log (benchmarks measuring its cost).
    static func open(_ db: Database, enabled: Bool, time: Timestamp) throws -> LogAppender? {
        enabled ? try LogAppender(db, time: time) : nil
    }

    private init(_ db: Database, time: Timestamp) throws {
        self.time = time.description
        insertEntry = try BulkStatement(db, sql: "INSERT INTO log_entry (leaf_index, kind, data, leaf_hash, appended_at) VALUES (?, ?, ?, ?, ?)")
        insertNode = try BulkStatement(db, sql: "INSERT INTO log_node (level, idx, hash) VALUES (?, ?, ?)")
        size = try Int64.fetchOne(db, sql: "SELECT coalesce(max(leaf_index) + 1, 0) FROM log_entry") ?? 0
        // The subtrees of the current size's binary decomposition wait for their right siblings.
        for level in 0 ..< 63 where (size >> level) & 1 == 1 {
            let index = (size >> level) - 1
            let hash: Data?
            if level == 0 {
                hash = try Data.fetchOne(db, sql: "SELECT leaf_hash FROM log_entry WHERE leaf_index = ?", arguments: [index])
            } else {
                hash = try Data.fetchOne(db, sql: "SELECT hash FROM log_node WHERE level = ? AND idx = ?", arguments: [level, index])
            }
            guard let hash else { throw LedgerError.storage("transparency log is missing subtree (\(level), \(index))") }
            frontier[level] = Array(hash)
        }
    }

    /// Appends one event; returns its leaf index.
    @discardableResult
    func append(_ event: LedgerEvent) throws -> Int64 {
        let data = event.canonicalJSON
        let leafHash = MerkleTree.leafHash(data)
        let index = size
        insertEntry.bind(1, Int(index))
        insertEntry.bind(2, event.kind.rawValue)
        insertEntry.bind(3, bytes: data)
        insertEntry.bind(4, bytes: leafHash)
        insertEntry.bind(5, time)
        try insertEntry.execute()
        var hash = leafHash
        var level = 0
        var position = index
        while position & 1 == 1, let left = frontier.removeValue(forKey: level) {
            hash = MerkleTree.nodeHash(left, hash)
            level += 1
            position >>= 1
            insertNode.bind(1, level)
            insertNode.bind(2, Int(position))
            insertNode.bind(3, bytes: hash)
            try insertNode.execute()
        }
        frontier[level] = hash
        size += 1
        return index
    }
}
