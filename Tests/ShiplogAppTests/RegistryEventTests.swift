import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogStore
import ShiplogTestBackends
import ShiplogTestSupport
import Testing

@Suite("Registry events in the ledger")
struct RegistryEventTests {
    static let digestA = "sha256:" + String(repeating: "a", count: 64)
    static let digestB = "sha256:" + String(repeating: "b", count: 64)

    /// A distribution envelope; `events` are (id, action, tag, digest, mediaType, size, time).
    static func envelope(_ events: [(String, String, String?, String, String, Int?, String)]) -> Data {
        let items = events.map { id, action, tag, digest, mediaType, size, time in
            #"{"id":"\#(id)","timestamp":"\#(time)","action":"\#(action)","target":{"mediaType":"\#(mediaType)","digest":"\#(digest)","#
                + (size.map { #""size":\#($0),"length":\#($0),"# } ?? "")
                + #""repository":"acme/api"\#(tag.map { #","tag":"\#($0)""# } ?? "")},"request":{"host":"registry.example.com"}}"#
        }
        return Data(#"{"events":[\#(items.joined(separator: ","))]}"#.utf8)
    }

    static let manifest = "application/vnd.oci.image.manifest.v1+json"
    static let layer = "application/vnd.oci.image.layer.v1.tar+gzip"

    @Test("push moves the tag, pull counts once per event id, blob events are ignored, delete closes the tag", arguments: StoreBackend.allCases)
    func lifecycle(_ backend: StoreBackend) throws {
        let ledger = ReleaseLedger(store: try backend.open())
        let repository = try Repository(parsing: "registry.example.com/acme/api")
        // A build tells which service the repository belongs to.
        _ = try ledger.recordBuild(NewBuild(service: "orders-agent", repository: repository, tag: "v0", digest: try Digest(parsing: Self.digestB)))

        let push = Self.envelope([
            ("p1", "push", "v1", Self.digestA, Self.manifest, 1200, "2026-11-20T10:00:00Z"),
            ("b1", "push", nil, "sha256:" + String(repeating: "c", count: 64), Self.layer, 5000, "2026-11-20T09:59:59Z"),
        ])
        let pushed = try ledger.ingestRegistryEvents(push, source: "push.json")
        #expect(pushed.recorded == 1)
        #expect(pushed.ignored == 1)
        #expect(try ledger.store.currentDigest(repository: repository, tag: "v1")?.description == Self.digestA)

        // Out of order within the envelope, and one pull retried with the same id.
        let pulls = Self.envelope([
            ("q2", "pull", nil, Self.digestA, Self.manifest, nil, "2026-11-21T08:00:00Z"),
            ("q1", "pull", "v1", Self.digestA, Self.manifest, 1200, "2026-11-20T11:00:00Z"),
            ("q1", "pull", "v1", Self.digestA, Self.manifest, 1200, "2026-11-20T11:00:00Z"),
            ("q3", "pull", nil, "sha256:" + String(repeating: "c", count: 64), Self.layer, 5000, "2026-11-20T11:00:00Z"),
        ])
        let pulled = try ledger.ingestRegistryEvents(pulls, source: "pulls.json")
        #expect(pulled.recorded == 2)
        #expect(pulled.duplicates == 1)
        #expect(pulled.ignored == 1)
        let retried = try ledger.ingestRegistryEvents(pulls, source: "pulls.json")
        #expect(retried.recorded == 0, "a registry's retry counts nothing twice")
        #expect(retried.duplicates == 3, "a registry's retry counts nothing twice")

        let image = try #require(try ledger.image(digest: try Digest(parsing: Self.digestA), repository: repository).first)
        #expect(image.pulls.count == 2)
        #expect(image.pulls.bytes == 1200, "summed where the size is known")
        #expect(image.pulls.lastPulledAt?.description == "2026-11-21T08:00:00.000Z")

        let deleted = try ledger.ingestRegistryEvents(Self.envelope([("d1", "delete", "v1", Self.digestA, "", nil, "2026-11-22T00:00:00Z")]),
                                                      source: "delete.json")
        #expect(deleted.recorded == 1)
        #expect(try ledger.store.currentDigest(repository: repository, tag: "v1") == nil)
        let after = try #require(try ledger.image(digest: try Digest(parsing: Self.digestA), repository: repository).first)
        try #require(after.tags.count == 1, "the mapping is closed, not forgotten")
        #expect(after.tags[0].validTo != nil, "the mapping is closed, not forgotten")

        // Push and delete changed release facts: both are in the transparency log, which still verifies.
        let verification = try ledger.verifyLog(logKey: nil)
        #expect(verification.intact, "\(verification.problem ?? "")")
        #expect(verification.treeSize == 3, "build, tag pushed, tag removed")
    }

    @Test("a bad payload writes nothing", arguments: StoreBackend.allCases)
    func atomic(_ backend: StoreBackend) throws {
        let ledger = ReleaseLedger(store: try backend.open())
        var data = Self.envelope([("p1", "push", "v1", Self.digestA, Self.manifest, 1, "2026-11-20T10:00:00Z"),
                                  ("p2", "push", "v2", "sha256:abc", Self.manifest, 1, "2026-11-20T10:00:00Z")])
        #expect(throws: LedgerError.self) { _ = try ledger.ingestRegistryEvents(data, source: "bad.json") }
        data = Self.envelope([("p1", "push", "v1", Self.digestA, Self.manifest, 1, "2026-11-20T10:00:00Z")])
        #expect(try ledger.ingestRegistryEvents(data, source: "good.json").recorded == 1, "p1 was not recorded by the failed file")
    }
}
