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

    @Test("re-recording the same repository, digest, tag and run returns the same id")
    func idempotent() throws {
        let ledger = try SQLiteLedger()
        let first = try ledger.record([Self.build()], at: Self.t1)
        let second = try ledger.record([Self.build()], at: Self.t2)
        #expect(first[0].isNew)
        #expect(!second[0].isNew)
        #expect(first[0].id == second[0].id)
        #expect(try ledger.builds(matching: .init()).count == 1)
        // a new run of the same image is a new build
        let rerun = try ledger.record([Self.build(run: "101")], at: Self.t2)
        #expect(rerun[0].isNew)
        #expect(rerun[0].id != first[0].id)
        // no run at all is its own key too, and idempotent
        let local = try ledger.record([Self.build(run: nil), Self.build(run: nil)], at: Self.t3)
        #expect(local[0].isNew)
        #expect(!local[1].isNew)
        #expect(local[0].id == local[1].id)
    }

    /// Bulk statements copy each value into a buffer per parameter that is reused row after row: values
    /// that grow, shrink, go empty or null from one row to the next must each be stored as given.
    @Test("every value of a batch is stored as given, whatever the one before it in the same column")
    func batchValues() throws {
        let ledger = try SQLiteLedger()
        let texts = ["", "x", String(repeating: "long-", count: 40), "é😀", "", String(repeating: "z", count: 1000), "short"]
        let builds = try texts.enumerated().map { index, text in
            var build = try Self.build("svc\(index)", tag: "t\(index)", digest: index + 1, run: index % 3 == 0 ? nil : "r\(text.count)")
            build.commit = index % 2 == 0 ? text : nil
            build.ref = text
            build.labels = text.isEmpty ? [:] : ["k\(index)": text, "other": String(text.reversed())]
            return build
        }
        let recorded = try ledger.record(builds, at: Self.t1)
        for (build, result) in zip(builds, recorded) {
            let stored = try ledger.build(id: result.id)
            #expect(stored.service == build.service)
            #expect(stored.tag == build.tag)
            #expect(stored.digest == build.digest.description)
            #expect(stored.commit == build.commit)
            #expect(stored.ref == build.ref)
            #expect(stored.runID == build.runID)
            #expect(stored.labels == build.labels)
        }
    }

    @Test("moving a tag closes the old mapping instead of overwriting it")
    func tagHistory() throws {
        let ledger = try SQLiteLedger()
        _ = try ledger.record([Self.build(digest: 1)], at: Self.t1)
        _ = try ledger.record([Self.build(digest: 2, run: "101")], at: Self.t2)
        // re-ingesting the old build must not move the tag back
        _ = try ledger.record([Self.build(digest: 1)], at: Self.t3)
        let repository = try Repository(parsing: "registry.example.com/team/gateway")
        let old = try #require(try ledger.images(digest: Self.digest(1), repository: repository).first)
        let oldDigest = try Self.digest(1).description
        #expect(old.tags == [TagInterval(tag: "t1", digest: oldDigest, validFrom: Self.t1, validTo: Self.t2)])
        let new = try #require(try ledger.images(digest: Self.digest(2), repository: repository).first)
        let newDigest = try Self.digest(2).description
        #expect(new.tags == [TagInterval(tag: "t1", digest: newDigest, validFrom: Self.t2, validTo: nil)])
    }

    @Test("a clock behind the current mapping never closes it before it opened")
    func skewedClock() throws {
        let ledger = try SQLiteLedger()
        _ = try ledger.record([Self.build(digest: 1)], at: Self.t2)
        _ = try ledger.record([Self.build(digest: 2, run: "101")], at: Self.t1)
        let history = try ledger.images(digest: Self.digest(1), repository: nil)
        #expect(history.first?.tags.first?.validTo == Self.t2)
    }

    @Test("a batch is written whole or not at all")
    func atomicBatch() throws {
        let ledger = try SQLiteLedger()
        var broken = try Self.build("rag", digest: 9)
        broken.service = String(repeating: "x", count: 64)  // the schema's CHECK refuses it
        #expect(throws: LedgerError.self) {
            _ = try ledger.record([Self.build(digest: 8), broken], at: Self.t1)
        }
        #expect(try ledger.builds(matching: .init()).isEmpty)
        #expect(try ledger.images(digest: Self.digest(8), repository: nil).isEmpty)
    }

    @Test("builds filter by service and time, newest first, limited")
    func query() throws {
        let ledger = try SQLiteLedger()
        var builds: [NewBuild] = []
        for index in 1 ... 5 {
            var build = try Self.build(index.isMultiple(of: 2) ? "rag" : "gateway", digest: index)
            build.builtAt = Timestamp(millisecondsSinceEpoch: Self.t1.millisecondsSinceEpoch + Int64(index) * 1000)
            builds.append(build)
        }
        _ = try ledger.record(builds, at: Self.t3)
        #expect(try ledger.builds(matching: .init(service: "gateway")).map(\.commit) == ["c5", "c3", "c1"])
        #expect(try ledger.builds(matching: .init(limit: 2)).map(\.commit) == ["c5", "c4"])
        let since = Timestamp(millisecondsSinceEpoch: Self.t1.millisecondsSinceEpoch + 4000)
        #expect(try ledger.builds(matching: .init(since: since)).map(\.commit) == ["c5", "c4"])
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
