import ShiplogCore
import ShiplogCrypto

/// The right edge of the log's tree (the frontier both stores append through).
typealias PostgresLogFrontier = MerkleFrontier

/// Appends leaves to the transparency log inside a write transaction that holds the ledger head's lock.
///
/// The same tree as SQLite's (RFC 6962, subtrees of 2^4 leaves and more stored as they complete), so a ledger copied
/// between backends has the same root. Rows are kept until the transaction's end and written in two statements
/// (`unnest` over arrays): a batch of builds costs two round trips for its log, not one per leaf.
final class PostgresLogAppender {
    static let lowestStoredLevel = 4

    private let session: PostgresSession
    private let hasher = PrefixedHasher()
    /// The queued statement whose answer is the head's row (locked), read at the first append.
    private let head: Int
    private let cached: PostgresLogFrontier?
    private var state: (frontier: PostgresLogFrontier, startSize: Int64)?
    private var entries: (index: [Int64], kind: [String], data: [[UInt8]], hash: [[UInt8]], time: [String]) = ([], [], [], [], [])
    private var nodes: (level: [Int64], index: [Int64], hash: [[UInt8]]) = ([], [], [])

    init(_ session: PostgresSession, head: Int, cached: PostgresLogFrontier?) {
        self.session = session
        self.head = head
        self.cached = cached
    }

    /// The frontier after this transaction's appends, to keep once it commits; nil when it appended nothing.
    var committedFrontier: PostgresLogFrontier? {
        guard let state, state.frontier.size > state.startSize else { return nil }
        return state.frontier
    }

    /// The log's frontier under the head's lock: the cached one when the head's size says nobody appended since.
    private func frontier() throws(LedgerError) -> PostgresLogFrontier {
        if let state { return state.frontier }
        guard let row = try session.queuedAnswer(head).first else { throw .storage("the ledger head row is missing") }
        let size = try row.integer("log_size")
        let frontier = if let cached, cached.size == size { cached } else { try Self.load(session, size: size) }
        state = (frontier, size)
        return frontier
    }

    /// The subtrees of the size's binary decomposition: stored ones in one query, small ones from their leaves.
    static func load(_ session: PostgresSession, size: Int64) throws(LedgerError) -> PostgresLogFrontier {
        var frontier = PostgresLogFrontier(size: size)
        let levels = (0 ..< 63).filter { (size >> $0) & 1 == 1 }
        let stored = levels.filter { $0 >= lowestStoredLevel }
        if !stored.isEmpty {
            let rows = try session.rows("""
                SELECT level, idx, hash FROM log_node WHERE (level, idx) IN (SELECT * FROM unnest($1::int[], $2::bigint[]))
                """, [.integers(stored.map(Int64.init)), .integers(stored.map { (size >> $0) - 1 })])
            for row in rows { frontier.pending[Int(try row.integer("level"))] = try row.bytes("hash") }
        }
        for level in levels where level < lowestStoredLevel {
            frontier.pending[level] = try subtreeFromLeaves(session, level: level, index: (size >> level) - 1)
        }
        for level in levels where frontier.pending[level] == nil {
            throw .storage("transparency log is missing subtree (\(level), \((size >> level) - 1))")
        }
        return frontier
    }

    /// The hash of a small complete subtree, from its leaf hashes.
    static func subtreeFromLeaves(_ session: PostgresSession, level: Int, index: Int64) throws(LedgerError) -> MerkleTree.Hash {
        let first = index << level
        let count = Int64(1) << level
        var hashes = try session.rows("SELECT leaf_hash FROM log_entry WHERE leaf_index >= $1 AND leaf_index < $2 ORDER BY leaf_index",
                                      [.integer(first), .integer(first + count)]).map { row throws(LedgerError) in try row.bytes("leaf_hash") }
        guard hashes.count == count else { throw .storage("transparency log is missing entries \(first)–\(first + count - 1)") }
        while hashes.count > 1 {
            hashes = stride(from: 0, to: hashes.count, by: 2).map { MerkleTree.nodeHash(hashes[$0], hashes[$0 + 1]) }
        }
        return hashes[0]
    }

    /// Appends one event at `time`; returns its leaf index.
    @discardableResult
    func append(_ event: LedgerEvent, at time: Timestamp) throws(LedgerError) -> Int64 {
        var frontier = try frontier()
        defer { state?.frontier = frontier }
        let data = event.canonicalJSON
        let leafHash = MerkleTree.leafHash(data, hasher: hasher)
        let index = frontier.size
        entries.index.append(index)
        entries.kind.append(event.kind.rawValue)
        entries.data.append(data)
        entries.hash.append(leafHash)
        entries.time.append(time.description)
        frontier.append(leafHash, hasher: hasher) { level, position, hash in
            guard level >= Self.lowestStoredLevel else { return }
            nodes.level.append(Int64(level))
            nodes.index.append(position)
            nodes.hash.append(hash)
        }
        return index
    }

    /// The statements that write the appended rows and the head's new size, to go out with COMMIT.
    func closingStatements() -> [(sql: String, values: [SQLValue])] {
        guard let frontier = committedFrontier else { return [] }
        var statements: [(sql: String, values: [SQLValue])] = [("""
            INSERT INTO log_entry (leaf_index, kind, data, leaf_hash, appended_at)
            SELECT * FROM unnest($1::bigint[], $2::text[], $3::bytea[], $4::bytea[], $5::text[])
            """, [.integers(entries.index), .texts(entries.kind), .byteStrings(entries.data), .byteStrings(entries.hash), .texts(entries.time)])]
        if !nodes.level.isEmpty {
            statements.append(("INSERT INTO log_node (level, idx, hash) SELECT * FROM unnest($1::int[], $2::bigint[], $3::bytea[])",
                               [.integers(nodes.level), .integers(nodes.index), .byteStrings(nodes.hash)]))
        }
        statements.append(("UPDATE ledger_head SET log_size = $1 WHERE id = 1", [.integer(frontier.size)]))
        return statements
    }
}
