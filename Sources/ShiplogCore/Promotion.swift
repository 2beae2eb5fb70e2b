/// One service's step of a promotion: `{"service","action","repository","tag","digest","from_digest","reason","violations"}`.
package struct PromotionAction: Sendable, Hashable, Encodable {
    package enum Kind: String, Sendable, Hashable, Encodable {
        /// Deploy `digest` into the target: good in the source, allowed by the target's policy, not live there.
        case promote
        /// Nothing to do: the newest good digest is live in the target already, or nothing is good in the source.
        case none
        /// The target's policy refuses the newest good digest (`violations` say why).
        case blocked
    }

    package var service: String
    package var action: Kind
    @Nullable package var repository: String?
    @Nullable package var tag: String?
    /// The digest to promote (the one blocked, for `blocked`; the live one, for `none`).
    @Nullable package var digest: String?
    /// What is live in the target now: its digest, and its image as `REPO[:TAG]@DIGEST`.
    @Nullable package var fromDigest: String?
    @Nullable package var fromImage: String?
    package var reason: String
    package var violations: [PolicyViolation]

    package init(service: String, action: Kind, repository: String?, tag: String?, digest: String?, live: Deploy?, reason: String,
                 violations: [PolicyViolation] = []) {
        self.service = service
        self.action = action
        self.repository = repository
        self.tag = tag
        self.digest = digest
        fromDigest = live?.digest
        fromImage = live.map { ImageOverride.reference(repository: $0.repository, tag: $0.tag, digest: $0.digest) }
        self.reason = reason
        self.violations = violations
    }
}

/// What promoting from one environment to another would do: `{"from","to","actions"}`.
package struct Promotion: Sendable, Hashable, Encodable {
    package var from: String
    package var to: String
    package var actions: [PromotionAction]

    package init(from: String, to: String, actions: [PromotionAction]) {
        self.from = from
        self.to = to
        self.actions = actions
    }
}

/// `policy audit`: the environment's recorded deploys judged against its current policy.
/// `{"environment","policy_version","mode","since","deploys","refused","not_good","results"}`; `results` lists the
/// deploys the policy finds fault with (every deploy is counted in `deploys`).
package struct PolicyAudit: Sendable, Hashable, Encodable {
    package struct Result: Sendable, Hashable, Encodable {
        package var deployID: Int64
        package var service: String
        package var repository: String
        package var digest: String
        @Nullable package var startedAt: Timestamp?
        /// Would the gate have let it in (the admission rules, soak judged at its start)?
        package var allowed: Bool
        package var violations: [PolicyViolation]

        package init(deployID: Int64, service: String, repository: String, digest: String, startedAt: Timestamp?, allowed: Bool,
                     violations: [PolicyViolation]) {
            self.deployID = deployID
            self.service = service
            self.repository = repository
            self.digest = digest
            self.startedAt = startedAt
            self.allowed = allowed
            self.violations = violations
        }
    }

    package var environment: String
    @Nullable package var policyVersion: Int64?
    package var mode: Policy.Mode
    @Nullable package var since: Timestamp?
    package var deploys: Int
    /// How many the gate would have refused.
    package var refused: Int
    /// How many the policy's goodness rules (checks, signatures, attestations) would not count as good.
    package var notGood: Int
    package var results: [Result]

    package init(environment: String, policyVersion: Int64?, mode: Policy.Mode, since: Timestamp?, deploys: Int, refused: Int, notGood: Int,
                 results: [Result]) {
        self.environment = environment
        self.policyVersion = policyVersion
        self.mode = mode
        self.since = since
        self.deploys = deploys
        self.refused = refused
        self.notGood = notGood
        self.results = results
    }
}
