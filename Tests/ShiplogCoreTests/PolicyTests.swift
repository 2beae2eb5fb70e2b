import Foundation
import ShiplogCore
import Testing

/// Policy documents as `policy set` reads them, and the rules as the gate and goodness apply them.
@Suite("Policy: documents and rules")
struct PolicyTests {
    static func parse(_ json: String) throws -> Policy {
        try Policy(parsing: try JSONInput.value(from: Data(json.utf8), source: "p.json"), source: "p.json")
    }

    static let repository = "registry.digitalocean.com/the-shop-infra/gateway"
    static let digest = "sha256:" + String(repeating: "a", count: 64)
    static let now = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)

    static func facts(signers: [String] = [], attestations: [PolicyFacts.Attested] = [], soakedHoursAgo: Int? = nil,
                      passed: Set<String>? = nil, repository: String = repository) -> PolicyFacts {
        PolicyFacts(repository: repository, digest: digest,
                    signers: signers.map { PolicyFacts.Signer(keyID: "sha256:" + $0, name: $0) }, attestations: attestations,
                    soakedSince: soakedHoursAgo.map { Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch - Int64($0) * 3_600_000) },
                    passedChecks: passed)
    }

    /// The contract's example, as JSON.
    static let reference = #"""
        {"mode":"enforce","repositories":["registry.digitalocean.com/the-shop-infra/*"],
         "signatures":{"min":2,"keys":["ci","release-manager"]},
         "attestations":[{"type":"https://slsa.dev/provenance/v1","keys":["ci"],
                          "match":{"buildDefinition.externalParameters.workflow.repository":"https://github.com/the-shop/infra"}}],
         "checks":["health","mcp-tools","e2e"],"soak":{"environment":"staging","duration":"1h"}}
        """#

    @Test("the contract's example reads whole, and its document is canonical")
    func referencePolicy() throws {
        let policy = try Self.parse(Self.reference)
        #expect(policy.mode == .enforce)
        #expect(policy.signatures == Policy.SignatureRule(min: 2, keys: ["ci", "release-manager"]))
        #expect(policy.attestations.count == 1)
        #expect(policy.attestations.first?.match.first?.segments == ["buildDefinition", "externalParameters", "workflow", "repository"])
        #expect(policy.checks == ["health", "mcp-tools", "e2e"])
        #expect(policy.soak?.duration.seconds == 3_600)
        #expect(policy.keyReferences.map(\.field) == ["signatures.keys[0]", "signatures.keys[1]", "attestations[0].keys[0]"])
        // Reading the document back gives the same policy.
        #expect(try Policy(parsing: policy.document, source: "again") == policy)
    }

    /// Each bad document names its field; the issue's list first.
    static let badDocuments: [(json: String, field: String?, reason: String)] = [
        (#"{"signatures":{"min":-1}}"#, "signatures.min", "at least one"),
        (#"{"signatures":{"min":3,"keys":["a","b"]}}"#, "signatures.min", "more signatures than the 2 keys"),
        (#"{"signatures":{"min":1.5}}"#, "signatures.min", "whole number"),
        (#"{"signature":{"min":1}}"#, "signature", "unknown rule"),
        (#"{"signatures":{"min":1,"count":2}}"#, "signatures.count", "unknown field"),
        (#"{"soak":{"environment":"staging","duration":"1 hour"}}"#, "soak.duration", "a duration is"),
        (#"{"soak":{"environment":"staging","duration":"0s"}}"#, "soak.duration", "longer than zero"),
        (#"{"soak":{"environment":"staging"}}"#, "soak.duration", "required"),
        (#"{"repositories":["registry.example.com/Team/*"]}"#, "repositories[0]", "lowercase"),
        (#"{"repositories":["registry.example.com/team/api:latest"]}"#, "repositories[0]", "without a tag"),
        (#"{"repositories":["registry.example.com/team/api@sha256:*"]}"#, "repositories[0]", "contains \"@\""),
        (#"{"repositories":["registry.example.com:http/team/*"]}"#, "repositories[0]", ":port is digits"),
        (#"{"repositories":[]}"#, "repositories", "refuse every image"),
        (#"{"attestations":[{"type":"https://slsa.dev/provenance/v1","match":{"buildDefinition.inputs":"x"}}]}"#,
         "attestations[0].match.buildDefinition.inputs", "has no field inputs"),
        (#"{"attestations":[{"type":"slsaprovenance02","match":{"builder.id.name":"x"}}]}"#,
         "attestations[0].match.builder.id.name", "single value"),
        (#"{"attestations":[{"type":"slsaprovenance1","match":{"a..b":"x"}}]}"#, "attestations[0].match.a..b", "joined by dots"),
        (#"{"attestations":[{"type":"slsaprovenance1","match":{"runDetails.builder.id":{"x":1}}}]}"#,
         "attestations[0].match.runDetails.builder.id", "a match value is"),
        (#"{"attestations":[{"type":"not a type"}]}"#, "attestations[0].type", "predicate-type URI"),
        (#"{"attestations":[{"keys":["ci"]}]}"#, "attestations[0].type", "required"),
        (#"{"attestations":[]}"#, "attestations", "non-empty"),
        (#"{"checks":["e2e","e2e"]}"#, "checks[1]", "listed twice"),
        (#"{"checks":[""]}"#, "checks[0]", "non-empty string"),
        (#"{"checks":["e2e\u0000"]}"#, "checks[0]", "control character"),
        (#"{"repositories":["registry.example.com/\#(String(repeating: "a", count: 260))*"]}"#, "repositories[0]", "at most 255"),
        (#"{"mode":"warn"}"#, "mode", "enforce or audit"),
        (#"["mode"]"#, nil, "expected an object"),
    ]

    @Test("a bad policy is refused naming its field", arguments: badDocuments.indices)
    func badDocument(_ index: Int) throws {
        let (json, field, reason) = Self.badDocuments[index]
        do {
            _ = try Self.parse(json)
            Issue.record("accepted \(json)")
        } catch let error as InvalidInput {
            #expect(error.field == field, "\(error)")
            #expect(error.description.contains(reason), "\(error)")
            #expect(error.source == "p.json")
        }
    }

    @Test("durations as Kargo writes them", arguments: [("1h", 3_600), ("90m", 5_400), ("1h30m", 5_400), ("2d", 172_800), ("45s", 45)])
    func duration(_ text: String, _ seconds: Int64) throws {
        #expect(try PolicyDuration(parsing: text).seconds == seconds)
    }

    @Test("durations that are not", arguments: ["", "1", "h", "1 h", "-1h", "1H", "1.5h", "1y", "99999999999d"])
    func badDuration(_ text: String) {
        #expect(throws: ValueError.self) { try PolicyDuration(parsing: text) }
    }

    @Test("signatures: distinct listed keys, as many as min")
    func signatures() throws {
        let policy = try Self.parse(#"{"signatures":{"min":2,"keys":["ci","release-manager"]}}"#)
        #expect(policy.violations(Self.facts(signers: ["ci", "release-manager"]), at: Self.now).isEmpty)
        let one = policy.violations(Self.facts(signers: ["ci", "someone-else"]), at: Self.now)
        #expect(one.map(\.rule) == [.signatures])
        #expect(one.first?.detail.contains("has 1 (ci)") == true)
        // By key id as well as by name.
        let byID = try Self.parse(#"{"signatures":{"keys":["sha256:ci"]}}"#)
        #expect(byID.violations(Self.facts(signers: ["ci"]), at: Self.now).isEmpty)
        // Any trusted key when none are listed.
        let any = try Self.parse(#"{"signatures":{"min":2}}"#)
        #expect(any.violations(Self.facts(signers: ["a", "b"]), at: Self.now).isEmpty)
        #expect(any.violations(Self.facts(signers: ["a"]), at: Self.now).count == 1)
    }

    @Test("attestations: type, signer and every match must hold on one attestation")
    func attestations() throws {
        let policy = try Self.parse(Self.reference)
        func provenance(_ repository: String, by signer: String, type: String = PredicateType.slsaProvenance1) -> PolicyFacts.Attested {
            PolicyFacts.Attested(predicateType: type, signer: PolicyFacts.Signer(keyID: "sha256:" + signer, name: signer),
                                 predicate: .object(["buildDefinition": .object(["externalParameters": .object([
                                     "workflow": .object(["repository": .string(repository)])])])]))
        }
        let good = Self.facts(signers: ["ci", "release-manager"], attestations: [provenance("https://github.com/the-shop/infra", by: "ci")],
                              soakedHoursAgo: 2, passed: ["health", "mcp-tools", "e2e"])
        #expect(policy.violations(good, at: Self.now).isEmpty)
        var other = good
        other.attestations = [provenance("https://github.com/someone/fork", by: "ci")]
        let mismatch = policy.violations(other, at: Self.now)
        #expect(mismatch.map(\.rule) == [.attestations])
        #expect(mismatch.first?.detail.contains("found https://github.com/someone/fork") == true, "\(mismatch)")
        other.attestations = [provenance("https://github.com/the-shop/infra", by: "release-manager")]
        #expect(policy.violations(other, at: Self.now).first?.detail.contains("signed by ci") == true)
        other.attestations = [provenance("https://github.com/the-shop/infra", by: "ci", type: PredicateType.slsaProvenance02)]
        #expect(policy.violations(other, at: Self.now).first?.detail.contains("no valid https://slsa.dev/provenance/v1") == true)
        // A glob as the value.
        let glob = try Self.parse(#"{"attestations":[{"type":"slsaprovenance1","match":{"buildDefinition.externalParameters.workflow.repository":"https://github.com/the-shop/*"}}]}"#)
        #expect(glob.violations(good, at: Self.now).isEmpty)
    }

    @Test("checks: a missing check is not a pass; soak: long enough ago; repositories: globs")
    func checksSoakRepositories() throws {
        let policy = try Self.parse(#"{"repositories":["registry.digitalocean.com/the-shop-infra/*"],"checks":["health","e2e"],"soak":{"environment":"staging","duration":"1h"}}"#)
        let base = Self.facts(soakedHoursAgo: 2, passed: ["health", "e2e"])
        #expect(policy.violations(base, at: Self.now).isEmpty)
        var facts = base
        facts.passedChecks = ["health"]
        #expect(policy.violations(facts, at: Self.now).map(\.detail) == ["no pass recorded for e2e"])
        // The gate does not ask for checks (nothing ran yet): nil passed checks.
        facts.passedChecks = nil
        #expect(policy.violations(facts, at: Self.now).isEmpty)
        facts.soakedSince = Timestamp(millisecondsSinceEpoch: Self.now.millisecondsSinceEpoch - 59 * 60_000)
        #expect(policy.violations(facts, at: Self.now).map(\.rule) == [.soak])
        facts.soakedSince = nil
        #expect(policy.violations(facts, at: Self.now).first?.detail == "no good deploy of this digest in staging")
        let elsewhere = Self.facts(soakedHoursAgo: 2, passed: ["health", "e2e"], repository: "ghcr.io/someone/gateway")
        #expect(policy.violations(elsewhere, at: Self.now).map(\.rule) == [.repositories])
        // Only the rules asked for.
        #expect(policy.violations(elsewhere, at: Self.now, rules: Policy.goodnessRules).isEmpty)
    }

    @Test("audit mode allows with the violations listed")
    func auditMode() throws {
        let policy = try Self.parse(#"{"mode":"audit","signatures":{"min":1}}"#)
        let decision = PolicyDecision(environment: "prod", repository: Self.repository, digest: Self.digest, mode: policy.mode, policyVersion: 1,
                                      violations: policy.violations(Self.facts(), at: Self.now))
        #expect(decision.allowed)
        #expect(decision.violations.map(\.rule) == [.signatures])
        let enforced = PolicyDecision(environment: "prod", repository: Self.repository, digest: Self.digest, mode: .enforce, policyVersion: 1,
                                      violations: decision.violations)
        #expect(!enforced.allowed)
    }

    @Test("stored violations read back as written")
    func violationsRoundTrip() {
        let violations = [PolicyViolation(rule: .soak, detail: "quote \" and <b>"), PolicyViolation(rule: .checks, detail: "x")]
        #expect(PolicyViolation.parse(PolicyViolation.json(violations)) == violations)
        #expect(PolicyViolation.json([]) == "[]")
    }
}
