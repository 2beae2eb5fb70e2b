import Foundation
import GRDB
import ShiplogCore
import ShiplogCrypto

/// The right edge of the log's tree (the frontier both stores append through).
typealias LogFrontier = MerkleFrontier

/// Appends leaves to the transparency log inside the caller's transaction.
///
/// Hashes and stores only the subtrees an append completes: O(log n), one on average. The frontier is
/// loaded in one query, or taken from the ledger's cache when no other process has appended since.
///
/// `@unchecked Sendable`: it lives on GRDB's serial writer queue for one transaction; the commit hook
/// that reads its frontier runs on that queue too.
final class LogAppender: @unchecked Sendable {
    /// Subtrees of fewer than 2^4 leaves are not stored: recomputing one from its ≤ 8 leaf hashes is
    /// cheaper than writing a row for every other append. Higher levels are stored as they complete.
    static let lowestStoredLevel = 4

    private let insertEntry: BulkStatement
    private let insertNode: BulkStatement
    private let hasher = PrefixedHasher()
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
        // Straight through libsqlite3: this runs once per ledger write, where GRDB's row decoding showed.
        let size = try BulkStatement(db, sql: "SELECT coalesce(max(leaf_index) + 1, 0) FROM log_entry").firstInteger() ?? 0
        if let cached, cached.size == size {
            frontier = cached
        } else {
            frontier = try Self.load(db, size: size)
        }
    }

    /// The subtrees of the size's binary decomposition: stored ones in one query, small ones from their leaves.
    static func load(_ db: Database, size: Int64) throws -> LogFrontier {
        var frontier = LogFrontier(size: size)
        let levels = (0 ..< 63).filter { (size >> $0) & 1 == 1 }
        let stored = levels.filter { $0 >= lowestStoredLevel }
        if !stored.isEmpty {
            let wanted = stored.map { level in "(\(level), \((size >> level) - 1))" }.joined(separator: ",")
            for row in try Row.fetchAll(db, sql: "SELECT level, idx, hash FROM log_node WHERE (level, idx) IN (VALUES \(wanted))") {
                let level: Int = row["level"]
                let hash: Data = row["hash"]
                frontier.pending[level] = Array(hash)
            }
        }
        for level in levels where level < lowestStoredLevel {
            frontier.pending[level] = try subtreeFromLeaves(db, level: level, index: (size >> level) - 1)
        }
        for level in levels where frontier.pending[level] == nil {
            throw LedgerError.storage("transparency log is missing subtree (\(level), \((size >> level) - 1))")
        }
        return frontier
    }

    /// The hash of a small complete subtree, from its leaf hashes.
    static func subtreeFromLeaves(_ db: Database, level: Int, index: Int64) throws -> MerkleTree.Hash {
        let first = index << level
        let count = Int64(1) << level
        let statement = try db.cachedStatement(sql: "SELECT leaf_hash FROM log_entry WHERE leaf_index >= ? AND leaf_index < ? ORDER BY leaf_index")
        var hashes = try Data.fetchAll(statement, arguments: [first, first + count]).map { Array($0) }
        guard hashes.count == count else { throw LedgerError.storage("transparency log is missing entries \(first)–\(first + count - 1)") }
        while hashes.count > 1 {
            hashes = stride(from: 0, to: hashes.count, by: 2).map { MerkleTree.nodeHash(hashes[$0], hashes[$0 + 1]) }
        }
        return hashes[0]
    }

    /// Appends one event; returns its leaf index.
    @discardableResult
    func append(_ event: LedgerEvent) throws -> Int64 {
        let data = event.canonicalJSON
        return try append(Leaf(kind: event.kind, data: data, hash: MerkleTree.leafHash(data, hasher: hasher)))
    }

    /// An event as the log stores it.
    struct Leaf: Sendable {
        var kind: LedgerEvent.Kind
        var data: [UInt8]
        var hash: MerkleTree.Hash
    }

    /// Appends `count` events in order. Their canonical JSON and leaf hashes, most of an append's cost and
    /// independent from one event to the next, are computed on every core first: a bulk ingest appends
    /// thousands in one transaction.
    func append(count: Int, _ event: @Sendable (Int) -> LedgerEvent) throws {
        for leaf in Self.leaves(count: count, event) { try append(leaf) }
    }

    static func leaves(count: Int, _ event: @Sendable (Int) -> LedgerEvent) -> [Leaf] {
        let chunk = 256
        @Sendable func leaf(_ index: Int, _ hasher: PrefixedHasher) -> Leaf {
            let event = event(index)
            let data = event.canonicalJSON
            return Leaf(kind: event.kind, data: data, hash: MerkleTree.leafHash(data, hasher: hasher))
        }
        guard count > chunk else {
            let hasher = PrefixedHasher()
            return (0 ..< count).map { leaf($0, hasher) }
        }
        var leaves = [Leaf?](repeating: nil, count: count)
        leaves.withUnsafeMutableBufferPointer { buffer in
            // Each chunk writes only its own slots.
            nonisolated(unsafe) let slots = buffer
            DispatchQueue.concurrentPerform(iterations: (count + chunk - 1) / chunk) { part in
                let hasher = PrefixedHasher()
                for index in part * chunk ..< min(count, (part + 1) * chunk) { slots[index] = leaf(index, hasher) }
            }
        }
        return leaves.map { $0! }
    }

    @discardableResult
    private func append(_ leaf: Leaf) throws -> Int64 {
        let data = leaf.data
        let leafHash = leaf.hash
        let index = frontier.size
        insertEntry.bind(1, Int(index))
        insertEntry.bind(2, leaf.kind.rawValue)
        insertEntry.bind(3, bytes: data)
        insertEntry.bind(4, bytes: leafHash)
        insertEntry.bind(5, time)
        try insertEntry.execute()
        try frontier.append(leafHash, hasher: hasher) { level, position, hash in
            guard level >= Self.lowestStoredLevel else { return }
            insertNode.bind(1, level)
            insertNode.bind(2, Int(position))
            insertNode.bind(3, bytes: hash)
            try insertNode.execute()
        }
        return index
    }
}

extension SQLiteLedger {
    /// An appender for this transaction (nil when the ledger has no log); caches its frontier on commit.
    func logAppender(_ db: Database, time: Timestamp, force: Bool = false) throws -> LogAppender? {
        guard let appender = try LogAppender.open(db, enabled: transparencyLog || force, time: time, cached: frontierCache.value) else {
            return nil
        }
        let cache = frontierCache
        db.afterNextTransaction(onCommit: { _ in cache.set(appender.frontier) }, onRollback: { _ in cache.set(nil) })
        return appender
    }
}
