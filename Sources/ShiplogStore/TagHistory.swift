import GRDB
import ShiplogCore

/// Queries over `tag` (where each tag points now) and `tag_history` (the intervals moves closed).
enum TagHistory {
    /// Moves `repository:tag` to a digest; the schema's trigger records the interval a move closes.
    /// Clocks of parallel CI runners differ: a move never starts before the interval it closes.
    ///
    /// Two statements rather than one UPSERT: most tags a bulk ingest names are new, and a plain insert
    /// runs a quarter faster than an UPSERT whose update path carries the history trigger.
    struct Pointer: ~Copyable {
        private let insert: BulkStatement
        private let move: BulkStatement

        init(_ db: Database) throws {
            let insert = try BulkStatement(db, sql: """
                INSERT INTO tag (repository, tag, digest, since) VALUES (?, ?, ?, ?) ON CONFLICT (repository, tag) DO NOTHING
                """)
            let move = try BulkStatement(db, sql: """
                UPDATE tag SET digest = ?3, since = max(?4, since) WHERE repository = ?1 AND tag = ?2 AND digest IS NOT ?3
                """)
            self.insert = insert
            self.move = move
        }

        /// Makes `repository:tag` name `digest` from `time` on; a no-op when it already does. True when the
        /// tag moved (or is new).
        func point(repository: String, tag: String, at digest: String, time: String) throws -> Bool {
            try Self.run(insert, repository, tag, digest, time) || Self.run(move, repository, tag, digest, time)
        }

        private static func run(_ statement: borrowing BulkStatement, _ repository: String, _ tag: String, _ digest: String,
                                _ time: String) throws -> Bool {
            statement.bind(1, repository)
            statement.bind(2, tag)
            statement.bind(3, digest)
            statement.bind(4, time)
            return try statement.execute() > 0
        }
    }

    /// Closes the tags of `repository` a registry delete names: `tag` (when it names `digest`, if given), or
    /// every tag naming `digest`. The closed intervals go to tag_history, as a move's do.
    static func remove(repository: String, tag: String?, digest: String?, time: String, _ db: Database) throws -> [(tag: String, digest: String)] {
        var conditions = ["repository = ?"]
        var arguments: StatementArguments = [repository]
        if let tag {
            conditions.append("tag = ?")
            arguments += [tag]
        }
        if let digest {
            conditions.append("digest = ?")
            arguments += [digest]
        }
        let filter = conditions.joined(separator: " AND ")
        let removed = try Row.fetchAll(db, sql: "SELECT tag, digest FROM tag WHERE \(filter)", arguments: arguments)
            .map { (tag: $0["tag"] as String, digest: $0["digest"] as String) }
        try db.execute(sql: """
            INSERT INTO tag_history (repository, tag, digest, valid_from, valid_to)
            SELECT repository, tag, digest, since, max(since, ?) FROM tag WHERE \(filter)
            """, arguments: [time] + arguments)
        try db.execute(sql: "DELETE FROM tag WHERE \(filter)", arguments: arguments)
        return removed
    }

    /// Every interval in which a tag of `repository` named `digest`, oldest first; the open one last.
    static func intervals(repository: String, digest: String, _ db: Database) throws -> [TagInterval] {
        try Row.fetchAll(db, sql: """
            SELECT * FROM (
                SELECT tag, digest, valid_from, valid_to FROM tag_history WHERE repository = ? AND digest = ?
                UNION ALL
                SELECT tag, digest, since, NULL FROM tag WHERE repository = ? AND digest = ?
            ) ORDER BY valid_from, valid_to IS NULL, tag
            """, arguments: [repository, digest, repository, digest]).map { row in
            let validTo: String? = row["valid_to"]
            return TagInterval(
                tag: row["tag"], digest: row["digest"], validFrom: try Timestamp(rfc3339: row["valid_from"]),
                validTo: try validTo.map { text throws(ValueError) in try Timestamp(rfc3339: text) }
            )
        }
    }
}
