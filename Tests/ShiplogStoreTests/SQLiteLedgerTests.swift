import Foundation
import ShiplogCore
import ShiplogStore
import ShiplogTestSupport
import Testing

@Suite("SQLite ledger")
struct SQLiteLedgerTests {
    static func digest(_ seed: Int) throws -> Digest {
        let hex = String(seed, radix: 16)
        return try Digest(parsing: "sha256:" + String(repeating: "0", count: 64 - hex.count) + hex)
    }

    static func build(_ service: String = "gateway", tag: String = "t1", digest seed: Int = 1, run: String? = "100") throws -> NewBuild {
        try NewBuild(service: service, repository: Repository(parsing: "registry.example.com/team/\(service)"),
                 tag: tag, digest: digest(seed), commit: "c\(seed)", runID: run)
    }

    static let t1 = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
    static let t2 = Timestamp(millisecondsSinceEpoch: 1_700_000_100_000)
    static let t3 = Timestamp(millisecondsSinceEpoch: 1_700_000_200_000)

    @Test("migrations are applied and recorded")
    func migrations() throws {
        let ledger = try SQLiteLedger()
        let files = try FileManager.default.contentsOfDirectory(atPath: Fixtures.packageRoot.appending(path: "migrations").path)
            .filter { $0.hasSuffix(".sql") }.map { String($0.dropLast(4)) }.sorted()
        try #require(files.count >= 2)
        #expect(files[0] == "0001_create_build_and_tag")
        #expect(try ledger.appliedMigrations() == files)
    }

    @Test("builds and tag history are append-only in the schema itself")
    func appendOnly() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("ledger.sqlite")
        // a tag move, so that tag_history has a row for the triggers to guard
        _ = try SQLiteLedger(path: path).record([Self.build(digest: 1), Self.build(digest: 2, run: "2")], at: Self.t1)
        #expect(try SQLite3Shell.run(path, "SELECT count(*) FROM tag_history").output.hasPrefix("1"))
        for statement in ["UPDATE build SET digest = 'sha256:x'", "DELETE FROM build", "DELETE FROM tag_history",
                          "UPDATE tag_history SET digest = 'sha256:x'"] {
            let result = try SQLite3Shell.run(path, statement)
            #expect(result.status != 0, "\(statement) was allowed")
            #expect(result.error.contains("append-only") || result.error.contains("only be closed"))
        }
    }

    @Test("the file is in WAL mode with foreign keys on")
    func walMode() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("ledger.sqlite")
        _ = try SQLiteLedger(path: path)
        #expect(try SQLite3Shell.run(path, "PRAGMA journal_mode").output.trimmingCharacters(in: .whitespacesAndNewlines) == "wal")
    }
}

/// The sqlite3 command-line shell, a client shiplog did not write, to look at the file from outside.
enum SQLite3Shell {
    static func run(_ path: String, _ sql: String) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [path, sql]
        let output = ChildPipe.make()
        let error = ChildPipe.make()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}
