import ShiplogCore

/// Queries over `tag` (where each tag points now) and `tag_history` (the intervals moves closed), as SQLite's store has them.
enum PostgresTagHistory {
    /// Makes `repository:tag` name `digest` from `time` on; a no-op when it already does. True when the tag moved (or is new).
    /// Clocks of parallel CI runners differ: a move never starts before the interval it closes.
    static func point(_ session: PostgresSession, repository: String, tag: String, at digest: String, time: String) throws(LedgerError) -> Bool {
        let values: [SQLValue] = [.text(repository), .text(tag), .text(digest), .text(time)]
        if try session.execute("INSERT INTO tag (repository, tag, digest, since) VALUES ($1, $2, $3, $4) ON CONFLICT (repository, tag) DO NOTHING",
                               values) > 0 { return true }
        return try session.execute("""
            UPDATE tag SET digest = $3, since = greatest($4, since) WHERE repository = $1 AND tag = $2 AND digest IS DISTINCT FROM $3
            """, values) > 0
    }

    /// Closes the tags of `repository` a registry delete names: `tag` (when it names `digest`, if given), or every tag
    /// naming `digest`. The closed intervals go to tag_history, as a move's do.
    static func remove(_ session: PostgresSession, repository: String, tag: String?, digest: String?, time: String) throws(LedgerError)
        -> [(tag: String, digest: String)] {
        var values: [SQLValue] = [.text(time), .text(repository)]
        var conditions = ["repository = $2"]
        if let tag {
            values.append(.text(tag))
            conditions.append("tag = $\(values.count)")
        }
        if let digest {
            values.append(.text(digest))
            conditions.append("digest = $\(values.count)")
        }
        let filter = conditions.joined(separator: " AND ")
        try session.execute("""
            INSERT INTO tag_history (repository, tag, digest, valid_from, valid_to)
            SELECT repository, tag, digest, since, greatest(since, $1) FROM tag WHERE \(filter) ORDER BY tag
            """, values)
        // $1 is unused by the delete, but the numbering stays the same.
        return try session.rows("DELETE FROM tag WHERE \(filter) AND $1::text IS NOT NULL RETURNING tag, digest", values).map { row throws(LedgerError) in
            (tag: try row.text("tag"), digest: try row.text("digest"))
        }.sorted { $0.tag < $1.tag }
    }

    /// Every interval in which a tag of `repository` named `digest`, oldest first; the open one last.
    static func intervals(_ session: PostgresSession, repository: String, digest: String) throws(LedgerError) -> [TagInterval] {
        try session.rows("""
            SELECT * FROM (
                SELECT tag, digest, valid_from, valid_to FROM tag_history WHERE repository = $1 AND digest = $2
                UNION ALL
                SELECT tag, digest, since, NULL FROM tag WHERE repository = $1 AND digest = $2
            ) AS intervals ORDER BY valid_from, valid_to IS NULL, tag
            """, [.text(repository), .text(digest)]).map { row throws(LedgerError) in
            TagInterval(tag: try row.text("tag"), digest: try row.text("digest"), validFrom: try PostgresLedger.time(try row.text("valid_from")),
                        validTo: try PostgresLedger.time(try row.optionalText("valid_to")))
        }
    }
}
