import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogStore
import ShiplogTestBackends
import ShiplogTestSupport
import Testing

@Suite("Ingest through the application layer")
struct ReleaseLedgerTests {
    static func ledger(_ backend: StoreBackend = .sqlite) throws -> ReleaseLedger {
        let clock = Timestamp(millisecondsSinceEpoch: 1_764_000_000_000)
        return ReleaseLedger(store: try backend.open(), clock: { clock })
    }

    static let goodDigest = "sha256:" + String(repeating: "ab", count: 32)

    static func report(_ digests: [String]) -> Data {
        let entries = digests.enumerated().map { index, digest in
            #"{"service":"svc\#(index)","image":"registry.example.com/team/svc\#(index)","tag":"t","digest":"\#(digest)"}"#
        }
        return Data(#"{"commit":"c","run_id":"1","services":[\#(entries.joined(separator: ","))]}"#.utf8)
    }

    @Test("re-ingesting the same file changes nothing", arguments: StoreBackend.allCases)
    func idempotent(_ backend: StoreBackend) throws {
        let ledger = try Self.ledger(backend)
        let first = try ledger.ingestPushMetadata(Self.report([Self.goodDigest, Self.goodDigest]), source: "p")
        let again = try ledger.ingestPushMetadata(Self.report([Self.goodDigest, Self.goodDigest]), source: "p")
        #expect(first.recorded == 2)
        #expect(first.alreadyRecorded == 0)
        #expect(again.recorded == 0)
        #expect(again.alreadyRecorded == 2)
        #expect(first.builds.map(\.id) == again.builds.map(\.id))
        #expect(try ledger.builds(.init()).count == 2)
    }

    @Test("one bad entry leaves the ledger as it was", arguments: [
        "sha256:" + String(repeating: "a", count: 63),
        "sha256:" + String(repeating: "A", count: 64),
    ])
    func badEntryWritesNothing(_ badDigest: String) throws {
        let ledger = try Self.ledger()
        _ = try ledger.ingestPushMetadata(Self.report([Self.goodDigest]), source: "before")
        let before = try ledger.builds(.init())
        #expect {
            _ = try ledger.ingestPushMetadata(Self.report([Self.goodDigest, "sha256:" + String(repeating: "cd", count: 32), badDigest]),
                                              source: "push.json")
        } throws: { error in
            guard case let LedgerError.invalidInput(problem) = error else { return false }
            return problem.source == "push.json" && problem.field == "services[2].digest"
                && problem.description.contains(badDigest)
        }
        #expect(try ledger.builds(.init()) == before)
    }

    @Test("every buildx fixture ingests, and again changes nothing", arguments: try Fixtures.files(in: "buildx"))
    func buildxFixtures(_ path: String) throws {
        let ledger = try Self.ledger()
        let context = BuildxMetadata.Context(image: try ImageReference(parsing: "registry.example.com/team/app:v1"))
        let first = try ledger.ingestBuildxMetadata(try Fixtures.data(path), source: path, context: context)
        let again = try ledger.ingestBuildxMetadata(try Fixtures.data(path), source: path, context: context)
        #expect(first.recorded >= 1)
        #expect(first.alreadyRecorded == 0)
        #expect(again.recorded == 0)
        #expect(again.alreadyRecorded == first.recorded)
    }

    @Test("an image shows its builds and tag history; an unknown one is not found", arguments: StoreBackend.allCases)
    func image(_ backend: StoreBackend) throws {
        let ledger = try Self.ledger(backend)
        _ = try ledger.ingestPushMetadata(Self.report([Self.goodDigest]), source: "p")
        let digest = try Digest(parsing: Self.goodDigest)
        let images = try ledger.image(digest: digest, repository: nil)
        #expect(images.map(\.repository) == ["registry.example.com/team/svc0"])
        #expect(images[0].builds.count == 1)
        #expect(images[0].tags.map(\.tag) == ["t"])
        #expect(throws: LedgerError.self) {
            _ = try ledger.image(digest: digest, repository: Repository(parsing: "registry.example.com/team/other"))
        }
    }
}
