import ShiplogCore

extension ReleaseLedger {
    // MARK: - Environments

    package func createEnvironment(name: String, slots: [String], requireSignature: Bool) throws(LedgerError) -> Environment {
        let environment: Environment
        do { environment = try Environment.new(name: name, slots: slots, requireSignature: requireSignature, at: clock()) } catch {
            throw .invalidInput(error)
        }
        return try store.create(environment)
    }

    package func switchSlot(environment name: String, to slot: String, actor: String?) throws(LedgerError) -> TrafficSwitch {
        try Self.checkActor(actor)
        let environment = try existingEnvironment(name)
        guard !environment.slots.isEmpty else {
            throw .invalidInput(InvalidInput(field: "environment", value: name, reason: "has no slots to switch"))
        }
        do { _ = try environment.slot(slot) } catch { throw .invalidInput(error) }
        return try store.switchSlot(environment: name, to: slot, actor: actor, at: clock())
    }

    /// Who did it, as recorded: a name, so no control characters.
    static func checkActor(_ actor: String?) throws(LedgerError) {
        guard let actor else { return }
        do { try InputLimits.check(actor, .name, atMost: InputLimits.actor) } catch { throw .invalidInput(error.at("actor")) }
    }

    func existingEnvironment(_ name: String) throws(LedgerError) -> Environment {
        guard let environment = try store.environment(named: name) else {
            throw .unknown(InvalidInput(field: "environment", value: name, reason: "no such environment; create it with `shiplog env create`"))
        }
        return environment
    }

    // MARK: - Deploys

    /// What starting a deploy did: it started, or the gate refused it (recorded too): the image's signature
    /// verification, and the policy's decision when a policy document decided.
    package enum DeployStart: Sendable {
        case started(Deploy)
        case refused(Verification, PolicyDecision?)
    }

    /// Starts a deploy of `image` — by digest, or by tag resolved through the tag history now; the
    /// digest is what is stored. Into a protected environment only with a valid trusted signature.
    package func startDeploy(
        environment name: String, slot requestedSlot: String?, service: String, image: ImageReference, actor: String?,
        writtenBy: WorkloadIdentity? = nil
    ) throws(LedgerError) -> DeployStart {
        try Self.checkActor(actor)
        let environment = try existingEnvironment(name)
        let slot: String?
        do { slot = try environment.slot(requestedSlot) } catch { throw .invalidInput(error) }
        do { _ = try ServiceName.validate(service) } catch { throw .invalidInput(error.at("service")) }
        guard environment.slots.isEmpty || requestedSlot != nil else {
            throw .invalidInput(InvalidInput(field: "slot", reason: "environment \(name) has slots \(environment.slots.joined(separator: ", ")); name one"))
        }
        let digest = try resolveDigest(image)
        let deploy = NewDeploy(environment: name, slot: slot, service: service, repository: image.repository, tag: image.tag,
                               digest: digest, actor: actor, writtenBy: writtenBy)
        var judge = try PolicyJudge(ledger: self, environment: environment)
        guard let version = judge.policy?.version else {
            // No policy document: `--require-signature` alone, as it always was.
            if environment.requireSignature {
                let verification = try verify(repository: image.repository, digest: digest)
                guard verification.verified else {
                    try store.recordRefusal(deploy, verification: verification, policy: nil, at: clock())
                    return .refused(verification, nil)
                }
            }
            return .started(try store.start(deploy, policy: nil, at: clock()))
        }
        let now = clock()
        // A stored policy is the gate's policy, so there is always a decision here.
        guard var decision = try judge.admission(repository: image.repository.name, digest: digest.description, at: now) else {
            throw .storage("the policy of \(name) v\(version) gave no decision")
        }
        // `--require-signature` stays a floor: a policy in audit mode does not lift it.
        var verification: Verification?
        var floorBroken = false
        if environment.requireSignature {
            let floor = try verify(repository: image.repository, digest: digest)
            floorBroken = !floor.verified
            if floorBroken, !decision.violations.contains(where: { $0.rule == .signatures }) {
                decision.violations.insert(PolicyViolation(rule: .signatures, detail: "--require-signature: \(floor.detail)"), at: 0)
            }
            verification = floor
        }
        let judgement = PolicyJudgement(version: version, violations: decision.violations)
        if !decision.allowed || floorBroken {
            decision.allowed = false
            // The refusal carries the image's signature verification too, as a refusal without a policy does.
            let verified: Verification
            if let verification { verified = verification } else { verified = try verify(repository: image.repository, digest: digest) }
            try store.recordRefusal(deploy, verification: verified, policy: judgement, at: now)
            return .refused(verified, decision)
        }
        return .started(try store.start(deploy, policy: judgement, at: now))
    }

    package func checkDeploy(id: Int64, name: String, status: CheckStatus, detail: String?) throws(LedgerError) -> DeployCheck {
        guard !name.isEmpty, name.unicodeScalars.count <= InputLimits.checkName else {  // SQLite's length() counts code points
            throw .invalidInput(InvalidInput(field: "name", value: name, reason: "a check name has 1 to 128 characters"))
        }
        do { try InputLimits.check(name, .name, atMost: InputLimits.checkName) } catch { throw .invalidInput(error.at("name")) }
        if let detail {
            do { try InputLimits.check(detail, .text, atMost: InputLimits.detail) } catch { throw .invalidInput(error.at("detail")) }
        }
        return try store.add(DeployCheck(deployID: id, name: name, status: status, detail: detail, checkedAt: clock()))
    }

    package func finishDeploy(id: Int64, state: DeployState) throws(LedgerError) -> Deploy {
        guard state == .succeeded || state == .failed else {
            throw .invalidInput(InvalidInput(field: "status", value: state.rawValue, reason: "a deploy finishes as succeeded or failed"))
        }
        return try store.finish(deployID: id, as: state, at: clock())
    }

    package func markBad(repository: Repository, digest: Digest, reason: String) throws(LedgerError) {
        guard !reason.isEmpty else { throw .invalidInput(InvalidInput(field: "reason", reason: "say why the image is bad")) }
        do { try InputLimits.check(reason, .text, atMost: InputLimits.reason) } catch { throw .invalidInput(error.at("reason")) }
        try store.markBad(repository: repository, digest: digest, reason: reason, at: clock())
    }

    // MARK: - Live, last-known-good, rollback

    package func live(environment name: String, slot requestedSlot: String?, service: String? = nil) throws(LedgerError) -> LiveEnvironment {
        try live(in: try existingEnvironment(name), slot: requestedSlot, service: service)
    }

    func live(in environment: Environment, slot requestedSlot: String?, service: String?) throws(LedgerError) -> LiveEnvironment {
        let name = environment.name
        let slot: String?
        do { slot = try environment.slot(requestedSlot) } catch { throw .invalidInput(error) }
        var judge = try PolicyJudge(ledger: self, environment: environment)
        var services: [LiveService] = []
        for facts in try store.liveDeploys(environment: name, slot: slot) where service == nil || facts.deploy.service == service {
            services.append(LiveService(facts: facts, notGoodBecause: try judge.reasonsNotGood(facts)))
        }
        return LiveEnvironment(environment: name, slot: slot, services: services)
    }

    /// The newest good deploy of (environment, service); nil when none was ever good.
    package func lastKnownGood(environment name: String, service: String, excludingDigest: String? = nil) throws(LedgerError) -> Deploy? {
        try lastKnownGood(in: try existingEnvironment(name), service: service, excludingDigest: excludingDigest)
    }

    func lastKnownGood(in environment: Environment, service: String, excludingDigest: String?) throws(LedgerError) -> Deploy? {
        let name = environment.name
        var judge = try PolicyJudge(ledger: self, environment: environment)
        var before: Int64?
        while true {
            // Newest first, a page at a time: the LKG is nearly always among the first few.
            let page = try store.succeededDeploys(environment: name, service: service, before: before, limit: 16)
            for facts in page where facts.deploy.digest != excludingDigest {
                if try judge.isGood(facts) { return facts.deploy }
            }
            guard page.count == 16, let last = page.last else { return nil }
            before = last.deploy.id
        }
    }

    package func rollbackPlan(environment name: String, service: String?, toPrevious: Bool) throws(LedgerError) -> RollbackPlan {
        if toPrevious, service == nil {
            throw .invalidInput(InvalidInput(field: "to_previous", reason: "needs a service"))
        }
        let environment = try existingEnvironment(name)
        let current = try live(in: environment, slot: nil, service: service)
        var previous: RollbackPlanner.PreviousSlot?
        if !environment.slots.isEmpty, let last = try store.lastSwitch(environment: name), last.toSlot == environment.activeSlot,
           !last.fromSlot.isEmpty, service == nil {
            previous = RollbackPlanner.PreviousSlot(slot: last.fromSlot,
                                                    live: try live(in: environment, slot: last.fromSlot, service: nil).services)
        }
        return try RollbackPlanner.plan(
            environment: environment, slot: current.slot, live: current.services, previousSlot: previous, toPrevious: toPrevious
        ) { service, excluding throws(LedgerError) in
            try lastKnownGood(in: environment, service: service, excludingDigest: excluding)
        }
    }
}
