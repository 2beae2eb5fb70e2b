import Foundation
import ShiplogCrypto
import ShiplogTestSupport
import Testing

/// Signatures and keys checked against tools shiplog did not write: the openssl CLI and Python's `cryptography`.
@Suite("OpenSSL interop")
struct InteropTests {
    static let message = Array(#"{"critical":{"identity":{"docker-reference":"example.com/test/image"},"image":{"docker-manifest-digest":"sha256:d34db33fd34db33fd34db33fd34db33fd34db33fd34db33fd34db33fd34db33f"},"type":"cosign container image signature"},"optional":null}"#.utf8)

    @Test("shiplog signatures verify with `openssl dgst -sha256 -verify`", arguments: [
        (KeyAlgorithm.ecdsaP256, RSAPadding.pkcs1v15), (.rsa, .pkcs1v15), (.rsa, .pss),
    ])
    func opensslVerifies(_ algorithm: KeyAlgorithm, _ padding: RSAPadding) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let key = try PrivateKey.generate(algorithm, rsaBits: 2048)
        try Data(try key.publicKey.pem.utf8).write(to: directory.url.appending(path: "pub.pem"))
        try Data(Self.message).write(to: directory.url.appending(path: "payload.json"))
        let signature = try key.sign(Self.message, rsaPadding: padding)
        try Data(signature).write(to: directory.url.appending(path: "sig.der"))
        var arguments = ["dgst", "-sha256", "-verify", directory.path("pub.pem"), "-signature", directory.path("sig.der")]
        if padding == .pss { arguments += ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:-2"] }
        let result = try Tool.run("/usr/bin/openssl", arguments + [directory.path("payload.json")])
        #expect(result.status == 0, "\(result)")
        #expect(result.output.contains("Verified OK"), "\(result)")
        // and one flipped byte does not
        var tampered = Self.message
        tampered[10] ^= 0x01
        try Data(tampered).write(to: directory.url.appending(path: "payload.json"))
        #expect(try Tool.run("/usr/bin/openssl", arguments + [directory.path("payload.json")]).status != 0)
    }

    @Test("shiplog signatures verify with Python's cryptography", arguments: KeyAlgorithm.allCases)
    func pythonVerifies(_ algorithm: KeyAlgorithm) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let key = try PrivateKey.generate(algorithm, rsaBits: 2048)
        let signature = try key.sign(Self.message)
        try Data(try key.publicKey.pem.utf8).write(to: directory.url.appending(path: "pub.pem"))
        try Data(Self.message).write(to: directory.url.appending(path: "payload"))
        try Data(signature).write(to: directory.url.appending(path: "sig"))
        let script = """
            import sys
            from cryptography.hazmat.primitives import hashes, serialization
            from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
            key = serialization.load_pem_public_key(open(sys.argv[1], "rb").read())
            payload, sig = open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read()
            if isinstance(key, ec.EllipticCurvePublicKey): key.verify(sig, payload, ec.ECDSA(hashes.SHA256()))
            elif isinstance(key, ed25519.Ed25519PublicKey): key.verify(sig, payload)
            else: key.verify(sig, payload, padding.PKCS1v15(), hashes.SHA256())
            print("verified", type(key).__name__)
            """
        let result = try Tool.run("/usr/bin/env", ["python3", "-c", script, directory.path("pub.pem"), directory.path("payload"),
                                                   directory.path("sig")])
        #expect(result.status == 0, "\(result)")
        #expect(result.output.hasPrefix("verified"), "\(result)")
    }

    @Test("keys made by openssl load, with the key id of the DER SubjectPublicKeyInfo", arguments: [
        ["genpkey", "-algorithm", "ed25519"],
        ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        ["ecparam", "-name", "prime256v1", "-genkey", "-noout"],
    ])
    func opensslKeysLoad(_ generate: [String]) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let keyPath = directory.path("key.pem")
        #expect(try Tool.run("/usr/bin/openssl", generate + ["-out", keyPath]).status == 0)
        #expect(try Tool.run("/usr/bin/openssl", ["pkey", "-in", keyPath, "-pubout", "-out", directory.path("pub.pem")]).status == 0)
        #expect(try Tool.run("/usr/bin/openssl", ["pkey", "-pubin", "-in", directory.path("pub.pem"), "-outform", "DER",
                                                  "-out", directory.path("pub.der")]).status == 0)
        let privateKey = try PrivateKey(encoded: Array(try Data(contentsOf: URL(fileURLWithPath: keyPath))), passphrase: nil)
        let publicKey = try PublicKey(encoded: Array(try Data(contentsOf: directory.url.appending(path: "pub.pem"))))
        let der = Array(try Data(contentsOf: directory.url.appending(path: "pub.der")))
        #expect(publicKey.der == der)
        #expect(publicKey.keyID == "sha256:" + (try Tool.sha256Hex(of: directory.path("pub.der"))))
        #expect(try PublicKey(encoded: der).keyID == publicKey.keyID)
        // a signature made by `openssl dgst -sign` (or pkeyutl for Ed25519) verifies in shiplog
        try Data(Self.message).write(to: directory.url.appending(path: "payload"))
        let signArguments = privateKey.algorithm == .ed25519
            ? ["pkeyutl", "-sign", "-inkey", keyPath, "-rawin", "-in", directory.path("payload"), "-out", directory.path("sig")]
            : ["dgst", "-sha256", "-sign", keyPath, "-out", directory.path("sig"), directory.path("payload")]
        #expect(try Tool.run("/usr/bin/openssl", signArguments).status == 0)
        let signature = Array(try Data(contentsOf: directory.url.appending(path: "sig")))
        #expect(publicKey.isValidSignature(signature, for: Self.message))
        #expect(!publicKey.isValidSignature(signature, for: Self.message.dropLast() + [0x20]))
    }

    @Test("a signing session signs many messages, each verifying only for itself", arguments: KeyAlgorithm.allCases)
    func session(_ algorithm: KeyAlgorithm) throws {
        let key = try PrivateKey.generate(algorithm, rsaBits: 2048)
        let publicKey = try key.publicKey
        let session = try SigningSession(key)
        let messages = (0 ..< 3).map { Array("message \($0)".utf8) }
        let signatures = try messages.map { message throws(CryptoError) in try session.sign(message) }
        for (index, signature) in signatures.enumerated() {
            #expect(publicKey.isValidSignature(signature, for: messages[index]))
            #expect(!publicKey.isValidSignature(signature, for: messages[(index + 1) % 3]))
        }
    }

    @Test("openssl keys shiplog refuses: another curve, a short RSA key", arguments: [
        (["ecparam", "-name", "secp384r1", "-genkey", "-noout"], "EC curve secp384r1"),
        (["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"], "1024 bits"),
    ])
    func refusedKeys(_ generate: [String], _ reason: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let keyPath = directory.path("key.pem")
        #expect(try Tool.run("/usr/bin/openssl", generate + ["-out", keyPath]).status == 0)
        #expect(try Tool.run("/usr/bin/openssl", ["pkey", "-in", keyPath, "-pubout", "-out", directory.path("pub.pem")]).status == 0)
        for (path, isPrivate) in [(keyPath, true), (directory.path("pub.pem"), false)] {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            #expect {
                if isPrivate { _ = try PrivateKey(encoded: bytes, passphrase: nil) } else { _ = try PublicKey(encoded: bytes) }
            } throws: { error in "\(error)".contains(reason) }
        }
    }

    @Test("encrypted private keys: the passphrase is required and checked")
    func encryptedKeys() throws {
        let key = try PrivateKey.generate(.ecdsaP256)
        let pem = Array(try key.pem(passphrase: "correct horse").utf8)
        #expect(String(decoding: pem, as: UTF8.self).hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        #expect(throws: CryptoError.passphraseRequired) { _ = try PrivateKey(encoded: pem, passphrase: nil) }
        #expect(throws: CryptoError.wrongPassphrase) { _ = try PrivateKey(encoded: pem, passphrase: "wrong") }
        let loaded = try PrivateKey(encoded: pem, passphrase: "correct horse")
        #expect(try loaded.publicKey.keyID == key.publicKey.keyID)
    }

    @Test("bad keys are refused with the reason")
    func badKeys() throws {
        let ecPrivate = Array(try PrivateKey.generate(.ecdsaP256).pem(passphrase: nil).utf8)
        let ecPublic = Array(try PrivateKey.generate(.ecdsaP256).publicKey.pem.utf8)
        #expect(throws: CryptoError.privateKeyGivenForPublic) { _ = try PublicKey(encoded: ecPrivate) }
        #expect(throws: CryptoError.publicKeyGivenForPrivate) { _ = try PrivateKey(encoded: ecPublic, passphrase: nil) }
        #expect { _ = try PublicKey(encoded: Array("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".utf8)) } throws: { error in
            if case .malformedKey = error as? CryptoError { return true }
            return false
        }
        #expect(throws: CryptoError.publicKeyGivenForPrivate) {
            _ = try PrivateKey(encoded: try PrivateKey.generate(.ed25519).publicKey.der, passphrase: nil)
        }
        // Neither kind of DER key (schemathesis found these: the two parsers once asked each other forever).
        for garbage in [[], Array("0".utf8), [0x30], [0x30, 0x03, 0x02, 0x01, 0x01], Array("MA==".utf8)] as [[UInt8]] {
            #expect(throws: CryptoError.self) { _ = try PublicKey(encoded: garbage) }
            #expect(throws: CryptoError.self) { _ = try PrivateKey(encoded: garbage, passphrase: nil) }
        }
        #expect(throws: CryptoError.rsaKeyTooShort(bits: 1024)) { _ = try PrivateKey.generate(.rsa, rsaBits: 1024) }
        let ecdsa = try PrivateKey.generate(.ecdsaP256).publicKey
        #expect(throws: CryptoError.self) { try ecdsa.checkShape(of: [0x30, 0x02, 0x01]) }
    }
}

@Suite("DSSE's test vector")
struct DSSEVectorTests {
    @Test("the protocol's ECDSA P-256 signature (raw r||s) verifies over its PAE with the vector's key, and nothing else does")
    func vector() throws {
        let key = try JSONSerialization.jsonObject(with: try Fixtures.data("dsse/dsse_test_vector_key.json")) as? [String: Any]
        let pem = try #require(key?["derived_public_key_pem"] as? String)
        let publicKey = try PublicKey(encoded: Array(pem.utf8))
        let envelope = try JSONSerialization.jsonObject(with: try Fixtures.data("dsse/dsse_protocol_md_test_vector_envelope.json")) as? [String: Any]
        let signatureText = try #require((envelope?["signatures"] as? [[String: Any]])?.first?["sig"] as? String)
        let signature = try #require(Base64.decode(signatureText))
        let pae = Array(try Fixtures.data("dsse/dsse_test_vector_pae.bin"))
        #expect(publicKey.isValidSignature(signature, for: pae))
        #expect(!publicKey.isValidSignature(signature, for: Array("hello world".utf8)), "the payload alone is not what was signed")
        var flipped = signature
        flipped[10] ^= 1
        #expect(!publicKey.isValidSignature(flipped, for: pae))
    }
}
