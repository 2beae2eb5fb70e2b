import Foundation
import ShiplogCore
import ShiplogTestSupport
import Testing

@Suite("DSSE envelopes, in-toto statements and OCI manifests, read strictly")
struct AttestationFormatTests {
    @Test("DSSE's PAE is the protocol's test vector, byte for byte")
    func preAuthenticationEncoding() throws {
        let envelope = try DSSEEnvelope(parsing: Array(try Fixtures.data("dsse/dsse_protocol_md_test_vector_envelope.json")), source: "vector")
        #expect(envelope.payloadType == "http://example.com/HelloWorld")
        #expect(envelope.payload == Array("hello world".utf8))
        #expect(envelope.signatures.count == 1 && envelope.signatures[0].signature.count == 64, "raw r||s")
        #expect(envelope.preAuthenticationEncoding == Array(try Fixtures.data("dsse/dsse_test_vector_pae.bin")))
        // Written back compactly, it reads as the same envelope.
        #expect(try DSSEEnvelope(parsing: envelope.json, source: "again") == envelope)
    }

    @Test("bad envelopes are refused naming the field", arguments: [
        (#"[]"#, "a DSSE envelope is a JSON object"),
        (#"{"payload":"aGk=","signatures":[{"sig":"AAAA"}]}"#, "payloadType: required field is missing"),
        (#"{"payloadType":"t","payload":"%%%","signatures":[{"sig":"AAAA"}]}"#, "payload"),
        (#"{"payloadType":"t","payload":"aGk=","signatures":[]}"#, "no signature"),
        (#"{"payloadType":"t","payload":"aGk=","signatures":{}}"#, "signatures"),
        (#"{"payloadType":"t","payload":"aGk=","signatures":[{"sig":""}]}"#, "signatures[0].sig"),
        (#"{"payloadType":"t","payload":"aGk=","signatures":[{"sig":"AAAA","keyid":7}]}"#, "signatures[0].keyid"),
    ])
    func badEnvelopes(_ text: String, _ says: String) {
        #expect {
            try DSSEEnvelope(parsing: Array(text.utf8), source: "e.json")
        } throws: { error in "\(error)".contains(says) }
    }

    @Test("URL-safe and unpadded base64 decode as DSSE allows")
    func base64Variants() throws {
        let envelope = try DSSEEnvelope(parsing: Array(#"{"payloadType":"t","payload":"-_8","signatures":[{"sig":"AAAA"}]}"#.utf8), source: "e")
        #expect(envelope.payload == [0xFB, 0xFF])
    }

    @Test("in-toto's own test statements: the valid one reads, each INVALID one is refused naming its field", arguments: [
        ("intoto_attestation_statement_test_valid.json", nil),
        ("intoto_attestation_statement_test_INVALID_missing_predicate.json", "predicate"),
        ("intoto_attestation_statement_test_INVALID_no_subjects.json", "subject"),
        ("intoto_attestation_statement_test_INVALID_subject_missing_digest.json", "subject[0].digest"),
    ] as [(String, String?)])
    func inTotoFixtures(_ file: String, _ field: String?) throws {
        let bytes = Array(try Fixtures.data("intoto/\(file)"))
        guard let field else {
            let statement = try InTotoStatement(parsing: bytes, source: file)
            #expect(statement.subjects == [.init(name: "theSub", digest: ["alg1": "abc123"])])
            #expect(statement.predicateType == "thePredicate")
            return
        }
        #expect {
            try InTotoStatement(parsing: bytes, source: file)
        } throws: { error in (error as? InvalidInput)?.field == field }
    }

    @Test("a statement shiplog writes reads back naming the image, with the predicate's bytes as given")
    func writtenStatement() throws {
        let repository = try Repository(parsing: "registry.digitalocean.com/the-shop-infra/gateway")
        let digest = try Digest(parsing: "sha256:" + String(repeating: "ab", count: 32))
        let predicate = Array(try Fixtures.data("intoto/intoto_attestation_provenance_v1_predicate_test_valid.json"))
        let bytes = InTotoStatement.bytes(repository: repository, digest: digest, predicateType: PredicateType.slsaProvenance1, predicate: predicate)
        let statement = try InTotoStatement(parsing: bytes, source: "written")
        #expect(statement.type == InTotoStatement.typeV1 && statement.names(digest))
        #expect(!statement.names(try Digest(parsing: "sha256:" + String(repeating: "cd", count: 32))))
        #expect(statement.subjects.first?.name == repository.name)
        let roundTrip = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        let original = try JSONSerialization.jsonObject(with: Data(predicate)) as? NSDictionary
        #expect((roundTrip?["predicate"] as? NSDictionary) == original)
    }

    @Test("a sha256 subject digest must be 64 lowercase hex")
    func subjectDigestShape() {
        let text = #"{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"ABC"}}],"predicateType":"p","predicate":{}}"#
        #expect { try InTotoStatement(parsing: Array(text.utf8), source: "s") } throws: { ($0 as? InvalidInput)?.field == "subject[0].digest.sha256" }
    }

    @Test("cosign's predicate-type shorthands, and URIs as given")
    func shorthands() throws {
        #expect(try PredicateType.resolve("slsaprovenance") == "https://slsa.dev/provenance/v0.2")
        #expect(try PredicateType.resolve("slsaprovenance1") == "https://slsa.dev/provenance/v1")
        #expect(try PredicateType.resolve("spdxjson") == "https://spdx.dev/Document")
        #expect(try PredicateType.resolve("cyclonedx") == "https://cyclonedx.org/bom")
        #expect(try PredicateType.resolve("custom") == "https://cosign.sigstore.dev/attestation/v1")
        #expect(try PredicateType.resolve("https://example.com/p/v1") == "https://example.com/p/v1")
        #expect(throws: ValueError.self) { try PredicateType.resolve("provenance") }
    }

    @Test("the image spec's manifest and index examples read; their descriptors are whole")
    func ociExamples() throws {
        let manifest = try OCIManifest(parsing: Array(try Fixtures.data("oci/imagespec_manifest_ex0_Manifest.json")), source: "m")
        #expect(manifest.mediaType == OCIManifest.ociManifest && manifest.config != nil && manifest.layers.count == 3)
        let index = try OCIManifest(parsing: Array(try Fixtures.data("oci/imagespec_image-index_ex0_Image_Index.json")), source: "i")
        #expect(index.mediaType == OCIManifest.ociIndex && index.manifests.count == 2 && index.layers.isEmpty)
        // What shiplog writes reads back as the same manifest.
        #expect(try OCIManifest(parsing: manifest.json, source: "again") == manifest)
    }

    @Test("bad manifests: not JSON, over 4 MiB, 10,000 layers, a descriptor without a digest")
    func badManifests() throws {
        let layer = #"{"mediaType":"application/vnd.oci.image.layer.v1.tar","size":1,"digest":"sha256:\#(String(repeating: "0", count: 64))"}"#
        let config = #"{"mediaType":"application/vnd.oci.image.config.v1+json","size":1,"digest":"sha256:\#(String(repeating: "1", count: 64))"}"#
        let cases: [([UInt8], String)] = [
            (Array("<html>".utf8), "not valid JSON"),
            (Array(#"{"schemaVersion":2,"x":""#.utf8) + Array(repeating: UInt8(ascii: "x"), count: 4 * 1024 * 1024) + Array(#""}"#.utf8), "4 MiB"),
            (Array(#"{"schemaVersion":2,"config":\#(config),"layers":[\#(Array(repeating: layer, count: 10_000).joined(separator: ","))]}"#.utf8),
             "more than 1000"),
            (Array(#"{"schemaVersion":2,"config":\#(config),"layers":[{"mediaType":"x","size":1}]}"#.utf8), "layers[0].digest"),
            (Array(#"{"schemaVersion":1}"#.utf8), "schemaVersion"),
        ]
        for (bytes, says) in cases {
            #expect { try OCIManifest(parsing: bytes, source: "m") } throws: { "\($0)".contains(says) }
        }
    }
}
