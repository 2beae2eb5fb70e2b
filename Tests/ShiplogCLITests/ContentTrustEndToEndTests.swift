import Foundation
import ShiplogTestSupport
import Testing

@Suite("shiplog CLI: keys, sign, verify")
struct ContentTrustEndToEndTests {
    static let image = "example.com/test/image@sha256:d34db33fd34db33fd34db33fd34db33fd34db33fd34db33fd34db33fd34db33f"

    @Test("keys generate writes a 0600 private key; sign's outputs verify with openssl; verify exits 0 then 1 after revoke")
    func signAndVerify() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shiplog = ShiplogBinary(database: directory.path("ledger.sqlite"), environment: ["SHIPLOG_KEY_PASSPHRASE": "s3cret"])
        let generated = try #require(try shiplog.json(["keys", "generate", "--out", directory.path("ci.key")]) as? [String: Any])
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.path("ci.key"))
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let key = try #require(generated["key"] as? [String: Any])
        let keyID = try #require(key["key_id"] as? String)
        // the ledger never holds the private key
        let dump = try String(contentsOfFile: directory.path("ledger.sqlite"), encoding: .isoLatin1)
        #expect(!dump.contains("PRIVATE KEY"))
        // generating over an existing key is refused
        #expect(try shiplog.run(["keys", "generate", "--out", directory.path("ci.key"), "--name", "again"]).status == 65)

        let sign = try shiplog.run(["sign", Self.image, "--key", directory.path("ci.key"),
                                    "--output-signature", directory.path("sig.b64"), "--output-payload", directory.path("payload.json")])
        #expect(sign.status == 0, "\(sign.stderr)")
        let base64 = try String(contentsOfFile: directory.path("sig.b64"), encoding: .utf8)
        try #require(Data(base64Encoded: base64)).write(to: directory.url.appending(path: "sig.der"))
        let openssl = try Tool.run("/usr/bin/openssl", ["dgst", "-sha256", "-verify", directory.path("ci.key.pub"),
                                                        "-signature", directory.path("sig.der"), directory.path("payload.json")])
        #expect(openssl.output.contains("Verified OK"))

        let verified = try shiplog.run(["verify", Self.image])
        #expect(verified.status == 0)
        #expect(verified.stdout.hasPrefix("valid"))
        #expect(verified.stdout.contains(keyID))
        #expect(try shiplog.run(["keys", "revoke", keyID, "--reason", "rotated"]).status == 0)
        let revoked = try shiplog.run(["verify", Self.image, "--json"])
        #expect(revoked.status == 1)
        #expect(revoked.stdout.contains("\"reason\" : \"key-revoked\""))
    }

    @Test("a signature made with openssl over a cosign payload imports and verifies")
    func opensslSignature() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shiplog = ShiplogBinary(database: directory.path("ledger.sqlite"))
        let keyPath = directory.path("ossl.pem")
        #expect(try Tool.run("/usr/bin/openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", keyPath]).status == 0)
        #expect(try Tool.run("/usr/bin/openssl", ["ec", "-in", keyPath, "-pubout", "-out", directory.path("ossl.pub")]).status == 0)
        let payload = Fixtures.url("cosign/sigstore_payload_test_no_claims.json").path
        #expect(try Tool.run("/usr/bin/openssl", ["dgst", "-sha256", "-sign", keyPath, "-out", directory.path("sig.der"), payload]).status == 0)
        #expect(try shiplog.run(["keys", "add", directory.path("ossl.pub"), "--name", "openssl"]).status == 0)
        let imported = try shiplog.run(["signature", "import", Self.image, "--payload", payload, "--signature", directory.path("sig.der")])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try shiplog.run(["verify", Self.image, "--key", directory.path("ossl.pub")]).status == 0)

        let bad: [([String], String)] = [
            (["signature", "import", Self.image, "--payload", payload, "--signature", "@@not-base64@@"], "--signature"),
            (["signature", "import", Self.image, "--payload",
              Fixtures.url("cosign/sigstore_payload_test_unknown_type_MUST_REJECT.json").path, "--signature", directory.path("sig.der")],
             "critical.type"),
            (["keys", "add", keyPath, "--name", "private"], "private key"),
            (["sign", Self.image, "--key", directory.path("ossl.pub")], "public key"),
        ]
        for (arguments, message) in bad {
            let result = try shiplog.run(arguments)
            #expect(result.status == 65, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
    }
}

@Suite("shiplog CLI: odd signature files")
struct OddSignatureFileTests {
    @Test("an empty or garbage signature file is bad input, not a crash", arguments: [Data(), Data([0x30]), Data(repeating: 0xFF, count: 3)])
    func oddFiles(_ content: Data) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shiplog = ShiplogBinary(database: directory.path("ledger.sqlite"))
        try content.write(to: directory.url.appending(path: "sig"))
        let result = try shiplog.run(["signature", "import", ContentTrustEndToEndTests.image, "--payload",
                                      Fixtures.url("cosign/sigstore_payload_test_no_claims.json").path, "--signature", directory.path("sig")])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("signature"), "\(result.stderr)")
    }
}
