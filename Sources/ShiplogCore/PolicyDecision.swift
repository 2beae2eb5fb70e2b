import Foundation

/// One rule a digest does not meet, as `policy check` and a refused deploy list them.
package struct PolicyViolation: Sendable, Hashable, Codable {
    package var rule: PolicyRule
    package var detail: String

    package init(rule: PolicyRule, detail: String) {
        self.rule = rule
        self.detail = detail
    }

    /// The reason a refusal by policy is recorded under (a signature refusal keeps its verification reason).
    package static let refusalReason = "policy-violation"

    /// Violations as the ledger stores and logs them: a canonical JSON array.
    package static func json(_ violations: [PolicyViolation]) -> String {
        "[" + violations.map { CanonicalJSON.object(["rule": $0.rule.rawValue, "detail": $0.detail]) }.joined(separator: ",") + "]"
    }

    /// Reads what `json` wrote; a stored text that is not that is read as no violations (`log verify` compares the text).
    package static func parse(_ text: String) -> [PolicyViolation] {
        if text == "[]" { return [] }  // nearly every deploy's: read on every live and lkg, so spared the parser
        guard case let .array(items)? = try? JSONInput.value(from: Data(text.utf8), source: "stored violations") else { return [] }
        return items.compactMap { item in
            guard let rule = item["rule"]?.stringValue.flatMap(PolicyRule.init(rawValue:)), let detail = item["detail"]?.stringValue else { return nil }
            return PolicyViolation(rule: rule, detail: detail)
        }
    }
}

/// A policy's answer for one digest in one environment: `{"environment","repository","digest","allowed","mode",
/// "policy_version","violations"}`. In audit mode a digest with violations is still allowed.
package struct PolicyDecision: Sendable, Hashable, Encodable {
    package var environment: String
    package var repository: String
    package var digest: String
    package var allowed: Bool
    package var mode: Policy.Mode
    /// The version of the environment's policy that decided; nil for the `--require-signature` shorthand.
    @Nullable package var policyVersion: Int64?
    package var violations: [PolicyViolation]

    package init(environment: String, repository: String, digest: String, mode: Policy.Mode, policyVersion: Int64?,
                 violations: [PolicyViolation]) {
        self.environment = environment
        self.repository = repository
        self.digest = digest
        self.mode = mode
        self.policyVersion = policyVersion
        self.violations = violations
        allowed = violations.isEmpty || mode == .audit
    }

    /// The one line every door shows for a refusal.
    package var summary: String {
        violations.map { "\($0.rule.rawValue): \($0.detail)" }.joined(separator: "; ")
    }
}

/// What the ledger knows about a digest that a policy judges, gathered by the application layer.
package struct PolicyFacts: Sendable {
    /// A trusted key that is not revoked, as rules name keys: by name or by key id.
    package struct Signer: Sendable, Hashable {
        package var keyID: String
        package var name: String

        package init(keyID: String, name: String) {
            self.keyID = keyID
            self.name = name
        }

        func isNamed(by reference: String) -> Bool { reference == keyID || reference == name }
    }

    /// A valid attestation: signed by a trusted, unrevoked key over a statement naming the digest.
    package struct Attested: Sendable {
        package var predicateType: String
        package var signer: Signer
        package var predicate: JSONValue

        package init(predicateType: String, signer: Signer, predicate: JSONValue) {
            self.predicateType = predicateType
            self.signer = signer
            self.predicate = predicate
        }
    }

    package var repository: String
    package var digest: String
    /// Distinct keys with a valid signature over the digest.
    package var signers: [Signer]
    package var attestations: [Attested]
    /// When the oldest good deploy of the digest into the soak environment started; nil when there is none.
    package var soakedSince: Timestamp?
    /// The checks that passed on the deploy being judged; nil before there is a deploy (the gate, `policy check`).
    package var passedChecks: Set<String>?

    package init(repository: String, digest: String, signers: [Signer], attestations: [Attested], soakedSince: Timestamp?,
                 passedChecks: Set<String>?) {
        self.repository = repository
        self.digest = digest
        self.signers = signers
        self.attestations = attestations
        self.soakedSince = soakedSince
        self.passedChecks = passedChecks
    }
}

extension Policy {
    /// The rules the gate applies before a deploy: checks cannot have passed yet.
    package static let admissionRules: Set<PolicyRule> = [.repositories, .signatures, .attestations, .soak]
    /// The rules that decide whether a recorded deploy is good, judged now (a revocation counts at once); where an
    /// image came from and how long it soaked were the gate's questions.
    package static let goodnessRules: Set<PolicyRule> = [.signatures, .attestations, .checks]

    /// Every rule of `rules` the facts do not meet, judged at `time` (for soak), in rule order.
    package func violations(_ facts: PolicyFacts, at time: Timestamp, rules: Set<PolicyRule> = Set(PolicyRule.allCases)) -> [PolicyViolation] {
        var found: [PolicyViolation] = []
        if rules.contains(.repositories), let repositories, !repositories.contains(where: { $0.matches(facts.repository) }) {
            found.append(PolicyViolation(rule: .repositories, detail: "\(facts.repository) matches none of "
                + repositories.map(\.description).joined(separator: ", ")))
        }
        if rules.contains(.signatures), let signatures {
            let counted = facts.signers.filter { signer in signatures.keys.isEmpty || signatures.keys.contains(where: signer.isNamed) }
            if counted.count < signatures.min {
                let listed = signatures.keys.joined(separator: ", ")
                let needs = switch (signatures.min, signatures.keys.isEmpty) {
                case (1, true): "a valid signature by a trusted key"
                case (1, false): "a valid signature by one of \(listed)"
                case (_, true): "valid signatures by \(signatures.min) distinct trusted keys"
                case (_, false): "valid signatures by \(signatures.min) distinct keys of \(listed)"
                }
                let have = counted.isEmpty ? "none" : counted.map(\.name).sorted().joined(separator: ", ")
                found.append(PolicyViolation(rule: .signatures, detail: "needs \(needs); has \(counted.count) (\(have))"))
            }
        }
        if rules.contains(.attestations) {
            for rule in attestations {
                let typed = facts.attestations.filter { $0.predicateType == rule.type }
                let signed = typed.filter { item in rule.keys.isEmpty || rule.keys.contains(where: item.signer.isNamed) }
                if signed.contains(where: { item in rule.match.allSatisfy { $0.holds(in: item.predicate) } }) { continue }
                let by = rule.keys.isEmpty ? "a trusted key" : rule.keys.joined(separator: " or ")
                let detail: String
                if typed.isEmpty {
                    detail = "no valid \(rule.type) attestation"
                } else if signed.isEmpty {
                    detail = "no \(rule.type) attestation signed by \(by)"
                } else {
                    let failing = rule.match.first { match in !signed.contains { match.holds(in: $0.predicate) } }
                    let seen = failing.flatMap { match in signed.lazy.compactMap { match.value(in: $0.predicate) }.first }
                    detail = "the \(rule.type) attestation by \(by) does not match \(failing?.path ?? "the rule"): "
                        + "expected \(failing?.expected.shortText ?? "-"), found \(seen?.shortText ?? "nothing")"
                }
                found.append(PolicyViolation(rule: .attestations, detail: detail))
            }
        }
        if rules.contains(.checks), let passed = facts.passedChecks {
            let missing = checks.filter { !passed.contains($0) }
            if !missing.isEmpty {
                found.append(PolicyViolation(rule: .checks, detail: "no pass recorded for " + missing.joined(separator: ", ")))
            }
        }
        if rules.contains(.soak), let soak {
            let needed = Timestamp(millisecondsSinceEpoch: time.millisecondsSinceEpoch - soak.duration.seconds * 1_000)
            if let since = facts.soakedSince {
                if needed < since {
                    found.append(PolicyViolation(rule: .soak, detail:
                        "good in \(soak.environment) since \(since), less than \(soak.duration) before \(time)"))
                }
            } else {
                found.append(PolicyViolation(rule: .soak, detail: "no good deploy of this digest in \(soak.environment)"))
            }
        }
        return found
    }
}
