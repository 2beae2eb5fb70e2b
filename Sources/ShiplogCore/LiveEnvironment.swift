/// One service's live deploy, as `live` reports it.
package struct LiveService: Sendable, Hashable, Encodable {
    package var facts: DeployFacts
    package var good: Bool
    package var notGoodBecause: [String]

    package init(facts: DeployFacts, protected: Bool) {
        self.init(facts: facts, notGoodBecause: facts.reasonsNotGood(protected: protected))
    }

    /// With the reasons an environment's policy found (see the application layer's judge).
    package init(facts: DeployFacts, notGoodBecause: [String]) {
        self.facts = facts
        self.notGoodBecause = notGoodBecause
        good = notGoodBecause.isEmpty
    }

    enum CodingKeys: String, CodingKey {
        case service, repository, tag, digest, state, good
        case deployID = "deploy_id", deployedAt = "deployed_at", notGoodBecause = "not_good_because"
    }

    package func encode(to encoder: any Encoder) throws {
        let deploy = facts.deploy
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(deploy.service, forKey: .service)
        try container.encode(deploy.repository, forKey: .repository)
        try container.encode(deploy.tag, forKey: .tag)
        try container.encode(deploy.digest, forKey: .digest)
        try container.encode(deploy.id, forKey: .deployID)
        try container.encode(deploy.state, forKey: .state)
        try container.encode(good, forKey: .good)
        try container.encode(deploy.startedAt, forKey: .deployedAt)
        try container.encode(notGoodBecause, forKey: .notGoodBecause)
    }
}

/// What is live in an environment (its active slot, or the slot asked about).
package struct LiveEnvironment: Sendable, Hashable, Encodable {
    package var environment: String
    @Nullable package var slot: String?
    package var services: [LiveService]

    package init(environment: String, slot: String?, services: [LiveService]) {
        self.environment = environment
        self.slot = slot
        self.services = services
    }

}
