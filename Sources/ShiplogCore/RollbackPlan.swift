/// One step of a rollback plan.
package struct RollbackAction: Sendable, Hashable, Encodable {
    package enum Kind: String, Sendable, Hashable, Encodable {
        case redeploy
        case switchSlot = "switch-slot"
        case none
        case noGoodDeploy = "no-good-deploy"
    }

    package var service: String
    package var action: Kind
    @Nullable package var repository: String?
    @Nullable package var tag: String?
    @Nullable package var digest: String?
    package var fromDigest: String
    package var reason: String
    /// For `switch-slot`: the slot to switch back to. For `redeploy`: the deploy to repeat.
    @Nullable package var slot: String?
    @Nullable package var deployID: Int64?
}

/// The rollback plan of an environment: one action per service live in it.
package struct RollbackPlan: Sendable, Hashable, Encodable {
    package var environment: String
    @Nullable package var slot: String?
    package var actions: [RollbackAction]
}

/// The rules that turn what is live into a rollback plan. Pure: the store's answers come in as values
/// and a lookup of the newest good deploy.
package enum RollbackPlanner {
    /// The slot traffic came from, with what is live there, when switching back would help.
    package struct PreviousSlot: Sendable {
        package var slot: String
        package var live: [LiveService]

        package init(slot: String, live: [LiveService]) {
            self.slot = slot
            self.live = live
        }
    }

    /// - Parameters:
    ///   - live: the live services of the active slot (or the environment without slots).
    ///   - previousSlot: the slot the last switch came from, if any.
    ///   - toPrevious: plan the newest good deploy whose digest differs from the live one, even for a good service.
    ///   - lastKnownGood: the newest good deploy of a service, optionally with a digest other than the one given.
    package static func plan(
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
