import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogCrypto
import ShiplogStore
import ShiplogTestSupport
import Testing

/// Which signatures verified with which trusted keys decides what counts as signed; `log verify` recomputes
/// that set from the logged signatures and keys, so a row edited in the file shows.
@Suite("log verify and the recorded signature verifications")
struct VerificationAuditTests {
    /// A ledger where key `ci` signed one image, key `old` (revoked) signed another, and key `late` signed a
    /// third before it was trusted; returns the ledger, its file and the key ids.
    static func ledger(_ directory: TemporaryDirectory) throws -> (ReleaseLedger, String, ci: String, old: String) {
        let path = directory.path("l.sqlite")
        let ledger = ReleaseLedger(store: try SQLiteLedger(path: path))
        let repository = try Repository(parsing: "registry.example.com/acme/api")
        func digest(_ byte: String) throws -> Digest { try Digest(parsing: "sha256:" + String(repeating: byte, count: 64)) }
        let ci = try PrivateKey.generate(.ecdsaP256)
        let old = try PrivateKey.generate(.ed25519)
        let late = try PrivateKey.generate(.ecdsaP256)
        _ = try ledger.trust(try ci.publicKey, name: "ci")
        _ = try ledger.trust(try old.publicKey, name: "old")
        _ = try ledger.sign(repository: repository, digest: try digest("a"), with: ci)
        _ = try ledger.sign(repository: repository, digest: try digest("b"), with: old)
        _ = try ledger.revokeKey(id: try old.publicKey.keyID, reason: "leaked")
        let payload = SignaturePayload(repository: repository, digest: try digest("c"))
        _ = try ledger.importSignature(repository: repository, digest: try digest("c"), payload: payload.bytes, payloadSource: "p",
                                       signature: try late.sign(payload.bytes), signatureSource: "s")
        _ = try ledger.trust(try late.publicKey, name: "late")  // verifies the signature recorded before it
        return (ledger, path, try ci.publicKey.keyID, try old.publicKey.keyID)
    }

    @Test("an untouched ledger verifies, the verification a later key made included")
    func intact() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (ledger, _, _, _) = try Self.ledger(directory)
        let verification = try ledger.verifyLog(logKey: nil)
        #expect(verification.intact, "\(verification.problem ?? "")")
        #expect(try ledger.store.signatureVerifications().count == 3)
    }

    @Test("a verification moved to another key, deleted or inserted in the file is reported", arguments: [
        // The revoked key's signature made to count again by naming the trusted key instead.
        ("moved", "DROP TRIGGER signature_verification_is_append_only_update; UPDATE signature_verification SET key_id = '<ci>' WHERE key_id = '<old>'",
         "inserted directly"),
        ("deleted", "DROP TRIGGER signature_verification_is_append_only_delete; DELETE FROM signature_verification WHERE key_id = '<ci>'",
         "was deleted"),
        ("inserted", "INSERT INTO signature_verification SELECT id, '<ci>', 'x' FROM signature WHERE id = 2", "inserted directly"),
    ])
    func tampered(_ what: String, _ sql: String, _ problem: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (ledger, path, ci, old) = try Self.ledger(directory)
        let edit = sql.replacingOccurrences(of: "<ci>", with: ci).replacingOccurrences(of: "<old>", with: old)
        let result = try Tool.run("/usr/bin/sqlite3", [path, edit])
        try #require(result.status == 0, "\(result.output)")
        let verification = try ledger.verifyLog(logKey: nil)
        #expect(!verification.intact, "\(what)")
        #expect(verification.problem?.contains("verification of signature") == true, "\(what): \(verification.problem ?? "")")
        #expect(verification.problem?.contains(problem) == true, "\(what): \(verification.problem ?? "")")
    }

    @Test("the schema refuses to change or remove a verification")
    func appendOnly() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (_, path, _, _) = try Self.ledger(directory)
        for sql in ["UPDATE signature_verification SET verified_at = 'x'", "DELETE FROM signature_verification"] {
            let result = try Tool.run("/usr/bin/sqlite3", [path, sql])
            #expect(result.status != 0, "\(sql)")
            #expect(result.output.contains("append-only"), "\(sql): \(result.output)")
        }
    }
}
