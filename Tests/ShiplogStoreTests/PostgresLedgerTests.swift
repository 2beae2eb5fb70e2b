import Foundation
import ShiplogCore
import ShiplogCrypto
import ShiplogPostgres
import ShiplogStore
import ShiplogTestSupport
import Testing

@Suite("PostgreSQL ledger")
struct PostgresLedgerTests {
    static func open(_ url: String, pool: Int = 4) throws -> PostgresLedger {
        try PostgresLedger(address: PostgresAddress(url), poolSize: pool)
    }

    /// The root of a tree of these leaf hashes, computed here from the leaves alone (RFC 6962 §2.1).
    static func root(of leaves: [[UInt8]]) throws -> [UInt8] {
        func subtree(_ level: Int, _ index: Int64) -> MerkleTree.Hash {
            level == 0 ? leaves[Int(index)] : MerkleTree.nodeHash(subtree(level - 1, index * 2), subtree(level - 1, index * 2 + 1))
        }
        return try MerkleTree.rangeHash(0, Int64(leaves.count)) { level, index in subtree(level, index) }
    }

    @Test("servers opening a new database at once migrate it once, under the advisory lock")
    func migrationsOnce() async throws {
        let url = try TestPostgres.freshDatabase()
        let opened = await withTaskGroup(of: Result<[String], any Error>.self) { group in
            for _ in 0 ..< 6 {
                group.addTask { Result { try Self.open(url, pool: 1).appliedMigrations() } }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: Fixtures.packageRoot.appending(path: "migrations/postgres").path)
            .filter { $0.hasSuffix(".sql") }.map { String($0.dropLast(4)) }.sorted()
        try #require(!files.isEmpty)
        for result in opened { #expect(try result.get() == files) }
        #expect(try TestPostgres.psql(url, "SELECT count(*) FROM schema_migration") == String(files.count))
    }

    @Test("the schema refuses rewriting history, as SQLite's does")
    func appendOnly() throws {
        let url = try TestPostgres.freshDatabase()
        let ledger = try Self.open(url)
        _ = try ledger.record([SQLiteLedgerTests.build(digest: 1), SQLiteLedgerTests.build(digest: 2, run: "2")], at: SQLiteLedgerTests.t1)
        #expect(try TestPostgres.psql(url, "SELECT count(*) FROM tag_history") == "1")
        for statement in ["UPDATE build SET digest = 'sha256:x'", "DELETE FROM build", "TRUNCATE build CASCADE", "DELETE FROM tag_history",
                          "UPDATE tag_history SET digest = 'sha256:x'", "UPDATE log_entry SET kind = 'x'", "DELETE FROM log_entry",
                          "TRUNCATE log_entry", "DELETE FROM ledger_head", "INSERT INTO ledger_head VALUES (2, 0, 0)",
                          "INSERT INTO build (service, repository, tag, digest, built_at, recorded_at) VALUES ('s', 'r', 't', 'nodigest', '1', '1')",
                          "INSERT INTO build (service, repository, tag, digest, built_at, recorded_at, labels) VALUES ('s', 'r', 't', 'sha256:1', '1', '1', '{')"] {
            #expect(throws: TestPostgresError.self, "\(statement) was allowed") { try TestPostgres.psql(url, statement) }
        }
        #expect(try TestPostgres.psql(url, "SELECT count(*) FROM build") == "2")
        #expect(try ledger.logSize() == 2)
    }

    @Test("the same writes make the same log on both backends: entries byte for byte, and the root")
    func sameLog() throws {
        let sqlite = try SQLiteLedger()
        let postgres = try Self.open(try TestPostgres.freshDatabase())
        // Enough leaves (40) for stored subtrees of 16 and 32, batches of several sizes, tag moves and a duplicate.
        for batch in 0 ..< 8 {
            let builds = try (0 ..< 5).map { index in
                try SQLiteLedgerTests.build(index.isMultiple(of: 2) ? "rag" : "gateway", tag: "t\(index % 3)", digest: batch * 5 + index + 1, run: "\(batch)")
            }
            let time = Timestamp(millisecondsSinceEpoch: SQLiteLedgerTests.t1.millisecondsSinceEpoch + Int64(batch) * 1_000)
            #expect(try sqlite.record(builds, at: time).map(\.id) == postgres.record(builds, at: time).map(\.id))
        }
        _ = try postgres.record([SQLiteLedgerTests.build("rag", tag: "t0", digest: 1, run: "0")], at: SQLiteLedgerTests.t3)
        _ = try sqlite.record([SQLiteLedgerTests.build("rag", tag: "t0", digest: 1, run: "0")], at: SQLiteLedgerTests.t3)
        let size = try sqlite.logSize()
        #expect(size == 40)
        #expect(try postgres.logSize() == size)
        #expect(try postgres.logEntries(from: 0, limit: 100) == sqlite.logEntries(from: 0, limit: 100))
        for tree in [1, 15, 16, 17, 33, 40] as [Int64] { #expect(try postgres.logRoot(size: tree) == sqlite.logRoot(size: tree)) }
        #expect(try postgres.logRoot(size: size) == Self.root(of: postgres.logEntries(from: 0, limit: 100).map(\.leafHash)))
        #expect(try postgres.logConsistencyProof(from: 13, to: 40) == sqlite.logConsistencyProof(from: 13, to: 40))
        let proof = try postgres.logInclusionProof(index: 21, size: 40)
        #expect(proof.proof == (try sqlite.logInclusionProof(index: 21, size: 40)).proof)
        try MerkleTree.verifyInclusion(index: 21, size: 40, leafHash: proof.leafHash, proof: proof.proof, root: try postgres.logRoot(size: 40))
        #expect(try postgres.storedSubtrees().map { "\($0.level)/\($0.index)" } == sqlite.storedSubtrees().map { "\($0.level)/\($0.index)" })
        #expect(try postgres.buildEvents(afterID: 0, limit: 100).map(\.event) == sqlite.buildEvents(afterID: 0, limit: 100).map(\.event))
        // A tag two builds of one batch name moves twice, closing an interval each time, on both.
        func text(_ intervals: [ClosedTagInterval]) -> [String] { intervals.map { "\($0.repository) \($0.tag) \($0.digest) \($0.validFrom) \($0.validTo)" } }
        #expect(try text(postgres.closedTagIntervals()) == text(sqlite.closedTagIntervals()))
        #expect(try postgres.closedTagIntervals().count > 8)
        func text(_ pointers: [TagPointer]) -> [String] { pointers.map { "\($0.repository) \($0.tag) \($0.digest) \($0.since)" }.sorted() }
        #expect(try text(postgres.currentTags()) == text(sqlite.currentTags()))
    }

    @Test("writers on several ledgers of one database make one linear log, nothing lost")
    func oneLogAcrossServers() async throws {
        let url = try TestPostgres.freshDatabase()
        let servers = try (0 ..< 3).map { _ in try Self.open(url, pool: 3) }
        let writers = 6, batches = 15
        let before = try servers.map { try $0.changeCounter() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0 ..< writers {
                group.addTask {
                    for batch in 0 ..< batches {
                        let builds = try (0 ..< 3).map { index in
                            try SQLiteLedgerTests.build("svc\(writer)", tag: "t\(index)", digest: (writer * 1_000 + batch) * 10 + index + 1, run: "\(batch)")
                        }
                        _ = try servers[writer % servers.count].record(builds, at: SQLiteLedgerTests.t1)
                    }
                }
            }
            try await group.waitForAll()
        }
        let total = Int64(writers * batches * 3)
        for server in servers {
            #expect(try server.logSize() == total)
            #expect(try server.builds(matching: .init(limit: 10_000)).count == Int(total))
        }
        let entries = try servers[1].logEntries(from: 0, limit: 10_000)
        #expect(entries.map(\.index) == Array(0 ..< total))
        #expect(Set(entries.map(\.data)).count == Int(total))
        #expect(try servers[2].logRoot(size: total) == Self.root(of: entries.map(\.leafHash)))
        // Every server's change counter moved (its kept answers are stale now), also the ones that wrote nothing since it read.
        for (server, counter) in zip(servers, before) { #expect(try server.changeCounter() != counter) }
    }

    @Test("every table of both schemas is copied by store copy or rebuilt by a trigger, with the same columns on both")
    func everyTableCopied() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("ledger.sqlite")
        _ = try SQLiteLedger(path: path)
        let url = try TestPostgres.freshDatabase()
        _ = try Self.open(url)
        let sqliteTables = Set(try SQLite3Shell.run(path, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            .output.split(separator: "\n").map(String.init))
        let postgresTables = Set(try TestPostgres.psql(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")
            .split(separator: "\n").map(String.init))
        let accounted = Set(ArchivedTable.all.map(\.name)).union(ArchivedTable.rebuilt)
        #expect(sqliteTables.subtracting(accounted).isEmpty, "not copied: \(sqliteTables.subtracting(accounted))")
        #expect(postgresTables.subtracting(accounted).isEmpty, "not copied: \(postgresTables.subtracting(accounted))")
        for table in ArchivedTable.all {
            let sqliteColumns = Set(try SQLite3Shell.run(path, "SELECT name FROM pragma_table_info('\(table.name)')").output.split(separator: "\n").map(String.init))
            let postgresColumns = Set(try TestPostgres.psql(url, "SELECT column_name FROM information_schema.columns WHERE table_name = '\(table.name)'")
                .split(separator: "\n").map(String.init))
            #expect(sqliteColumns == Set(table.columns), "\(table.name) on SQLite")
            #expect(postgresColumns == Set(table.columns), "\(table.name) on PostgreSQL")
        }
    }

    @Test("one server's write moves another's change counter: by notification, and before it listens, by the database's counter")
    func changeCounterAcrossServers() throws {
        let url = try TestPostgres.freshDatabase()
        let (a, b) = (try Self.open(url), try Self.open(url))
        func waitForChange(_ ledger: PostgresLedger, from counter: Int64) throws -> Bool {
            for _ in 0 ..< 200 {
                if try ledger.changeCounter() != counter { return true }
                Thread.sleep(forTimeInterval: 0.01)
            }
            return false
        }
        // The first call answers from the database (odd numbers) and starts listening in the background.
        let first = try b.changeCounter()
        #expect(first % 2 == 1)
        _ = try a.record([SQLiteLedgerTests.build(digest: 1)], at: SQLiteLedgerTests.t1)
        #expect(try waitForChange(b, from: first))
        // Listening now (even numbers): every write of A moves B's counter, and B's own writes move it at once.
        var listening = try b.changeCounter()
        for _ in 0 ..< 200 where listening % 2 == 1 {
            Thread.sleep(forTimeInterval: 0.01)
            listening = try b.changeCounter()
        }
        #expect(listening % 2 == 0)
        for round in 2 ... 6 {
            let counter = try b.changeCounter()
            _ = try a.record([SQLiteLedgerTests.build(digest: round)], at: SQLiteLedgerTests.t1)
            #expect(try waitForChange(b, from: counter), "round \(round)")
            let own = try b.changeCounter()
            _ = try b.record([SQLiteLedgerTests.build(digest: 100 + round)], at: SQLiteLedgerTests.t1)
            #expect(try b.changeCounter() != own)
        }
    }

    @Test("a database nobody listens on is unreachable, named by host and port without the password")
    func unreachable() throws {
        #expect {
            _ = try PostgresLedger(address: PostgresAddress("postgres://shiplog:secret@127.0.0.1:1/shiplog"), poolSize: 1)
        } throws: { error in
            guard case let .unreachable(detail) = error as? LedgerError else { return false }
            return detail.contains("127.0.0.1:1") && !detail.contains("secret")
        }
    }
}
