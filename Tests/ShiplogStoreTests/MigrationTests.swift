import Foundation
import GRDB
import ShiplogCore
import ShiplogPostgres
import ShiplogStore
import ShiplogTestSupport
import Testing

@Suite("schema migrations")
struct MigrationTests {
    /// A ledger written before migration 0008 kept whether a build moved its tag only in the build's log
    /// entry; the migration copies it into the row, so the row alone regenerates the entry's exact bytes.
    @Test("0008 takes each build's moved_tag from its log entry")
    func movedTagBackfill() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("old.sqlite")
        let queue = try DatabaseQueue(path: path)
        let before = SchemaMigrations.all.filter { $0.name < "0008" }
        #expect(before.count == 7)
        var logged: [[UInt8]] = []
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE schema_migration (name TEXT PRIMARY KEY NOT NULL, applied_at TEXT NOT NULL DEFAULT '')")
            for migration in before {
                try db.execute(sql: migration.text)
                try db.execute(sql: "INSERT INTO schema_migration (name) VALUES (?)", arguments: [migration.name])
            }
            // Three builds of one tag: new (moved), the same digest again under another run (not moved), a new digest (moved).
            let digests = [String(repeating: "a", count: 64), String(repeating: "a", count: 64), String(repeating: "b", count: 64)]
            for (index, hex) in digests.enumerated() {
                let id = Int64(index + 1)
                let build = NewBuild(service: "api", repository: Repository(validated: "ghcr.io/acme/api"), tag: "v1",
                                     digest: Digest(validated: "sha256:" + hex), runID: "run\(index)")
                let time = "2026-11-0\(index + 1)T00:00:00.000Z"
                try db.execute(sql: """
                    INSERT INTO build (id, service, repository, tag, digest, run_id, built_at, recorded_at)
                    VALUES (?, 'api', 'ghcr.io/acme/api', 'v1', ?, ?, ?, ?)
                    """, arguments: [id, "sha256:" + hex, "run\(index)", time, time])
                let event = LedgerEvent.build(id: id, build, builtAt: time, recordedAt: time, movedTag: index != 1).canonicalJSON
                logged.append(event)
                try db.execute(sql: "INSERT INTO log_entry (leaf_index, kind, data, leaf_hash, appended_at) VALUES (?, 'build', ?, ?, ?)",
                               arguments: [index, Data(event), Data(repeating: 0, count: 32), time])
            }
        }
        try queue.close()

        let ledger = try SQLiteLedger(path: path)
        #expect(try ledger.appliedMigrations().contains { $0.hasPrefix("0008") })
        let events = try ledger.buildEvents(afterID: 0, limit: 10)
        #expect(events.map(\.id) == [1, 2, 3])
        #expect(events.map(\.event) == logged)
    }

    @Test("a build's row records whether recording it moved its tag")
    func movedTagRecorded() throws {
        let ledger = try SQLiteLedger()
        let repository = try Repository(parsing: "ghcr.io/acme/api")
        func build(_ hex: Character, run: String) throws -> NewBuild {
            NewBuild(service: "api", repository: repository, tag: "v1", digest: try Digest(parsing: "sha256:" + String(repeating: hex, count: 64)),
                     runID: run)
        }
        let time = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
        _ = try ledger.record([try build("a", run: "1"), try build("a", run: "2"), try build("b", run: "3"), try build("a", run: "4")], at: time)
        let moved = try ledger.buildEvents(afterID: 0, limit: 10).map { event in
            String(decoding: event.event, as: UTF8.self).contains(#""moved_tag":true"#)
        }
        #expect(moved == [true, false, true, true])
    }
}

@Suite("every table is accounted for in the log's documentation")
struct TableListTests {
    /// docs/transparency-log.md says, for each table, whether it is a logged fact, derived, or outside the log.
    @Test("the schemas' tables (SQLite's and PostgreSQL's) are exactly the tables docs/transparency-log.md lists")
    func documented() throws {
        let ledger = try DatabaseQueue()
        try ledger.write { db in
            for migration in SchemaMigrations.all { try db.execute(sql: migration.text) }
        }
        var tables = try ledger.read { db in try Set(String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")) }
        tables.insert("schema_migration")  // the migrator's own table
        // And PostgreSQL's schema, which has the same tables and its head row.
        let url = try TestPostgres.freshDatabase()
        _ = try PostgresLedger(address: PostgresAddress(url), poolSize: 1)
        tables.formUnion(try TestPostgres.psql(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")
            .split(separator: "\n").map(String.init))
        let text = try String(contentsOf: Fixtures.packageRoot.appending(path: "docs/transparency-log.md"), encoding: .utf8)
        let section = try #require(text.components(separatedBy: "## Tables and the log").dropFirst().first?.components(separatedBy: "\n## ").first)
        var listed = Set<String>()
        for line in section.split(separator: "\n") where line.hasPrefix("| `") {
            let first = line.dropFirst(2).prefix { $0 != "|" }
            for name in first.split(separator: ",") { listed.insert(name.trimmingCharacters(in: CharacterSet(charactersIn: " `"))) }
        }
        #expect(tables.subtracting(listed).isEmpty, "tables the documentation does not place: \(tables.subtracting(listed).sorted())")
        #expect(listed.subtracting(tables).isEmpty, "documented tables the schema does not have: \(listed.subtracting(tables).sorted())")
    }
}
