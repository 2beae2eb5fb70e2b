/// An environment's policy: which images may be deployed there, and what makes a deploy there good.
/// Read from its JSON form (YAML arrives converted); every rule is checked when the policy is set, so a
/// policy in force never fails to evaluate. The shapes follow Sigstore's policy-controller and Kyverno's
/// `verifyImages`; docs/policy.md has worked examples.
package struct Policy: Sendable, Hashable {
    package enum Mode: String, Sendable, Hashable, Codable {
        /// Violations refuse the deploy and make deploys not good.
        case enforce
        /// Decisions are recorded, nothing is refused and goodness is unchanged: a policy on trial.
        case audit
    }

    /// Distinct trusted, unrevoked keys whose signatures the image must carry.
    package struct SignatureRule: Sendable, Hashable {
        package var min: Int
        /// Key names or key ids; empty: any trusted key counts.
        package var keys: [String]

        package init(min: Int, keys: [String]) {
            self.min = min
            self.keys = keys
        }
    }

    /// An attestation of `type` the image must carry, signed by one of `keys` (any trusted key when empty),
    /// whose predicate holds each `match` value at its path.
    package struct AttestationRule: Sendable, Hashable {
        package var type: String
        package var keys: [String]
        package var match: [PredicateMatch]
    }

    /// The digest must have had a good deploy in `environment` that started at least `duration` earlier.
    package struct Soak: Sendable, Hashable {
        package var environment: String
        package var duration: PolicyDuration
    }

    package var mode: Mode
    /// Globs the image's repository must match; nil: any repository.
    package var repositories: [Glob]?
    package var signatures: SignatureRule?
    package var attestations: [AttestationRule]
    /// Checks that must each have passed for a deploy to be good (a missing check is not a pass).
    package var checks: [String]
    package var soak: Soak?

    package init(mode: Mode = .enforce, repositories: [Glob]? = nil, signatures: SignatureRule? = nil,
                 attestations: [AttestationRule] = [], checks: [String] = [], soak: Soak? = nil) {
        self.mode = mode
        self.repositories = repositories
        self.signatures = signatures
        self.attestations = attestations
        self.checks = checks
        self.soak = soak
    }

    /// What `--require-signature` has always meant: one valid signature from any trusted key.
    package static let requireSignature = Policy(signatures: SignatureRule(min: 1, keys: []))

    /// Every key a rule names, with the field that names it (the application layer checks them against the trust store).
    package var keyReferences: [(field: String, key: String)] {
        var found: [(String, String)] = []
        for (index, key) in (signatures?.keys ?? []).enumerated() { found.append(("signatures.keys[\(index)]", key)) }
        for (rule, attestation) in attestations.enumerated() {
            for (index, key) in attestation.keys.enumerated() { found.append(("attestations[\(rule)].keys[\(index)]", key)) }
        }
        return found
    }

    /// The policy as its canonical JSON document: what `policy show` prints and the log records.
    package var document: JSONValue {
        var members: [String: JSONValue] = ["mode": .string(mode.rawValue)]
        if let repositories { members["repositories"] = .array(repositories.map { .string($0.description) }) }
        if let signatures {
            members["signatures"] = .object(["min": .integer(Int64(signatures.min)), "keys": .array(signatures.keys.map(JSONValue.string))])
        }
        if !attestations.isEmpty {
            members["attestations"] = .array(attestations.map { rule in
                .object([
                    "type": .string(rule.type), "keys": .array(rule.keys.map(JSONValue.string)),
                    "match": .object(Dictionary(uniqueKeysWithValues: rule.match.map { ($0.path, $0.expected) })),
                ])
            })
        }
        if !checks.isEmpty { members["checks"] = .array(checks.map(JSONValue.string)) }
        if let soak { members["soak"] = .object(["environment": .string(soak.environment), "duration": .string(soak.duration.description)]) }
        return .object(members)
    }
}

/// The rules of a policy, as violations name them.
package enum PolicyRule: String, Sendable, Hashable, Codable, CaseIterable {
    case repositories, signatures, attestations, checks, soak
}
