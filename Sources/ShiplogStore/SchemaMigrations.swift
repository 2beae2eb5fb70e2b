import GRDB

/// Applies the embedded `migrations/*.sql` files in name order and records each in `schema_migration`.
///
/// GRDB's `DatabaseMigrator` reads the applied list outside the write transaction, so two processes
/// opening a new file at once could both apply 0001. Here the check and the apply share one IMMEDIATE
/// transaction, which serialises CI jobs that start together.
package enum SchemaMigrations {
    package static let all: [(name: String, text: String)] = EmbeddedMigrations.all

    static func apply(to writer: any DatabaseWriter) throws {
        // Fast path, no write lock: every migration is already recorded.
        let applied = try writer.writeWithoutTransaction { db in try appliedNames(db) }
        guard all.contains(where: { !applied.contains($0.name) }) else { return }
        try writer.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS schema_migration (
                        name TEXT PRIMARY KEY NOT NULL,
                        applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))
                    """)
                let applied = try appliedNames(db)
                for migration in all where !applied.contains(migration.name) {
                    try db.execute(sql: migration.text)
                    try db.execute(sql: "INSERT INTO schema_migration (name) VALUES (?)", arguments: [migration.name])
                }
                return .commit
            }
        }
    }

    static func appliedNames(_ db: Database) throws -> Set<String> {
        guard try db.tableExists("schema_migration") else { return [] }
        return try Set(String.fetchAll(db, sql: "SELECT name FROM schema_migration"))
    }
}
