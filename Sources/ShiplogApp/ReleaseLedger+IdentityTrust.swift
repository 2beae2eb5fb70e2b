import ShiplogCore

extension ReleaseLedger {
    package func trustIdentity(_ rule: NewTrustRule) throws(LedgerError) -> TrustRule {
        try store.addTrustRule(rule, at: clock())
    }

    package func identityTrustRules() throws(LedgerError) -> [TrustRule] { try store.trustRules() }

    package func revokeIdentityTrust(id: Int64) throws(LedgerError) -> TrustRule { try store.revokeTrustRule(id: id, at: clock()) }

    /// The rule that lets this verified token in, and who it is: the most specific unrevoked rule whose every
    /// constraint holds (ties: the oldest). A rule with no repository id yet is pinned to the token's. `rules`: the
    /// rules as a caller keeps them until the ledger changes (the server does); read from the store when nil.
    package func admit(_ token: IdentityToken, among rules: [TrustRule]? = nil) throws(LedgerError) -> (rule: TrustRule, identity: WorkloadIdentity) {
        let known: [TrustRule]
        if let rules { known = rules } else { known = try store.trustRules() }
        let rules = known.filter { $0.revokedAt == nil }
        let matching = rules.filter { $0.mismatch(token) == nil }
        guard var rule = matching.max(by: { ($0.specificity, -$0.id) < ($1.specificity, -$1.id) }) else {
            let repository = token.text("repository") ?? "missing"
            let sameRepository = rules.filter { $0.repository.lowercased() == repository.lowercased() }
            let why = sameRepository.compactMap { rule in rule.mismatch(token).map { "rule \(rule.id) wants another \($0)" } }
            throw .denied("no OIDC trust rule matches repository \(repository)" + (why.isEmpty ? "" : ": " + why.joined(separator: "; ")))
        }
        if rule.repositoryID == nil, let id = token.text("repository_id") {
            // Another server may have pinned it an instant ago, to another repository of the same name.
            let pinned = try store.pinRepositoryID(id, rule: rule.id)
            guard pinned == id else { throw .denied("OIDC token repository_id \(id) is not the id rule \(rule.id) is pinned to (\(pinned ?? "none"))") }
            rule.repositoryID = id
        }
        return (rule, WorkloadIdentity(rule: rule.id, token: token))
    }
}
