import Foundation
import ShiplogTestSupport
import Testing

/// `live` and `rollback-plan` as the deploy and rollback jobs feed them to docker compose: `--format compose` checked
/// against the Compose Specification's own schema (PyPI's check-jsonschema, `vendor.compose-spec`), `--format env`.
@Suite("--format compose and env, end to end")
struct ComposeFormatEndToEndTests {
    @Test("a failing service rolls back to its LKG, the good one keeps its live image; byte-stable; valid compose")
    func rollbackOverride() throws {
        let checker = try Tool.run("/usr/bin/env", ["sh", "-c", "command -v check-jsonschema"])
        try #require(checker.status == 0, "python3 -m pip install check-jsonschema")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shiplog = ShiplogBinary(database: directory.path("ledger.sqlite"))
        let registry = "registry.digitalocean.com/the-shop-infra"
        func digest(_ text: String) -> String { "sha256:" + String(repeating: text, count: 64 / text.count) }
        for (service, versions) in [("gateway", ["a1", "a2"]), ("feature-dev", ["b1"]), ("rag", ["c1"])] {
            for (index, version) in versions.enumerated() {
                try shiplog.run(["build", "record", "--service", service, "--image", "\(registry)/\(service):v\(index + 1)", "--digest", digest(version)])
            }
        }
        try shiplog.run(["env", "create", "prod"])
        func deploy(_ service: String, _ tag: String, check: String, finish: Bool = true) throws {
            let started = try #require(try shiplog.json(["deploy", "start", "--env", "prod", "--service", service, "--image", "\(registry)/\(service):\(tag)"])
                as? [String: Any])
            let id = String(try #require(started["deploy_id"] as? Int))
            try shiplog.run(["deploy", "check", id, "--name", "health", "--status", check])
            if finish { try shiplog.run(["deploy", "finish", id, "--status", "succeeded"]) }
        }
        try deploy("gateway", "v1", check: "pass")
        try deploy("feature-dev", "v1", check: "pass")
        try deploy("gateway", "v2", check: "fail")
        try deploy("rag", "v1", check: "fail")  // never good: nothing to roll back to

        // The comment carries the plan's own reason for rag (its JSON says it; the format only repeats it).
        let plan = try #require(try shiplog.json(["rollback-plan", "prod"]) as? [String: Any])
        let ragAction = try #require((plan["actions"] as? [[String: Any]])?.first { $0["service"] as? String == "rag" })
        #expect(ragAction["action"] as? String == "no-good-deploy")
        let ragReason = try #require(ragAction["reason"] as? String)
        let override = try shiplog.run(["rollback-plan", "prod", "--format", "compose"])
        #expect(override.status == 0, "\(override.stderr)")
        #expect(override.stdout == """
            services:
              feature-dev:
                image: "\(registry)/feature-dev:v1@\(digest("b1"))"
              gateway:
                image: "\(registry)/gateway:v1@\(digest("a1"))"
              # rag: \(ragReason); left as the base file has it

            """, "\(override.stdout)")
        #expect(try shiplog.run(["rollback-plan", "prod", "--format", "compose"]).stdout == override.stdout, "byte-stable")
        let file = directory.path("rollback.yml")
        try override.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let valid = try Tool.run("/usr/bin/env", ["check-jsonschema", "--builtin-schema", "vendor.compose-spec", file])
        #expect(valid.status == 0, "\(valid.output)")

        let live = try shiplog.run(["live", "prod", "--format", "env"])
        #expect(live.stdout == """
            FEATURE_DEV_IMAGE=\(registry)/feature-dev:v1@\(digest("b1"))
            GATEWAY_IMAGE=\(registry)/gateway:v2@\(digest("a2"))
            RAG_IMAGE=\(registry)/rag:v1@\(digest("c1"))

            """, "\(live.stdout)")
        let liveCompose = directory.path("live.yml")
        try (try shiplog.run(["live", "prod", "--format", "compose"])).stdout.write(toFile: liveCompose, atomically: true, encoding: .utf8)
        #expect(try Tool.run("/usr/bin/env", ["check-jsonschema", "--builtin-schema", "vendor.compose-spec", liveCompose]).status == 0)
        let bad = try shiplog.run(["live", "prod", "--format", "helm"])
        #expect(bad.status == 64, "an unknown format is a usage error: \(bad.stderr)")
    }
}
