import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogCrypto
import ShiplogStore
import ShiplogTestBackends
import ShiplogTestSupport
import Testing

@Suite("attestations: recorded once, judged against the trust store as it is now")
struct AttestationTests {
    static let repository = "registry.digitalocean.com/the-shop-infra/gateway"
    static func digest(_ byte: String) throws -> Digest { try Digest(parsing: "sha256:" + String(repeating: byte, count: 64)) }

    /// An envelope as `cosign attest --key` makes it: a v1 statement naming the image, signed over DSSE's PAE.
    static func envelope(_ repository: String, _ digest: Digest, key: PrivateKey,
                         predicateType: String = PredicateType.slsaProvenance1, predicate: String = #"{"builder":{"id":"ci"}}"#) throws -> Data {
        let statement = InTotoStatement.bytes(repository: try Repository(parsing: repository), digest: digest, predicateType: predicateType,
                                              predicate: Array(predicate.utf8))
        let pae = DSSEEnvelope.preAuthenticationEncoding(payloadType: DSSEEnvelope.inTotoPayloadType, payload: statement)
        return Data(DSSEEnvelope(payloadType: DSSEEnvelope.inTotoPayloadType, payload: statement, signatures: [.init(signature: try key.sign(pae))]).json)
    }

    @Test("valid with a trusted key, key-unknown without, key-revoked after; the same envelope twice is one record", arguments: StoreBackend.allCases)
    func judgedNow(_ backend: StoreBackend) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let ledger = ReleaseLedger(store: try backend.open(in: directory))
        let key = try PrivateKey.generate(.ecdsaP256)
        let repository = try Repository(parsing: Self.repository)
        let digest = try Self.digest("a")
        let data = try Self.envelope(Self.repository, digest, key: key)
        let first = try ledger.importAttestations(data, source: "e.json", target: .image(repository, digest))
        #expect(first.recorded == 1 && first.attestations.first?.reason == .keyUnknown, "no key is trusted yet")
        let again = try ledger.importAttestations(data, source: "e.json", target: .image(repository, digest))
        #expect(again.recorded == 0 && again.alreadyRecorded == 1)
        // Spaced differently, it is the same envelope.
        let pretty = try JSONSerialization.data(withJSONObject: try JSONSerialization.jsonObject(with: data), options: .prettyPrinted)
        #expect(try ledger.importAttestations(pretty, source: "pretty.json", target: .subjects).recorded == 0)

        _ = try ledger.trust(key.publicKey, name: "ci")
        #expect(try ledger.verifyAttestation(repository: repository, digest: digest, type: PredicateType.slsaProvenance1).verified)
        #expect(try !ledger.verifyAttestation(repository: repository, digest: digest, type: "https://spdx.dev/Document").verified)
        #expect(try ledger.verifyAttestation(repository: repository, digest: digest, type: nil).keyName == "ci")
        _ = try ledger.revokeKey(id: try key.publicKey.keyID, reason: "leaked")
        let revoked = try ledger.verifyAttestation(repository: repository, digest: digest, type: nil)
        #expect(!revoked.verified && revoked.reason == "key-revoked", "\(revoked)")
        #expect(try ledger.attestations(repository: repository, digest: digest).first?.reason == .keyRevoked)
    }

    @Test("imported by subjects: one record per named image; a subject without a name, or none usable, is refused", arguments: StoreBackend.allCases)
    func subjects(_ backend: StoreBackend) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let ledger = ReleaseLedger(store: try backend.open(in: directory))
        let key = try PrivateKey.generate(.ed25519)
        let a = try Self.digest("a"), b = try Self.digest("b")
        let statement = #"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"\#(Self.repository)","digest":{"sha256":"\#(a.encoded)"}},"#
            + #"{"name":"registry.digitalocean.com/the-shop-infra/rag:v3","digest":{"sha256":"\#(b.encoded)"}},{"name":"notes.txt","digest":{"md5":"\#(String(repeating: "0", count: 32))"}}],"#
            + #""predicateType":"https://spdx.dev/Document","predicate":{}}"#
        func signed(_ text: String) throws -> Data {
            let pae = DSSEEnvelope.preAuthenticationEncoding(payloadType: DSSEEnvelope.inTotoPayloadType, payload: Array(text.utf8))
            return Data(DSSEEnvelope(payloadType: DSSEEnvelope.inTotoPayloadType, payload: Array(text.utf8),
                                     signatures: [.init(signature: try key.sign(pae))]).json)
        }
        let summary = try ledger.importAttestations(try signed(statement), source: "sbom.json", target: .subjects)
        #expect(summary.recorded == 2)
        #expect(Set(summary.attestations.map(\.repository)) == [Self.repository, "registry.digitalocean.com/the-shop-infra/rag"], "tags are not part of a repository")
        #expect(throws: LedgerError.self) {
            try ledger.importAttestations(try signed(statement.replacingOccurrences(of: #""name":"\#(Self.repository)","#, with: "")),
                                          source: "unnamed.json", target: .subjects)
        }
        let none = #"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x","digest":{"md5":"\#(String(repeating: "0", count: 32))"}}],"predicateType":"p","predicate":{}}"#
        #expect { try ledger.importAttestations(try signed(none), source: "none.json", target: .subjects) } throws: { "\($0)".contains("sha256") }
    }

    @Test("buildx provenance is recorded unsigned (v0.2 or v1 by its shape); an empty one records nothing", arguments: StoreBackend.allCases)
    func buildxProvenance(_ backend: StoreBackend) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let ledger = ReleaseLedger(store: try backend.open(in: directory))
        let fixture = try Fixtures.data("buildx/docs_build_metadata_file_load.json")
        let context = BuildxMetadata.Context(image: try ImageReference(parsing: "\(Self.repository):v1"))
        _ = try ledger.ingestBuildxMetadata(fixture, source: "docs.json", context: context)
        #expect(try ledger.store.allAttestations().isEmpty, "the docs' sample carries an empty provenance")

        var document = try #require(try JSONSerialization.jsonObject(with: fixture) as? [String: Any])
        document["buildx.build.provenance"] = ["buildType": "https://mobyproject.org/buildkit@v1",
                                               "invocation": ["configSource": ["entryPoint": "Dockerfile"]]]
        _ = try ledger.ingestBuildxMetadata(try JSONSerialization.data(withJSONObject: document), source: "v02.json", context: context)
        let digest = try Digest(parsing: try #require(document["containerimage.digest"] as? String))
        let recorded = try ledger.attestations(repository: try Repository(parsing: Self.repository), digest: digest)
        #expect(recorded.count == 1)
        #expect(recorded.first?.predicateType == PredicateType.slsaProvenance02 && recorded.first?.reason == .unsigned
                && recorded.first?.source == "buildx", "\(recorded)")
        #expect(try !ledger.verifyAttestation(repository: try Repository(parsing: Self.repository), digest: digest, type: nil).verified,
                "unsigned provenance vouches for nothing")
        document["buildx.build.provenance"] = ["buildDefinition": ["buildType": "https://mobyproject.org/buildkit@v1"]]
        _ = try ledger.ingestBuildxMetadata(try JSONSerialization.data(withJSONObject: document), source: "v1.json", context: context)
        #expect(try ledger.attestations(repository: try Repository(parsing: Self.repository), digest: digest, type: PredicateType.slsaProvenance1).count == 1)
        #expect(try ledger.verifyLog(logKey: nil).intact)
    }

    @Test("image shows attestations beside signatures", arguments: StoreBackend.allCases)
    func inImage(_ backend: StoreBackend) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let ledger = ReleaseLedger(store: try backend.open(in: directory))
        let key = try PrivateKey.generate(.ecdsaP256)
        _ = try ledger.trust(key.publicKey, name: "ci")
        let repository = try Repository(parsing: Self.repository)
        let digest = try Self.digest("c")
        _ = try ledger.recordBuild(NewBuild(service: "gateway", repository: repository, tag: "v1", digest: digest))
        _ = try ledger.importAttestations(try Self.envelope(Self.repository, digest, key: key), source: "e", target: .image(repository, digest))
        let image = try #require(try ledger.image(digest: digest, repository: repository).first)
        #expect(image.attestations.count == 1 && image.attestations.first?.valid == true)
    }
}
