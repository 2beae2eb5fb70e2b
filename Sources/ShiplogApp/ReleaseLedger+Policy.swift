import ShiplogCore

extension ReleaseLedger {
    /// Sets the environment's policy (a new version, logged). Everything it names must exist: the keys in the trust
    /// store, the soak environment. Refused input leaves the policy in force as it was.
    package func setPolicy(environment name: String, document: JSONValue, source: String, actor: String?) throws(LedgerError) -> PolicyVersion {
        try Self.checkActor(actor)
        let environment = try existingEnvironment(name)
        let policy: Policy
        do { policy = try Policy(parsing: document, source: source) } catch { throw .invalidInput(error) }
        let keys = try store.keys()
        for (field, reference) in policy.keyReferences where !keys.contains(where: { $0.name == reference || $0.keyID == reference }) {
            throw .invalidInput(InvalidInput(source: source, field: field, value: reference,
                                             reason: "no key with this name or id in the trust store; add it with `shiplog keys add`"))
        }
        if let soak = policy.soak {
            guard soak.environment != environment.name else {
                throw .invalidInput(InvalidInput(source: source, field: "soak.environment", value: soak.environment,
                                                 reason: "a digest soaks in another environment before this one"))
            }
            guard try store.environment(named: soak.environment) != nil else {
                throw .invalidInput(InvalidInput(source: source, field: "soak.environment", value: soak.environment,
                                                 reason: "no such environment; create it with `shiplog env create`"))
            }
        }
        let text: String
        do { text = String(decoding: try ContractJSON.compact.encode(policy.document), as: UTF8.self) } catch {
            throw .storage("could not encode the policy: \(error)")
        }
        return try store.setPolicy(environment: environment.name, document: text, actor: actor, at: clock())
    }

    /// The policy in force; `unknown` when the environment has none (the `--require-signature` shorthand says so).
    package func policy(environment name: String) throws(LedgerError) -> PolicyVersion {
        let environment = try existingEnvironment(name)
        guard let policy = try store.policy(environment: name) else {
            let shorthand = environment.requireSignature ? " (it requires a signature from any trusted key: --require-signature)" : ""
            throw .notFound("environment \(name) has no policy\(shorthand); set one with `shiplog policy set`")
        }
        return policy
    }

    /// Would the gate let this image into the environment now?
    package func checkPolicy(environment name: String, image: ImageReference) throws(LedgerError) -> PolicyDecision {
        let environment = try existingEnvironment(name)
        let digest = try resolveDigest(image)
        var judge = try PolicyJudge(ledger: self, environment: environment)
        return try judge.admission(repository: image.repository.name, digest: digest.description, at: clock())
            ?? PolicyDecision(environment: name, repository: image.repository.name, digest: digest.description, mode: .enforce,
                              policyVersion: nil, violations: [])
    }

    /// Every recorded deploy of the environment (since `since`) judged against the policy in force now: what the gate
    /// would have refused (soak judged at each deploy's start) and what would not count as good.
    package func auditPolicy(environment name: String, since: Timestamp?) throws(LedgerError) -> PolicyAudit {
        let environment = try existingEnvironment(name)
        var judge = try PolicyJudge(ledger: self, environment: environment)
        guard let policy = judge.gatePolicy else {
            throw .notFound("environment \(name) has no policy to audit against; set one with `shiplog policy set`")
        }
        var results: [PolicyAudit.Result] = []
        var refused = 0
        var notGood = 0
        let deploys = try store.auditDeploys(environment: name, since: since)
        for (deploy, passed) in deploys {
            var facts = try judge.facts(repository: deploy.repository, digest: deploy.digest, for: policy)
            facts.passedChecks = Set(passed)
            let at = deploy.startedAt ?? clock()
            let admission = policy.violations(facts, at: at, rules: Policy.admissionRules)
            let goodness = policy.violations(facts, at: at, rules: [.checks])
            // Signature and attestation faults are both the gate's and goodness's; each is listed once.
            if !admission.isEmpty { refused += 1 }
            if !goodness.isEmpty || admission.contains(where: { Policy.goodnessRules.contains($0.rule) }) { notGood += 1 }
            guard !admission.isEmpty || !goodness.isEmpty else { continue }
            results.append(PolicyAudit.Result(deployID: deploy.id, service: deploy.service, repository: deploy.repository,
                                              digest: deploy.digest, startedAt: deploy.startedAt, allowed: admission.isEmpty,
                                              violations: admission + goodness))
        }
        return PolicyAudit(environment: name, policyVersion: judge.policy?.version, mode: policy.mode, since: since, deploys: deploys.count,
                           refused: refused, notGood: notGood, results: results)
    }

    /// For every service live in `from` (or `service`): its newest good digest there, and whether `to`'s policy lets
    /// it in. An older good digest is never offered instead: that would promote backwards.
    package func promote(from source: String, to target: String, service: String?) throws(LedgerError) -> Promotion {
        let from = try existingEnvironment(source)
        let to = try existingEnvironment(target)
        guard from.name != to.name else {
            throw .invalidInput(InvalidInput(field: "to", value: target, reason: "promotion goes from one environment to another"))
        }
        var fromJudge = try PolicyJudge(ledger: self, environment: from)
        var toJudge = try PolicyJudge(ledger: self, environment: to)
        let liveInTarget = Dictionary(try store.liveDeploys(environment: to.name, slot: to.activeSlot).map { ($0.deploy.service, $0.deploy) },
                                      uniquingKeysWith: { first, _ in first })
        var services = Set(try store.liveDeploys(environment: from.name, slot: from.activeSlot).map(\.deploy.service))
        if let service {
            guard services.contains(service) else {
                throw .unknown(InvalidInput(field: "service", value: service, reason: "nothing of this service is live in \(from.name)"))
            }
            services = [service]
        }
        var actions: [PromotionAction] = []
        for name in services.sorted() {
            let live = liveInTarget[name]
            guard let candidate = try newestGood(in: from, service: name, judge: &fromJudge) else {
                actions.append(PromotionAction(service: name, action: .none, repository: live?.repository, tag: live?.tag, digest: live?.digest,
                                               live: live, reason: "no good deploy of \(name) in \(from.name)"))
                continue
            }
            if let live, live.digest == candidate.digest, live.repository == candidate.repository {
                actions.append(PromotionAction(service: name, action: .none, repository: live.repository, tag: live.tag, digest: live.digest,
                                               live: live, reason: "already live in \(to.name)"))
                continue
            }
            let decision = try toJudge.admission(repository: candidate.repository, digest: candidate.digest, at: clock())
            if let decision, !decision.allowed {
                actions.append(PromotionAction(service: name, action: .blocked, repository: candidate.repository, tag: candidate.tag,
                                               digest: candidate.digest, live: live,
                                               reason: "\(to.name)'s policy refuses it", violations: decision.violations))
            } else {
                actions.append(PromotionAction(service: name, action: .promote, repository: candidate.repository, tag: candidate.tag,
                                               digest: candidate.digest, live: live,
                                               reason: "newest good in \(from.name)", violations: decision?.violations ?? []))
            }
        }
        return Promotion(from: from.name, to: to.name, actions: actions)
    }

    private func newestGood(in environment: Environment, service: String, judge: inout PolicyJudge) throws(LedgerError) -> Deploy? {
        var before: Int64?
        while true {
            let page = try store.succeededDeploys(environment: environment.name, service: service, before: before, limit: 16)
            for facts in page where facts.deploy.slot == environment.activeSlot || environment.slots.isEmpty {
                if try judge.isGood(facts) { return facts.deploy }
            }
            guard page.count == 16, let last = page.last else { return nil }
            before = last.deploy.id
        }
    }

    /// A digest as given, or the one its tag names now.
    func resolveDigest(_ image: ImageReference) throws(LedgerError) -> Digest {
        if let given = image.digest { return given }
        if let tag = image.tag {
            guard let resolved = try store.currentDigest(repository: image.repository, tag: tag) else {
                throw .invalidInput(InvalidInput(field: "image", value: image.description, reason: "no digest recorded for this tag"))
            }
            return resolved
        }
        throw .invalidInput(InvalidInput(field: "image", value: image.description, reason: "name a tag (REPO:TAG) or a digest (REPO@DIGEST)"))
    }
}
