import Foundation
import ShiplogTestSupport
import Testing

@Suite("shiplog CLI: deploys")
struct DeployEndToEndTests {
    static let image = "registry.example.com/acme/gateway@sha256:" + String(repeating: "ab", count: 32)

    @Test("exit codes: gate refusal 1, no LKG 1, finishing twice 65, unknown deploy 65, contract shapes")
    func exitCodes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shiplog = ShiplogBinary(database: directory.path("ledger.sqlite"))
        #expect(try shiplog.run(["env", "create", "prod", "--require-signature"]).status == 0)
        #expect(try shiplog.run(["env", "create", "dev"]).status == 0)
        let refused = try shiplog.run(["deploy", "start", "--env", "prod", "--service", "gateway", "--digest", Self.image])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("no-signature"))
        let started = try #require(try shiplog.json(["deploy", "start", "--env", "dev", "--service", "gateway", "--digest", Self.image])
            as? [String: Any])
        for key in ["deploy_id", "environment", "slot", "service", "repository", "tag", "digest", "state"] {
            #expect(started.keys.contains(key), "deploy start --json lacks \(key)")
        }
        #expect(started["state"] as? String == "in_progress")
        let id = try #require(started["deploy_id"] as? Int)
        #expect(try shiplog.run(["lkg", "dev", "--service", "gateway"]).status == 1)
        #expect(try shiplog.run(["deploy", "finish", String(id), "--status", "succeeded"]).status == 0)
        #expect(try shiplog.run(["deploy", "finish", String(id), "--status", "failed"]).status == 65)
        #expect(try shiplog.run(["deploy", "check", "4242", "--name", "health", "--status", "pass"]).status == 65)
        #expect(try shiplog.run(["deploy", "check", String(id), "--name", "health", "--status", "maybe"]).status == 64)
        let lkg = try #require(try shiplog.json(["lkg", "dev", "--service", "gateway"]) as? [String: Any])
        #expect(Set(lkg.keys).isSuperset(of: ["environment", "service", "repository", "tag", "digest", "deploy_id", "deployed_at"]))
        let live = try #require(try shiplog.json(["live", "dev"]) as? [String: Any])
        let services = try #require(live["services"] as? [[String: Any]])
        try #require(services.count == 1)
        #expect(services[0]["good"] as? Bool == true)
        #expect(Set(services[0].keys).isSuperset(of: ["service", "repository", "tag", "digest", "deploy_id", "state", "good", "deployed_at"]))
        #expect(try shiplog.run(["image", "mark-bad", Self.image, "--reason", "CVE"]).status == 0)
        let plan = try #require(try shiplog.json(["rollback-plan", "dev"]) as? [String: Any])
        let actions = try #require(plan["actions"] as? [[String: Any]])
        try #require(actions.count == 1)
        #expect(actions[0]["action"] as? String == "no-good-deploy")
        #expect(try shiplog.run(["live", "nowhere"]).status == 65)
    }
}
