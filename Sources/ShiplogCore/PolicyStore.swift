/// One version of an environment's policy, as recorded: `{"environment","version","policy","actor","set_at"}`.
package struct PolicyVersion: Sendable, Hashable, Encodable {
    package var environment: String
    package var version: Int64
    /// The canonical JSON document that was set.
    package var policy: JSONValue
    @Nullable package var actor: String?
    package var setAt: Timestamp

    package init(environment: String, version: Int64, policy: JSONValue, actor: String?, setAt: Timestamp) {
        self.environment = environment
        self.version = version
        self.policy = policy
        self.actor = actor
        self.setAt = setAt
    }
}

/// What a policy found when a deploy was started or refused: recorded with it, in the same transaction.
package struct PolicyJudgement: Sendable, Hashable {
    package var version: Int64
    package var violations: [PolicyViolation]

    package init(version: Int64, violations: [PolicyViolation]) {
        self.version = version
        self.violations = violations
    }
}

package protocol PolicyReading: Sendable {
    /// The policy in force in `environment`: its newest version, nil when none was ever set.
    func policy(environment: String) throws(LedgerError) -> PolicyVersion?
    /// The same, as its version and the stored document's text (what the gate parses, once per process).
    func policyDocument(environment: String) throws(LedgerError) -> (version: Int64, document: String)?
    /// Every version of every environment's policy, oldest first, with the document's text as stored (for `log verify`).
    func allPolicies() throws(LedgerError) -> [(policy: PolicyVersion, document: String)]
}

package protocol PolicyStore: PolicyReading {
    /// Records `document` as the next version of the environment's policy (version 1 first) and logs it.
    func setPolicy(environment: String, document: String, actor: String?, at time: Timestamp) throws(LedgerError) -> PolicyVersion
}
