import GRDB
import ShiplogCore

/// Queries over `tag_history`, where moving a tag closes its open interval and opens a new one.
enum TagHistory {
    /// Makes `repository:tag` name `digest` from `time` on. A no-op when it already does.
    static func point(repository: String, tag: String, at digest: String, time: String, _ db: Database) throws {
        let current = try db.cachedStatement(sql: """
            SELECT id, digest, valid_from FROM tag_history WHERE repository = ? AND tag = ? AND valid_to IS NULL
            """)
        current.setUncheckedArguments([repository, tag])
        var from = time
        if let row = try Row.fetchOne(current) {
            let currentDigest: String = row["digest"]
            if currentDigest == digest { return }
            // Clocks of parallel CI runners differ: never close an interval before it opened.
            let openedAt: String = row["valid_from"]
            from = max(time, openedAt)
            let close = try db.cachedStatement(sql: "UPDATE tag_history SET valid_to = ? WHERE id = ?")
            close.setUncheckedArguments([from, row["id"] as Int64])
            try close.execute()
        }
        let open = try db.cachedStatement(sql: """
            INSERT INTO tag_history (repository, tag, digest, valid_from) VALUES (?, ?, ?, ?)
            """)
        open.setUncheckedArguments([repository, tag, digest, from])
        try open.execute()
    }

    static func intervals(repository: String, digest: String, _ db: Database) throws -> [TagInterval] {
        try Row.fetchAll(db, sql: """
            SELECT tag, digest, valid_from, valid_to FROM tag_history WHERE repository = ? AND digest = ?
            ORDER BY valid_from, id
            """, arguments: [repository, digest]).map { row in
            let validTo: String? = row["valid_to"]
            return TagInterval(
                tag: row["tag"], digest: row["digest"], validFrom: try Timestamp(rfc3339: row["valid_from"]),
                validTo: try validTo.map { text throws(ValueError) in try Timestamp(rfc3339: text) }
            )
        }
    }
}
