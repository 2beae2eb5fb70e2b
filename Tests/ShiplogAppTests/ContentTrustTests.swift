import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogCrypto
import ShiplogStore
import ShiplogTestBackends
import ShiplogTestSupport
import Testing

@Suite("Content trust: signing and verifying")
struct ContentTrustTests {
    static let digestText = "sha256:d34db33fd34db33fd34db33fd34db33fd34db33fd34db33fd34db33fd34db33f"

    static func ledger(_ backend: StoreBackend = .sqlite) throws -> ReleaseLedger { ReleaseLedger(store: try backend.open()) }

    static func image(_ repository: String = "example.com/test/image") throws -> (Repository, Digest) {
        (try Repository(parsing: repository), try Digest(parsing: digestText))
    }

    @Test("the payload shiplog signs equals cosign's own test payload byte for byte", arguments: StoreBackend.allCases)
    func payloadMatchesCosign(_ backend: StoreBackend) throws {
        let (repository, digest) = try Self.image()
        let ledger = try Self.ledger(backend)
        let signed = try ledger.sign(repository: repository, digest: digest, with: try PrivateKey.generate(.ecdsaP256))
        #expect(signed.payload == Array(try Fixtures.data("cosign/sigstore_payload_test_no_claims.json")))
    }

    @Test("annotations are written as Go writes a map: sorted keys, HTML-safe escapes")
    func annotations() throws {
        let (repository, digest) = try Self.image()
        let payload = SignaturePayload(repository: repository, digest: digest, annotations: ["z": "1", "a": "<b>&"])
        #expect(String(decoding: payload.bytes, as: UTF8.self).hasSuffix(#""optional":{"a":"\u003cb\u003e\u0026","z":"1"}}"#))
        let parsed = try SignaturePayload(parsing: payload.bytes, source: "p")
        #expect(parsed.annotations?["a"] == .string("<b>&"))
    }

    @Test("cosign's claim payloads import; the other type and the spec's capital-D example are refused", arguments: [
        ("cosign/sigstore_payload_test_no_claims.json", "example.com/test/image", nil),
        ("cosign/sigstore_payload_test_atomic_claims.json", "example.com/atomic/test/image", nil),
        ("cosign/sigstore_payload_test_arbitrary_claims.json", "example.com/cosign/test/image", nil),
        ("cosign/sigstore_payload_test_unknown_type_MUST_REJECT.json", "example.com/atomic/test/image", "critical.type"),
        ("cosign/cosign_spec_simple_signing_example_capitalD.json", "testing/manifest", "critical.image.docker-manifest-digest"),
    ] as [(String, String, String?)])
    func cosignPayloads(_ path: String, _ repository: String, _ rejectedField: String?) throws {
        let ledger = try Self.ledger()
        let key = try PrivateKey.generate(.ecdsaP256)
        _ = try ledger.trust(try key.publicKey, name: "ci")
        let payload = Array(try Fixtures.data(path))
        let signature = try key.sign(payload)
        let (repo, digest) = try Self.image(repository)
        let importing = {
            try ledger.importSignature(repository: repo, digest: digest, payload: payload, payloadSource: path,
                                       signature: signature, signatureSource: "sig")
        }
        if let rejectedField {
            #expect { _ = try importing() } throws: { error in
                guard case let LedgerError.invalidInput(problem) = error else { return false }
                return problem.field == rejectedField && problem.source == path
            }
            #expect(try ledger.verify(repository: repo, digest: digest).reason == .noSignature)
        } else {
            let record = try importing()
            #expect(record.payload == payload, "the exact bytes are kept")
            #expect(try ledger.verify(repository: repo, digest: digest).reason == .valid)
        }
    }

    @Test("every algorithm signs and verifies through the ledger", arguments: KeyAlgorithm.allCases)
    func algorithms(_ algorithm: KeyAlgorithm) throws {
        let ledger = try Self.ledger()
        let key = try PrivateKey.generate(algorithm, rsaBits: 2048)
        let trusted = try ledger.trust(try key.publicKey, name: "k")
        let (repository, digest) = try Self.image()
        _ = try ledger.sign(repository: repository, digest: digest, with: key)
        let result = try ledger.verify(repository: repository, digest: digest)
        #expect(result.reason == .valid)
        #expect(result.keyID == trusted.keyID)
        #expect(result.signedAt != nil)
    }

    /// One signed image, and a way to store tampered copies of its payload or signature.
    struct Scenario {
        var ledger: ReleaseLedger
        var key: PrivateKey
        var repository: Repository
        var digest: Digest
        var payload: [UInt8]
        var signature: [UInt8]

        init(trusted: Bool = true) throws {
            ledger = try ContentTrustTests.ledger()
            key = try PrivateKey.generate(.ecdsaP256)
            if trusted { _ = try ledger.trust(try key.publicKey, name: "ci") }
            (repository, digest) = try ContentTrustTests.image()
            payload = SignaturePayload(repository: repository, digest: digest).bytes
            signature = try key.sign(payload)
        }

        func store(payload: [UInt8]? = nil, signature: [UInt8]? = nil, signer: PublicKey? = nil) throws {
            _ = try ledger.importSignature(repository: repository, digest: digest, payload: payload ?? self.payload,
                                           payloadSource: "p", signature: signature ?? self.signature, signatureSource: "s",
                                           signer: signer)
        }

        func verify(key: PublicKey? = nil) throws -> Verification { try ledger.verify(repository: repository, digest: digest, key: key) }
    }

    @Test("each failure has its own reason")
    func reasons() throws {
        // valid
        let valid = try Scenario()
        try valid.store()
        #expect(try valid.verify().reason == .valid)

        // no signature: for the image asked about, even if another digest is signed
        let other = try Digest(parsing: "sha256:" + String(repeating: "e", count: 64))
        #expect(try valid.ledger.verify(repository: valid.repository, digest: other).reason == .noSignature)

        // one byte of the payload changed
        let payloadTampered = try Scenario()
        // one letter of the reference: still names the same digest, so only the signature check can catch it
        let payload = Array(String(decoding: payloadTampered.payload, as: UTF8.self)
            .replacingOccurrences(of: "example.com/test/image", with: "example.com/test/imagf").utf8)
        try payloadTampered.store(payload: payload, signer: try payloadTampered.key.publicKey)
        #expect(try payloadTampered.verify().reason == .signatureInvalid)

        // one byte of the signature changed (the last byte of s keeps the DER valid)
        let signatureTampered = try Scenario()
        var signature = signatureTampered.signature
        signature[signature.count - 1] ^= 0x01
        try signatureTampered.store(signature: signature, signer: try signatureTampered.key.publicKey)
        #expect(try signatureTampered.verify().reason == .signatureInvalid)

        // the payload names another digest than the one asked about
        let mismatch = try Scenario()
        let otherPayload = SignaturePayload(repository: mismatch.repository, digest: other).bytes
        try mismatch.store(payload: otherPayload, signature: try mismatch.key.sign(otherPayload))
        #expect(try mismatch.verify().reason == .digestMismatch)

        // key not in the trust store
        let unknown = try Scenario(trusted: false)
        try unknown.store()
        #expect(try unknown.verify().reason == .keyUnknown)
        #expect(try unknown.verify(key: try unknown.key.publicKey).reason == .keyUnknown)

        // key revoked
        let revoked = try Scenario()
        try revoked.store()
        _ = try revoked.ledger.revokeKey(id: try revoked.key.publicKey.keyID, reason: "leaked")
        let answer = try revoked.verify()
        #expect(answer.reason == .keyRevoked)
        #expect(answer.keyName == "ci")

        // --key: only that key counts
        let pinned = try Scenario()
        try pinned.store()
        let stranger = try PrivateKey.generate(.ecdsaP256).publicKey
        _ = try pinned.ledger.trust(stranger, name: "other")
        #expect(try pinned.verify(key: stranger).reason == .signatureInvalid)
        #expect(try pinned.verify(key: try pinned.key.publicKey).reason == .valid)
    }

    @Test("garbage signatures are input errors, and nothing is recorded")
    func garbage() throws {
        let scenario = try Scenario()
        #expect(throws: LedgerError.self) { try scenario.store(signature: [0x30, 0x03, 0x02, 0x01]) }
        #expect(throws: LedgerError.self) { try scenario.store(signature: Array(repeating: 7, count: 70), signer: try scenario.key.publicKey) }
        #expect(try scenario.verify().reason == .noSignature)
    }
}
