import Foundation
import ShiplogCore
import ShiplogPostgres
import ShiplogStore
import ShiplogTestBackends
import ShiplogTestSupport
import Testing

@Suite("Ledger store, on SQLite and on PostgreSQL")
struct LedgerStoreTests {
    @Test("re-recording the same repository, digest, tag and run returns the same id", arguments: StoreBackend.allCases)
    func idempotent(_ backend: StoreBackend) throws {
        let ledger = try backend.open()
        let first = try ledger.record([SQLiteLedgerTests.build()], at: SQLiteLedgerTests.t1)
        let second = try ledger.record([SQLiteLedgerTests.build()], at: SQLiteLedgerTests.t2)
        #expect(first[0].isNew)
        #expect(!second[0].isNew)
        #expect(first[0].id == second[0].id)
        #expect(try ledger.builds(matching: .init()).count == 1)
        // a new run of the same image is a new build
        let rerun = try ledger.record([SQLiteLedgerTests.build(run: "101")], at: SQLiteLedgerTests.t2)
        #expect(rerun[0].isNew)
        #expect(rerun[0].id != first[0].id)
        // no run at all is its own key too, and idempotent
        let local = try ledger.record([SQLiteLedgerTests.build(run: nil), SQLiteLedgerTests.build(run: nil)], at: SQLiteLedgerTests.t3)
        #expect(local[0].isNew)
        #expect(!local[1].isNew)
        #expect(local[0].id == local[1].id)
    }

    /// Bulk statements copy each value into a buffer per parameter that is reused row after row: values
    /// that grow, shrink, go empty or null from one row to the next must each be stored as given.
    @Test("every value of a batch is stored as given, whatever the one before it in the same column", arguments: StoreBackend.allCases)
    func batchValues(_ backend: StoreBackend) throws {
        let ledger = try backend.open()
        let texts = ["", "x", String(repeating: "long-", count: 40), "é😀", "", String(repeating: "z", count: 1000), "short"]
        let builds = try texts.enumerated().map { index, text in
            var build = try SQLiteLedgerTests.build("svc\(index)", tag: "t\(index)", digest: index + 1, run: index % 3 == 0 ? nil : "r\(text.count)")
            build.commit = index % 2 == 0 ? text : nil
            build.ref = text
            build.labels = text.isEmpty ? [:] : ["k\(index)": text, "other": String(text.reversed())]
            return build
        }
        let recorded = try ledger.record(builds, at: SQLiteLedgerTests.t1)
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

    @Test("moving a tag closes the old mapping instead of overwriting it", arguments: StoreBackend.allCases)
    func tagHistory(_ backend: StoreBackend) throws {
        let ledger = try backend.open()
        _ = try ledger.record([SQLiteLedgerTests.build(digest: 1)], at: SQLiteLedgerTests.t1)
        _ = try ledger.record([SQLiteLedgerTests.build(digest: 2, run: "101")], at: SQLiteLedgerTests.t2)
        // re-ingesting the old build must not move the tag back
        _ = try ledger.record([SQLiteLedgerTests.build(digest: 1)], at: SQLiteLedgerTests.t3)
        let repository = try Repository(parsing: "registry.example.com/team/gateway")
        let old = try #require(try ledger.images(digest: SQLiteLedgerTests.digest(1), repository: repository).first)
        let oldDigest = try SQLiteLedgerTests.digest(1).description
        #expect(old.tags == [TagInterval(tag: "t1", digest: oldDigest, validFrom: SQLiteLedgerTests.t1, validTo: SQLiteLedgerTests.t2)])
        let new = try #require(try ledger.images(digest: SQLiteLedgerTests.digest(2), repository: repository).first)
        let newDigest = try SQLiteLedgerTests.digest(2).description
        #expect(new.tags == [TagInterval(tag: "t1", digest: newDigest, validFrom: SQLiteLedgerTests.t2, validTo: nil)])
    }

    @Test("a clock behind the current mapping never closes it before it opened", arguments: StoreBackend.allCases)
    func skewedClock(_ backend: StoreBackend) throws {
        let ledger = try backend.open()
        _ = try ledger.record([SQLiteLedgerTests.build(digest: 1)], at: SQLiteLedgerTests.t2)
        _ = try ledger.record([SQLiteLedgerTests.build(digest: 2, run: "101")], at: SQLiteLedgerTests.t1)
        let history = try ledger.images(digest: SQLiteLedgerTests.digest(1), repository: nil)
        #expect(history.first?.tags.first?.validTo == SQLiteLedgerTests.t2)
    }

    @Test("a batch is written whole or not at all", arguments: StoreBackend.allCases)
    func atomicBatch(_ backend: StoreBackend) throws {
        let ledger = try backend.open()
        var broken = try SQLiteLedgerTests.build("rag", digest: 9)
        broken.service = String(repeating: "x", count: 64)  // the schema's CHECK refuses it
        #expect(throws: LedgerError.self) {
            _ = try ledger.record([SQLiteLedgerTests.build(digest: 8), broken], at: SQLiteLedgerTests.t1)
        }
        #expect(try ledger.builds(matching: .init()).isEmpty)
        #expect(try ledger.images(digest: SQLiteLedgerTests.digest(8), repository: nil).isEmpty)
    }

    @Test("builds filter by service and time, newest first, limited", arguments: StoreBackend.allCases)
    func query(_ backend: StoreBackend) throws {
        let ledger = try backend.open()
        var builds: [NewBuild] = []
        for index in 1 ... 5 {
            var build = try SQLiteLedgerTests.build(index.isMultiple(of: 2) ? "rag" : "gateway", digest: index)
            build.builtAt = Timestamp(millisecondsSinceEpoch: SQLiteLedgerTests.t1.millisecondsSinceEpoch + Int64(index) * 1000)
            builds.append(build)
        }
        _ = try ledger.record(builds, at: SQLiteLedgerTests.t3)
        #expect(try ledger.builds(matching: .init(service: "gateway")).map(\.commit) == ["c5", "c3", "c1"])
        #expect(try ledger.builds(matching: .init(limit: 2)).map(\.commit) == ["c5", "c4"])
        let since = Timestamp(millisecondsSinceEpoch: SQLiteLedgerTests.t1.millisecondsSinceEpoch + 4000)
        #expect(try ledger.builds(matching: .init(since: since)).map(\.commit) == ["c5", "c4"])
    }

}
