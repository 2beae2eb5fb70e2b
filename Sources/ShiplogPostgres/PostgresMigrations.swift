import ShiplogCore

/// Applies the embedded `migrations/postgres/*.sql` files in name order, each in its own transaction with its row in
/// `schema_migration`. Several servers starting at once take one advisory lock first, so the schema is migrated once.
package enum PostgresMigrations {
    package static let all: [(name: String, text: String)] = EmbeddedMigrations.all
    /// The advisory lock's key: "shiplog" in ASCII, so other applications on the database are unlikely to take it.
    static let lockKey: Int64 = 0x7368_6970_6c6f_67

    static func apply(_ session: PostgresSession) throws(LedgerError) {
        // Fast path, no lock: every migration already recorded.
        if try applied(session).isSuperset(of: all.map(\.name)) { return }
        try session.execute("SELECT pg_advisory_lock($1)", [.integer(lockKey)])
        defer { _ = try? session.execute("SELECT pg_advisory_unlock($1)", [.integer(lockKey)]) }
        try session.execute("""
            CREATE TABLE IF NOT EXISTS schema_migration (
                name text PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now())
            """)
        let done = try applied(session)
        for migration in all where !done.contains(migration.name) {
            try session.transaction { () throws(LedgerError) in
                for statement in SQLScript.statements(migration.text) {
                    do { try session.execute(statement) } catch {
                        throw .storage("migration \(migration.name): \(error)")
                    }
                }
                try session.execute("INSERT INTO schema_migration (name) VALUES ($1)", [.text(migration.name)])
            }
        }
    }

    static func applied(_ session: PostgresSession) throws(LedgerError) -> Set<String> {
        guard try session.row("SELECT to_regclass('schema_migration') IS NOT NULL AS present")?.bool("present") == true else { return [] }
        return Set(try session.rows("SELECT name FROM schema_migration").map { row throws(LedgerError) in try row.text("name") })
    }
}
