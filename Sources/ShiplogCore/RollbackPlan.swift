/// One service's live deploy, as `live` reports it.
public struct LiveService: Sendable, Hashable, Encodable {
    public var facts: DeployFacts
    public var good: Bool
    public var notGoodBecause: [String]

    public init(facts: DeployFacts, protected: Bool) {
        self.facts = facts
        notGoodBecause = facts.reasonsNotGood(protected: protected)
        good = notGoodBecause.isEmpty
    }

    enum CodingKeys: String, CodingKey {
        case service, repository, tag, digest, state, good
        case deployID = "deploy_id", deployedAt = "deployed_at", notGoodBecause = "not_good_because"
    }

    public func encode(to encoder: any Encoder) throws {
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
public struct LiveEnvironment: Sendable, Hashable, Encodable {
    public var environment: String
    @Nullable public var slot: String?
    public var services: [LiveService]

    public init(environment: String, slot: String?, services: [LiveService]) {
        self.environment = environment
        self.slot = slot
        self.services = services
    }

}

/// The newest good deploy of (environment, service): what a rollback would redeploy.
public struct LastKnownGood: Sendable, Hashable, Encodable {
    public var environment: String
    public var service: String
    public var repository: String
    @Nullable public var tag: String?
    public var digest: String
    public var deployID: Int64
    @Nullable public var deployedAt: Timestamp?
    @Nullable public var slot: String?

    public init(deploy: Deploy) {
        environment = deploy.environment
        service = deploy.service
        repository = deploy.repository
        tag = deploy.tag
        digest = deploy.digest
        deployID = deploy.id
        deployedAt = deploy.startedAt
        slot = deploy.slot
    }
}

/// One step of a rollback plan.
public struct RollbackAction: Sendable, Hashable, Encodable {
    public enum Kind: String, Sendable, Hashable, Encodable {
        case redeploy
        case switchSlot = "switch-slot"
        case none
        case noGoodDeploy = "no-good-deploy"
    }

    public var service: String
    public var action: Kind
    @Nullable public var repository: String?
    @Nullable public var tag: String?
    @Nullable public var digest: String?
    public var fromDigest: String
    public var reason: String
    /// For `switch-slot`: the slot to switch back to. For `redeploy`: the deploy to repeat.
    @Nullable public var slot: String?
    @Nullable public var deployID: Int64?
}

/// The rollback plan of an environment: one action per service live in it.
public struct RollbackPlan: Sendable, Hashable, Encodable {
    public var environment: String
    @Nullable public var slot: String?
    public var actions: [RollbackAction]
}

/// The rules that turn what is live into a rollback plan. Pure: the store's answers come in as values
/// and a lookup of the newest good deploy.
public enum RollbackPlanner {
    /// The slot traffic came from, with what is live there, when switching back would help.
    public struct PreviousSlot: Sendable {
        public var slot: String
        public var live: [LiveService]

        public init(slot: String, live: [LiveService]) {
            self.slot = slot
            self.live = live
        }
    }

    /// - Parameters:
    ///   - live: the live services of the active slot (or the environment without slots).
    ///   - previousSlot: the slot the last switch came from, if any.
    ///   - toPrevious: plan the newest good deploy whose digest differs from the live one, even for a good service.
    ///   - lastKnownGood: the newest good deploy of a service, optionally with a digest other than the one given.
    public static func plan(
        environment: Environment, slot: String?, live: [LiveService], previousSlot: PreviousSlot?, toPrevious: Bool,
        lastKnownGood: (_ service: String, _ excludingDigest: String?) throws(LedgerError) -> Deploy?
    ) throws(LedgerError) -> RollbackPlan {
        let anyBad = live.contains { !$0.good }
        if !toPrevious, anyBad, let previous = previousSlot, canSwitchBack(to: previous, covering: live) {
            let actions = live.map { service -> RollbackAction in
                let target = previous.live.first { $0.facts.deploy.service == service.facts.deploy.service }?.facts.deploy
                return RollbackAction(
                    service: service.facts.deploy.service, action: .switchSlot, repository: target?.repository, tag: target?.tag,
                    digest: target?.digest, fromDigest: service.facts.deploy.digest,
                    reason: "switch traffic back to slot \(previous.slot): all its services are good", slot: previous.slot,
                    deployID: target?.id)
            }
            return RollbackPlan(environment: environment.name, slot: slot, actions: actions)
        }
        var actions: [RollbackAction] = []
        for service in live {
            let current = service.facts.deploy
            if service.good, !toPrevious {
                actions.append(RollbackAction(service: current.service, action: .none, repository: current.repository, tag: current.tag,
                                              digest: current.digest, fromDigest: current.digest, reason: "live deploy is good",
                                              slot: current.slot, deployID: current.id))
                continue
            }
            let why = toPrevious ? "rolling back to the previous good image" : service.notGoodBecause.joined(separator: "; ")
            if let target = try lastKnownGood(current.service, toPrevious ? current.digest : nil) {
                actions.append(RollbackAction(service: current.service, action: .redeploy, repository: target.repository, tag: target.tag,
                                              digest: target.digest, fromDigest: current.digest, reason: why, slot: current.slot,
                                              deployID: target.id))
            } else {
                actions.append(RollbackAction(service: current.service, action: .noGoodDeploy, repository: nil, tag: nil, digest: nil,
                                              fromDigest: current.digest, reason: why + "; no good deploy recorded", slot: current.slot,
                                              deployID: nil))
            }
        }
        return RollbackPlan(environment: environment.name, slot: slot, actions: actions)
    }

    /// Switching back helps only if every service live in the active slot is live and good in the other.
    static func canSwitchBack(to previous: PreviousSlot, covering live: [LiveService]) -> Bool {
        !live.isEmpty && live.allSatisfy { service in
            previous.live.contains { $0.facts.deploy.service == service.facts.deploy.service && $0.good }
        }
    }
}
