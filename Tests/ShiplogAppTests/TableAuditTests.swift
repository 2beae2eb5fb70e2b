import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogCrypto
import ShiplogStore
import ShiplogTestSupport
import Testing

/// Every table an answer depends on is held to the log by `log verify`: an edit made in the file that would
/// change what is live, good or signed, or what the rollback job redeploys, is reported.
@Suite("log verify holds every answer's tables to the log")
struct TableAuditTests {
    static let repository = "registry.example.com/acme/api"

    /// A ledger with a slotted, protected environment, a switch, checks (one failing), two deploys of one
    /// service in one slot, a refused deploy, a bad mark, a trusted key and a registry push.
    static func ledger(_ directory: TemporaryDirectory) throws -> (ReleaseLedger, String) {
        let path = directory.path("l.sqlite")
        let ledger = ReleaseLedger(store: try SQLiteLedger(path: path))
        let repository = try Repository(parsing: Self.repository)
        func digest(_ byte: String) throws -> Digest { try Digest(parsing: "sha256:" + String(repeating: byte, count: 64)) }
        let key = try PrivateKey.generate(.ecdsaP256)
        _ = try ledger.trust(try key.publicKey, name: "ci")
        for (tag, byte) in [("v1", "a"), ("v2", "b")] {
            _ = try ledger.recordBuild(NewBuild(service: "api", repository: repository, tag: tag, digest: try digest(byte)))
            _ = try ledger.sign(repository: repository, digest: try digest(byte), with: key)
        }
        _ = try ledger.importAttestations(try AttestationTests.envelope(Self.repository, try digest("a"), key: key), source: "e",
                                          target: .image(repository, try digest("a")))
        _ = try ledger.createEnvironment(name: "prod", slots: ["blue", "green"], requireSignature: true)
        for tag in ["v1", "v2"] {
            guard case let .started(deploy) = try ledger.startDeploy(environment: "prod", slot: "blue", service: "api",
                                                                     image: try ImageReference(parsing: "\(Self.repository):\(tag)"), actor: "ci")
            else { throw LedgerError.storage("refused") }
            _ = try ledger.finishDeploy(id: deploy.id, state: .succeeded)
            _ = try ledger.checkDeploy(id: deploy.id, name: "e2e", status: tag == "v2" ? .fail : .pass, detail: "run \(tag)")
        }
        _ = try ledger.switchSlot(environment: "prod", to: "green", actor: "ops")
        _ = try ledger.startDeploy(environment: "prod", slot: "green", service: "api",
                                   image: try ImageReference(parsing: "\(Self.repository)@\(try digest("c"))"), actor: "ci")  // unsigned: refused
        try ledger.markBad(repository: repository, digest: try digest("b"), reason: "CVE-2026-1")
        _ = try ledger.ingestRegistryEvents(RegistryEventTests.envelope([
            ("p1", "push", "latest", "sha256:" + String(repeating: "d", count: 64), RegistryEventTests.manifest, 10, "2026-11-20T10:00:00Z"),
        ]), source: "push.json")
        try ledger.recordDeletions([ManifestDeletion(repository: repository, digest: try digest("d"), reason: "retention")])
        // A build that moves the pushed tag: one closed interval of tag history.
        _ = try ledger.recordBuild(NewBuild(service: "api", repository: repository, tag: "latest", digest: try digest("e")))
        return (ledger, path)
    }

    @Test("an untouched ledger verifies")
    func intact() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (ledger, _) = try Self.ledger(directory)
        let verification = try ledger.verifyLog(logKey: nil)
        #expect(verification.intact, "\(verification.problem ?? "")")
    }

    @Test("an edit that changes an answer is reported, naming the row", arguments: [
        ("a failed check flipped to pass (live becomes good)", "UPDATE deploy_check SET status = 'pass' WHERE status = 'fail'", "check 2"),
        ("a failing check deleted", "DELETE FROM deploy_check WHERE status = 'fail'", "check 2"),
        ("protection switched off", "UPDATE environment SET require_signature = 0", "environment prod"),
        ("the active slot moved", "UPDATE environment SET active_slot = 'blue'", "environment prod"),
        ("a traffic switch rewritten", "UPDATE traffic_switch SET to_slot = 'blue'", "traffic switch 1"),
        ("a tag pointed at another digest", "UPDATE tag SET digest = 'sha256:' || hex(zeroblob(32)) WHERE tag = 'v2'", "tag \(repository):v2"),
        ("a tag removed", "DELETE FROM tag WHERE tag = 'latest'", ":latest"),
        ("live pointed at an older deploy", "UPDATE live_deploy SET deploy_id = 1 WHERE slot = 'blue'", "live deploy prod/blue/api"),
        ("a key renamed", "UPDATE key SET name = 'release-manager'", "key sha256:"),
        ("an attestation's statement rewritten", "UPDATE attestation SET statement = CAST('{}' AS BLOB)", "attestation 1 was edited"),
        ("an attestation moved to another image", "UPDATE attestation SET digest = 'sha256:' || hex(zeroblob(32))", "attestation 1 was edited"),
        ("an attestation deleted", "DELETE FROM attestation", "attestation 1"),
        ("an attestation inserted", "INSERT INTO attestation (repository, digest, predicate_type, statement, envelope, signer_key_id, source, "
            + "fingerprint, recorded_at) SELECT repository, digest, predicate_type, statement, envelope, signer_key_id, source, "
            + "hex(randomblob(32)), recorded_at FROM attestation", "attestation 2"),
        ("a manifest deletion's reason rewritten", "UPDATE manifest_deletion SET reason = 'never happened'", "manifest deletion 1 was edited"),
        ("a manifest deletion erased", "DELETE FROM manifest_deletion", "manifest deletion 1"),
        ("a bad mark's reason rewritten", "UPDATE bad_image SET reason = 'false alarm'", "bad mark"),
        ("a refusal deleted", "DELETE FROM deploy_refusal", "refused deploy 1"),
        ("a deploy moved to another slot", "UPDATE deploy SET slot = 'green' WHERE id = 1", "deploy 1 was edited in the tables: slot"),
        ("a deploy's tag rewritten", "UPDATE deploy SET tag = 'v9' WHERE id = 1", "deploy 1 was edited in the tables: tag"),
        ("a deploy's actor rewritten", "UPDATE deploy SET actor = 'someone-else' WHERE id = 1", "deploy 1 was edited in the tables: actor"),
        ("a deploy's time rewritten", "UPDATE deploy SET started_at = '2020-01-01T00:00:00Z' WHERE id = 1", "deploy 1 was edited in the tables: started_at"),
        ("a deploy's finish time rewritten", "UPDATE deploy SET finished_at = '2020-01-01T00:00:00Z' WHERE id = 1", "finished_at"),
        ("a check's time rewritten", "UPDATE deploy_check SET checked_at = '2020-01-01T00:00:00Z'", "checked_at"),
        ("a refusal's time rewritten", "UPDATE deploy_refusal SET refused_at = '2020-01-01T00:00:00Z'", "refused deploy 1 was edited in the tables: refused_at"),
        ("a bad mark's time rewritten", "UPDATE bad_image SET marked_at = '2020-01-01T00:00:00Z'", "marked_at"),
        ("a switch's time rewritten", "UPDATE traffic_switch SET switched_at = '2020-01-01T00:00:00Z'", "switched_at"),
        ("when a tag moved rewritten", "UPDATE tag SET since = '2020-01-01T00:00:00Z' WHERE tag = 'latest'", "tag \(repository):latest was edited in the tables: since"),
        ("a history interval's start rewritten", "UPDATE tag_history SET valid_from = '2020-01-01T00:00:00Z'", "tag history interval 1 was edited"),
        ("a history interval pointed at another digest", "UPDATE tag_history SET digest = 'sha256:' || hex(zeroblob(32))", "tag history interval 1 was edited"),
        ("a history interval deleted", "DELETE FROM tag_history", "tag history interval 1"),
        ("a history interval inserted", "INSERT INTO tag_history (repository, tag, digest, valid_from, valid_to) "
            + "SELECT repository, 'v0', digest, valid_from, valid_to FROM tag_history", "tag history interval 2"),
    ])
    func tampered(_ what: String, _ sql: String, _ row: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (ledger, path) = try Self.ledger(directory)
        // As an attacker with the file would: drop the append-only triggers first.
        let triggers = try Tool.run("/usr/bin/sqlite3", [path, "SELECT 'DROP TRIGGER ' || name || ';' FROM sqlite_master WHERE type = 'trigger'"])
        let edited = try Tool.run("/usr/bin/sqlite3", [path, triggers.output + sql])
        try #require(edited.status == 0, "\(edited.output)")
        let verification = try ledger.verifyLog(logKey: nil)
        #expect(!verification.intact, "\(what)")
        #expect(verification.problem?.contains(row) == true, "\(what): \(verification.problem ?? "")")
    }
}
