import Foundation
import ShiplogTestSupport
import Testing

/// `policy set|show|check|audit`, a refused deploy and `promote` through the real binary, locally and against a
/// server: a YAML policy as a person writes it, exit codes as the contract says, the compose override checked
/// against the Compose Specification's schema, bad policies exit 65 with the ledger byte for byte unchanged.
@Suite("policy and promote, end to end", .serialized)
struct PolicyEndToEndTests {
    static let registry = "registry.digitalocean.com/the-shop-infra"
    static func digest(_ text: String) -> String { "sha256:" + String(repeating: text, count: 64 / text.count) }

    static let prodYAML = """
        # prod: two signers, the checks of validate-tracing's three phases
        mode: enforce
        repositories:
          - "registry.digitalocean.com/the-shop-infra/*"
        signatures: {min: 2, keys: [ci, release-manager]}
        checks: [health, mcp-tools, e2e]
        soak: {environment: staging, duration: 1s}
        """

    /// Two keys in the trust store, staging and prod, gateway and rag built; the private keys' paths.
    static func setUp(_ shiplog: ShiplogBinary, in directory: TemporaryDirectory) throws -> (ci: String, releaseManager: String) {
        var keys: [String] = []
        for name in ["ci", "release-manager"] {
            let key = directory.path("\(name).key")
            try #require(try Tool.run("/usr/bin/openssl", ["genpkey", "-algorithm", "ed25519", "-out", key]).status == 0)
            try #require(try Tool.run("/usr/bin/openssl", ["pkey", "-in", key, "-pubout", "-out", key + ".pub"]).status == 0)
            try shiplog.run(["keys", "add", key + ".pub", "--name", name])
            keys.append(key)
        }
        for (service, version) in [("gateway", "a1"), ("rag", "b1")] {
            try shiplog.run(["build", "record", "--service", service, "--image", "\(registry)/\(service):v1", "--digest", digest(version)])
        }
        try shiplog.run(["env", "create", "staging"])
        try shiplog.run(["env", "create", "prod"])
        return (keys[0], keys[1])
    }

    @discardableResult
    static func deploy(_ shiplog: ShiplogBinary, _ env: String, _ service: String, checks: [String]) throws -> ShiplogBinary.Result {
        let started = try shiplog.run(["deploy", "start", "--env", env, "--service", service, "--image", "\(registry)/\(service):v1"])
        guard started.status == 0 else { return started }
        let id = started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        for check in checks { try shiplog.run(["deploy", "check", id, "--name", check, "--status", "pass"]) }
        return try shiplog.run(["deploy", "finish", id, "--status", "succeeded"])
    }

    @Test("the reference team's prod policy from YAML: check and deploy refused until met, then promote, audit, compose")
    func referenceFlow() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = directory.path("ledger.sqlite")
        let shiplog = ShiplogBinary(database: database)
        let keys = try Self.setUp(shiplog, in: directory)
        let file = directory.path("prod.yaml")
        try Self.prodYAML.write(toFile: file, atomically: true, encoding: .utf8)
        let set = try shiplog.run(["policy", "set", "prod", file])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout.contains("policy v1"), "\(set.stdout)")
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(try shiplog.run(["policy", "show", "prod"]).stdout.utf8)) as? [String: Any])
        #expect((shown["policy"] as? [String: Any])?["checks"] as? [String] == ["health", "mcp-tools", "e2e"])

        let gateway = "\(Self.registry)/gateway@\(Self.digest("a1"))"
        let refused = try shiplog.run(["policy", "check", "prod", gateway, "--json"])
        #expect(refused.status == 1, "\(refused.stderr)")
        let decision = try #require(try JSONSerialization.jsonObject(with: Data(refused.stdout.utf8)) as? [String: Any])
        #expect(decision["allowed"] as? Bool == false)
        #expect((decision["violations"] as? [[String: Any]])?.compactMap { $0["rule"] as? String } == ["signatures", "soak"])
        let deployRefused = try Self.deploy(shiplog, "prod", "gateway", checks: [])
        #expect(deployRefused.status == 1)
        #expect(deployRefused.stderr.contains("deploy refused by prod's policy v1: signatures:"), "\(deployRefused.stderr)")

        for key in [keys.ci, keys.releaseManager] { try shiplog.run(["sign", gateway, "--key", key]) }
        try Self.deploy(shiplog, "staging", "gateway", checks: [])
        try Self.deploy(shiplog, "staging", "rag", checks: [])
        Thread.sleep(forTimeInterval: 1.2)  // the soak of 1s
        #expect(try shiplog.run(["policy", "check", "prod", gateway]).status == 0)

        let promotion = try #require(try shiplog.json(["promote", "--from", "staging", "--to", "prod"]) as? [String: Any])
        let actions = try #require(promotion["actions"] as? [[String: Any]])
        #expect(actions.map { $0["action"] as? String } == ["promote", "blocked"], "\(actions)")
        let override = try shiplog.run(["promote", "--from", "staging", "--to", "prod", "--format", "compose"])
        #expect(override.stdout == """
            services:
              gateway:
                image: "\(Self.registry)/gateway:v1@\(Self.digest("a1"))"
              # rag: prod's policy refuses it; left as the base file has it

            """, "\(override.stdout)")
        let composeFile = directory.path("promote.yml")
        try override.stdout.write(toFile: composeFile, atomically: true, encoding: .utf8)
        let valid = try Tool.run("/usr/bin/env", ["check-jsonschema", "--builtin-schema", "vendor.compose-spec", composeFile])
        #expect(valid.status == 0, "\(valid.output)")
        #expect(try shiplog.run(["promote", "--from", "staging", "--to", "prod", "--format", "env"]).stdout
            == "GATEWAY_IMAGE=\(Self.registry)/gateway:v1@\(Self.digest("a1"))\n# RAG_IMAGE: prod's policy refuses it\n")

        // Deployed with two of the three checks: live but not good, so the LKG is none and the audit says why.
        try Self.deploy(shiplog, "prod", "gateway", checks: ["health", "mcp-tools"])
        let live = try #require(try shiplog.json(["live", "prod"]) as? [String: Any])
        let service = try #require((live["services"] as? [[String: Any]])?.first)
        #expect(service["good"] as? Bool == false)
        #expect(service["not_good_because"] as? [String] == ["policy checks: no pass recorded for e2e"])
        #expect(try shiplog.run(["lkg", "prod", "--service", "gateway"]).status == 1)
        let audit = try #require(try shiplog.json(["policy", "audit", "prod"]) as? [String: Any])
        #expect(audit["deploys"] as? Int == 1)
        #expect(audit["not_good"] as? Int == 1)
        #expect(audit["refused"] as? Int == 0)
        #expect(try shiplog.run(["policy", "audit", "prod", "--since", "tomorrow"]).status == 65)
        let verified = try shiplog.run(["log", "verify", "--no-signatures"])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
    }

    @Test("a bad policy file is exit 65 naming the file and field, the ledger byte for byte unchanged",
          arguments: [
              ("signatures: {min: -1}\n", "signatures.min"),
              ("signatures: {min: 3, keys: [ci, release-manager]}\n", "signatures.min"),
              ("signatures: {keys: [nobody]}\n", "signatures.keys[0]"),
              ("signature: {min: 1}\n", "signature"),
              ("soak: {environment: staging, duration: 1 hour}\n", "soak.duration"),
              ("repositories: [\"registry.digitalocean.com/The-Shop/*\"]\n", "repositories[0]"),
              ("attestations:\n  - type: slsaprovenance1\n    match: {buildDefinition.nothing.here: x}\n", "attestations[0].match.buildDefinition.nothing.here"),
              ("checks: &c [e2e]\nmode: *c\n", "mode"),
              ("mode: [unclosed\n", nil),
              ("{\"checks\": [1]}", "checks[0]"),
          ] as [(String, String?)])
    func badPolicy(_ text: String, _ field: String?) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = directory.path("ledger.sqlite")
        let shiplog = ShiplogBinary(database: database)
        _ = try Self.setUp(shiplog, in: directory)
        try shiplog.run(["policy", "set", "prod", "-"], stdin: Data("checks: [e2e]\n".utf8))
        let before = try BadInputCorpusEndToEndTests.dumpHash(database)
        let file = directory.path("bad.yaml")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try shiplog.run(["policy", "set", "prod", file])
        #expect(result.status == 65, "\(text): \(result.stderr)")
        #expect(result.stderr.hasPrefix("shiplog: \(file): \(field.map { $0 + ":" } ?? "")"), "\(text): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
        #expect(try BadInputCorpusEndToEndTests.dumpHash(database) == before, "\(text)")
    }

    @Test("through a server: admin sets, a read token checks; the same answers as locally")
    func remote() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = directory.path("server.sqlite")
        let local = ShiplogBinary(database: database)
        _ = try Self.setUp(local, in: directory)
        var tokens: [String: String] = [:]
        for scope in ["admin", "read"] {
            let created = try local.json(["tokens", "create", "--name", scope, "--scope", scope])
            tokens[scope] = try #require((created as? [String: Any])?["token"] as? String)
        }
        let server = try ServerProcess(database: database)
        defer { _ = server.stop() }
        func client(_ scope: String) -> ShiplogBinary {
            ShiplogBinary(database: directory.path("unused"), environment: ["SHIPLOG_SERVER": server.url, "SHIPLOG_TOKEN": tokens[scope] ?? ""])
        }
        let file = directory.path("prod.yaml")
        try Self.prodYAML.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try client("read").run(["policy", "set", "prod", file]).status == 77, "a read token may not set a policy")
        let set = try client("admin").run(["policy", "set", "prod", file])
        #expect(set.status == 0, "\(set.stderr)")
        let bad = directory.path("bad.yaml")
        try "soak: {environment: staging, duration: 1 hour}\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try client("admin").run(["policy", "set", "prod", bad])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("\(bad): soak.duration: \"1 hour\""), "the server's error names the file: \(refused.stderr)")
        let gateway = "\(Self.registry)/gateway@\(Self.digest("a1"))"
        let remote = try client("read").run(["policy", "check", "prod", gateway, "--json"])
        let here = try local.run(["policy", "check", "prod", gateway, "--json"])
        #expect(remote.status == 1 && here.status == 1)
        #expect(remote.stdout == here.stdout)
        #expect(try client("read").run(["promote", "--from", "staging", "--to", "prod", "--json"]).stdout
            == (try local.run(["promote", "--from", "staging", "--to", "prod", "--json"])).stdout)
        let show = try client("read").run(["policy", "show", "prod"])
        #expect(show.stdout.contains("\"actor\" : \"admin\""), "the server records the token's name: \(show.stdout)")
    }
}
