import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogCrypto
import ShiplogStore
import ShiplogTestBackends
import ShiplogTestSupport
import Testing

@Suite("Transparency log through the application layer")
struct TransparencyLogTests {
    @Test("every kind of write appends one leaf; proofs verify against the roots; checkpoints sign the root", arguments: StoreBackend.allCases)
    func everyWriteAppends(_ backend: StoreBackend) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let ledger = ReleaseLedger(store: try backend.open(in: directory))
        let key = try PrivateKey.generate(.ecdsaP256)
        let image = try ImageReference(parsing: "registry.example.com/acme/gateway@sha256:" + String(repeating: "ab", count: 32))
        let digest = try #require(image.digest)
        var expectedKinds: [String] = []
        func wrote(_ kind: String) throws {
            expectedKinds.append(kind)
            #expect(try ledger.store.logSize() == Int64(expectedKinds.count), "after \(kind)")
        }
        _ = try ledger.recordBuild(NewBuild(service: "gateway", repository: image.repository, tag: "v1", digest: digest))
        try wrote("build")
        _ = try ledger.trust(try key.publicKey, name: "ci")
        try wrote("key-added")
        _ = try ledger.sign(repository: image.repository, digest: digest, with: key)
        try wrote("signature")
        let statement = InTotoStatement.bytes(repository: image.repository, digest: digest, predicateType: "https://example.com/p",
                                              predicate: Array(#"{"ok":true}"#.utf8))
        let pae = DSSEEnvelope.preAuthenticationEncoding(payloadType: DSSEEnvelope.inTotoPayloadType, payload: statement)
        let envelope = DSSEEnvelope(payloadType: DSSEEnvelope.inTotoPayloadType, payload: statement, signatures: [.init(signature: try key.sign(pae))])
        _ = try ledger.importAttestations(Data(envelope.json), source: "envelope", target: .image(image.repository, digest), origin: "attest")
        try wrote("attestation")
        _ = try ledger.createEnvironment(name: "prod", slots: ["blue", "green"], requireSignature: true)
        try wrote("environment")
        _ = try ledger.switchSlot(environment: "prod", to: "green", actor: "ops")
        try wrote("traffic-switch")
        guard case let .started(deploy) = try ledger.startDeploy(environment: "prod", slot: "green", service: "gateway", image: image,
                                                                 actor: nil) else { Issue.record("refused"); return }
        try wrote("deploy-started")
        _ = try ledger.checkDeploy(id: deploy.id, name: "health", status: .pass, detail: nil)
        try wrote("deploy-check")
        _ = try ledger.finishDeploy(id: deploy.id, state: .succeeded)
        try wrote("deploy-finished")
        try ledger.markBad(repository: image.repository, digest: digest, reason: "cve")
        try wrote("image-marked-bad")
        _ = try ledger.revokeKey(id: try key.publicKey.keyID, reason: "rotated")
        try wrote("key-revoked")
        let refused = try ledger.startDeploy(environment: "prod", slot: "green", service: "gateway", image: image, actor: nil)
        if case .started = refused { Issue.record("a revoked key's signature passed the gate") }
        try wrote("deploy-refused")
        _ = try ledger.setPolicy(environment: "prod", document: .object(["checks": .array([.string("health")])]), source: "policy", actor: "ops")
        try wrote("policy-set")
        // A registry's push moves a tag without a build; its delete removes the tag.
        let before = try ledger.store.logSize()
        let other = "sha256:" + String(repeating: "cd", count: 32)
        _ = try ledger.ingestRegistryEvents(RegistryEventTests.envelope([
            ("p1", "push", "v2", other, RegistryEventTests.manifest, 1200, "2026-11-20T10:00:00Z"),
        ]), source: "push.json")
        _ = try ledger.ingestRegistryEvents(RegistryEventTests.envelope([("d1", "delete", "v2", other, "", nil, "2026-11-22T00:00:00Z")]),
                                            source: "delete.json")
        // gc apply's record of a deletion (which closes the digest's tag too).
        try ledger.recordDeletions([ManifestDeletion(repository: image.repository, digest: digest, reason: "retention")])
        expectedKinds += try ledger.store.logEntries(from: before, limit: 100).map(\.kind)
        // Every kind of entry the log knows was written by some write above: a new kind needs a write here.
        for kind in LedgerEvent.Kind.allCases {
            #expect(expectedKinds.contains(kind.rawValue), "no write above appended a \(kind.rawValue) entry")
        }
        // idempotent writes change nothing, so they append nothing
        _ = try ledger.recordBuild(NewBuild(service: "gateway", repository: image.repository, tag: "v1", digest: digest))
        try ledger.markBad(repository: image.repository, digest: digest, reason: "again")
        #expect(try ledger.store.logSize() == Int64(expectedKinds.count))
        #expect(try ledger.store.logEntries(from: 0, limit: 100).map(\.kind) == expectedKinds)

        // every entry proves into the current root, and every older size is consistent with it
        let size = try ledger.store.logSize()
        for index in 0 ..< size {
            let proof = try ledger.proveInclusion(index: index, size: nil)
            try MerkleTree.verifyInclusion(index: index, size: size, leafHash: proof.leafHash, proof: proof.proof, root: proof.rootHash)
        }
        for older in 1 ... size {
            let proof = try ledger.proveConsistency(from: older, to: nil)
            try MerkleTree.verifyConsistency(from: older, to: size, proof: proof.proof, root1: proof.fromRoot, root2: proof.toRoot)
        }
        let signer = try LogSigner(privateKey: try PrivateKey.generate(.ed25519))
        let checkpoint = try ledger.checkpoint(signer: signer)
        #expect(checkpoint.treeSize == size)
        #expect(ReleaseLedger.noteSignatureVerifies(checkpoint.note, with: signer.publicKey))
        #expect(!ReleaseLedger.noteSignatureVerifies(checkpoint.note, with: try PrivateKey.generate(.ed25519).publicKey))
        #expect(try ledger.verifyLog(logKey: signer.publicKey).intact)
        // the log key can never become an image-signing key
        var guarded = ledger
        guarded.logKeyID = signer.publicKey.keyID
        #expect(throws: LedgerError.self) { _ = try guarded.trust(signer.publicKey, name: "log") }
    }

    /// A bulk ingest computes its events' bytes and leaf hashes on several threads, then appends them.
    @Test("a bulk ingest of 1,000 builds appends one leaf per new build, in id order, each matching its row", arguments: StoreBackend.allCases)
    func bulkIngest(_ backend: StoreBackend) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let ledger = ReleaseLedger(store: try backend.open(in: directory))
        _ = try ledger.createEnvironment(name: "dev", slots: [], requireSignature: false)
        func report(_ range: Range<Int>) -> Data {
            let services = range.map { index in
                #"{"service":"svc\#(index % 7)","image":"r.io/acme/svc\#(index % 7)","tag":"b\#(index)","#
                    + #""digest":"sha256:\#(String(repeating: "0", count: 60) + String(format: "%04x", index))"}"#
            }
            return Data(#"{"commit":"abc","run_id":"9","pushed_at":"2026-11-28T14:03:11Z","services":[\#(services.joined(separator: ","))]}"#.utf8)
        }
        _ = try ledger.ingestPushMetadata(report(0 ..< 10), source: "first")
        let summary = try ledger.ingestPushMetadata(report(0 ..< 1000), source: "bulk")
        #expect(summary.recorded == 990)
        #expect(summary.alreadyRecorded == 10)
        #expect(try ledger.store.logSize() == 1001)
        let entries = try ledger.store.logEntries(from: 11, limit: 2000)
        let ids = try entries.map { entry in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(entry.data)) as? [String: Any])
            #expect(entry.kind == "build")
            #expect(entry.leafHash == MerkleTree.leafHash(entry.data))
            return try #require(object["id"] as? Int)
        }
        #expect(ids == summary.builds.dropFirst(10).map { Int($0.id) })
        // the table audit compares every build leaf byte for byte with the event its row makes
        let verification = try ledger.verifyLog(logKey: nil)
        #expect(verification.intact, "\(verification)")
        for index in [Int64(0), 11, 500, 1000] {
            let proof = try ledger.proveInclusion(index: index, size: nil)
            try MerkleTree.verifyInclusion(index: index, size: 1001, leafHash: proof.leafHash, proof: proof.proof, root: proof.rootHash)
        }
    }

    @Test("a log grown by many single writes and a bulk ingest in one process equals a fresh recomputation")
    func cachedFrontier() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("l.sqlite")
        let ledger = ReleaseLedger(store: try SQLiteLedger(path: path))
        for index in 0 ..< 37 {
            _ = try ledger.recordBuild(NewBuild(service: "svc", repository: try Repository(parsing: "r.io/svc"), tag: "t\(index)",
                                                digest: try Digest(parsing: "sha256:" + String(repeating: "0", count: 62) + String(format: "%02x", index))))
        }
        // a second handle (another process, in effect) appends in between
        _ = try ReleaseLedger(store: try SQLiteLedger(path: path)).createEnvironment(name: "dev", slots: [], requireSignature: false)
        _ = try ledger.createEnvironment(name: "qa", slots: [], requireSignature: false)
        #expect(try ledger.store.logSize() == 39)
        #expect(try ledger.verifyLog(logKey: nil).intact)
        for index in Int64(0) ..< 39 {
            let proof = try ledger.proveInclusion(index: index, size: nil)
            try MerkleTree.verifyInclusion(index: index, size: 39, leafHash: proof.leafHash, proof: proof.proof, root: proof.rootHash)
        }
        // a stored subtree (entries 16–31) rewritten from outside is reported at its first entry
        let tamper = try Tool.run("/usr/bin/sqlite3", [path, """
            DROP TRIGGER log_node_is_append_only_update; UPDATE log_node SET hash = zeroblob(32) WHERE level = 4 AND idx = 1;
            """])
        #expect(tamper.status == 0, "\(tamper.output)")
        let broken = try ledger.verifyLog(logKey: nil)
        #expect(!broken.intact, "\(broken)")
        #expect(broken.firstBadIndex == 16, "\(broken)")
    }
}
