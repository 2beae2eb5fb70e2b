import Foundation
import GRDB
import ShiplogCore
import ShiplogCrypto

/// The right edge of the log's tree: per level, the complete subtree still waiting for a right sibling.
/// With the size, it is all an append needs.
struct LogFrontier: Sendable {
    var size: Int64 = 0
    var pending: [MerkleTree.Hash?] = Array(repeating: nil, count: 64)
}

/// Appends leaves to the transparency log inside the caller's transaction.
///
/// Hashes and stores only the subtrees an append completes: O(log n), one on average. The frontier is
/// loaded in one query, or taken from the ledger's cache when no other process has appended since.
///
/// `@unchecked Sendable`: it lives on GRDB's serial writer queue for one transaction; the commit hook
/// that reads its frontier runs on that queue too.
final class LogAppender: @unchecked Sendable {
    private let insertEntry: BulkStatement
    private let insertNode: BulkStatement
    private(set) var frontier: LogFrontier
    private let time: String

    /// Nil when the ledger was opened without a log (benchmarks measuring its cost).
    static func open(_ db: Database, enabled: Bool, time: Timestamp, cached: LogFrontier? = nil) throws -> LogAppender? {
        enabled ? try LogAppender(db, time: time, cached: cached) : nil
    }

    private init(_ db: Database, time: Timestamp, cached: LogFrontier?) throws {
        self.time = time.description
        insertEntry = try BulkStatement(db, sql: "INSERT INTO log_entry (leaf_index, kind, data, leaf_hash, appended_at) VALUES (?, ?, ?, ?, ?)")
        insertNode = try BulkStatement(db, sql: "INSERT INTO log_node (level, idx, hash) VALUES (?, ?, ?)")
        let size = try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(leaf_index) + 1, 0) FROM log_entry")) ?? 0
        if let cached, cached.size == size {
            frontier = cached
        } else {
            frontier = try Self.load(db, size: size)
        }
    }

    /// The subtrees of the size's binary decomposition, in one query.
    static func load(_ db: Database, size: Int64) throws -> LogFrontier {
        var frontier = LogFrontier(size: size)
        let levels = (0 ..< 63).filter { (size >> $0) & 1 == 1 }
        guard !levels.isEmpty else { return frontier }
        let wanted = levels.map { level in "(\(level), \((size >> level) - 1))" }.joined(separator: ",")
        let rows = try Row.fetchAll(db, sql: """
            SELECT 0 AS level, leaf_index AS idx, leaf_hash AS hash FROM log_entry WHERE leaf_index = \(size - 1)
            UNION ALL
            SELECT level, idx, hash FROM log_node WHERE (level, idx) IN (VALUES \(wanted))
            """)
        for row in rows {
            let level: Int = row["level"]
            let hash: Data = row["hash"]
            if levels.contains(level) { frontier.pending[level] = Array(hash) }
        }
        for level in levels where frontier.pending[level] == nil {
            throw LedgerError.storage("transparency log is missing subtree (\(level), \((size >> level) - 1))")
        }
        return frontier
    }

    /// Appends one event; returns its leaf index.
    @discardableResult
    func append(_ event: LedgerEvent) throws -> Int64 {
        let data = event.canonicalJSON
        let leafHash = MerkleTree.leafHash(data)
        let index = frontier.size
        insertEntry.bind(1, Int(index))
        insertEntry.bind(2, event.kind.rawValue)
        insertEntry.bind(3, bytes: data)
        insertEntry.bind(4, bytes: leafHash)
        insertEntry.bind(5, time)
        try insertEntry.execute()
        var hash = leafHash
        var level = 0
        var position = index
        while position & 1 == 1, let left = frontier.pending[level] {
            frontier.pending[level] = nil
            hash = MerkleTree.nodeHash(left, hash)
            level += 1
            position >>= 1
            insertNode.bind(1, level)
            insertNode.bind(2, Int(position))
            insertNode.bind(3, bytes: hash)
            try insertNode.execute()
        }
        frontier.pending[level] = hash
        frontier.size += 1
        return index
    }
}
