/// What the front page shows: every environment's live services, whether each is good and why not, its
/// last-known-good when that differs, who signed it and its checks. `GET /v1/overview` is its JSON twin.
package struct Overview: Sendable, Hashable, Encodable {
    package struct Service: Sendable, Hashable, Encodable {
        package var live: LiveService
        /// The newest good deploy when the live one is not good (nil when good, or when none was ever good).
        @Nullable package var lastKnownGood: LastKnownGood?
        /// The trusted key that signed the live digest, by name; nil when none did.
        @Nullable package var signedBy: String?
        package var checks: [DeployCheck]

        package init(live: LiveService, lastKnownGood: LastKnownGood?, signedBy: String?, checks: [DeployCheck]) {
            self.live = live
            self.lastKnownGood = lastKnownGood
            self.signedBy = signedBy
            self.checks = checks
        }
    }

    package struct EnvironmentView: Sendable, Hashable, Encodable {
        package var name: String
        package var slots: [String]
        @Nullable package var activeSlot: String?
        @Nullable package var policyVersion: Int64?
        package var protected: Bool
        /// Services whose rollback plan would act (not good): the banner's count.
        package var notGood: Int
        package var services: [Service]

        package init(name: String, slots: [String], activeSlot: String?, policyVersion: Int64?, protected: Bool, services: [Service]) {
            self.name = name
            self.slots = slots
            self.activeSlot = activeSlot
            self.policyVersion = policyVersion
            self.protected = protected
            self.services = services
            notGood = services.count { !$0.live.good }
        }
    }

    package var environments: [EnvironmentView]
    /// Every service live anywhere, by name: the grid's rows.
    package var services: [String]

    package init(environments: [EnvironmentView]) {
        self.environments = environments
        services = Set(environments.flatMap { $0.services.map(\.live.facts.deploy.service) }).sorted()
    }
}

/// A service's deploys across environments, newest first, each judged as the environment judges it.
package struct ServiceHistory: Sendable, Hashable, Encodable {
    package struct Entry: Sendable, Hashable, Encodable {
        package var deploy: Deploy
        package var good: Bool
        package var notGoodBecause: [String]
        package var checks: [DeployCheck]

        package init(deploy: Deploy, good: Bool, notGoodBecause: [String], checks: [DeployCheck]) {
            self.deploy = deploy
            self.good = good
            self.notGoodBecause = notGoodBecause
            self.checks = checks
        }
    }

    package var service: String
    package var deploys: [Entry]

    package init(service: String, deploys: [Entry]) {
        self.service = service
        self.deploys = deploys
    }
}
