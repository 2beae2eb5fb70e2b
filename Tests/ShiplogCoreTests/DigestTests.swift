import Foundation
import ShiplogCore
import ShiplogTestSupport
import Testing

@Suite("Digest grammar")
struct DigestTests {
    static let hex64 = String(repeating: "ab", count: 32)

    @Test("accepts the OCI grammar", arguments: [
        "sha256:" + hex64,
        "sha512:" + String(repeating: "0f", count: 64),
        "sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564",
        "multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8",
        "sha256.foo-bar:c86f7763873b6c0aae22d963bab59b4f5debbed6685761b5951584f6efb0633b",
    ])
    func accepts(_ text: String) throws {
        let digest = try Digest(parsing: text)
        #expect(digest.description == text)
        #expect(!digest.algorithm.isEmpty)
        #expect(!digest.algorithm.contains(":"))
        #expect(digest.algorithm + ":" + digest.encoded == text)
    }

    @Test("rejects with the offending value and the reason", arguments: [
        ("sha256:" + String(hex64.dropLast()), "needs 64 hex characters, got 63"),
        ("sha256:" + hex64 + "a", "needs 64 hex characters, got 65"),
        ("sha256:" + hex64.uppercased(), "lowercase hex"),
        ("sha512:" + hex64, "needs 128 hex characters, got 64"),
        ("SHA256:" + hex64, "algorithm must be lowercase"),
        (":" + hex64, "no algorithm"),
        ("sha256", "expected algorithm:encoded"),
        ("sha256:", "nothing after"),
        ("sha256+foo+-b:" + hex64, "algorithm must be lowercase letters and digits joined by one of"),
        ("sha256-:" + hex64, "must not end with a separator"),
        ("sha256:abc/def", "may contain only"),
        ("", "expected algorithm:encoded"),
    ])
    func rejects(_ text: String, _ reason: String) {
        #expect {
            _ = try Digest(parsing: text)
        } throws: { error in
            guard let error = error as? ValueError else { return false }
            return error.value == text && error.reason.contains(reason)
        }
    }
}

@Suite("OCI descriptor table (image-spec schema/descriptor_test.go)")
struct ContentDescriptorTests {
    struct Table: Decodable {
        struct Case: Decodable, Sendable, CustomTestStringConvertible {
            var comment: String
            var expected_validation_failure: Bool
            var descriptor_text: String
            var testDescription: String { comment }
        }
        var cases: [Case]
    }

    static let table: [Table.Case] = {
        guard let data = try? Fixtures.data("oci/imagespec_schema_descriptor_test_cases.extracted.json"),
              let table = try? JSONDecoder().decode(Table.self, from: data) else { return [] }
        return table.cases
    }()

    @Test("the table has all 31 upstream cases")
    func tableIsComplete() {
        #expect(Self.table.count == 31)
    }

    @Test("every row validates as upstream expects", arguments: table)
    func row(_ testCase: Table.Case) throws {
        let json = try JSONInput.value(from: Data(testCase.descriptor_text.utf8), source: "descriptor")
        let outcome = Result { () throws(InvalidInput) in try ContentDescriptor(json: json) }
        switch outcome {
        case .success:
            #expect(!testCase.expected_validation_failure, "accepted a descriptor upstream rejects")
        case let .failure(error):
            #expect(testCase.expected_validation_failure, "rejected a valid descriptor: \(error)")
        }
    }

    @Test("a rejected digest names the field and the value")
    func namesField() throws {
        let json = try JSONInput.value(
            from: Data(#"{"mediaType":"a/b","size":1,"digest":"sha256:abc"}"#.utf8), source: "d.json")
        #expect {
            _ = try ContentDescriptor(json: json)
        } throws: { error in
            let text = "\(error)"
            return text.contains("digest") && text.contains("\"sha256:abc\"") && text.contains("got 3")
        }
    }
}
