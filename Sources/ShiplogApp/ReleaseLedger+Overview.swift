import ShiplogCore

extension ReleaseLedger {
    /// The front page: every environment's live services (its active slot), each judged under its policy.
    package func overview() throws(LedgerError) -> Overview {
        let keys = Dictionary(try store.keys().map { ($0.keyID, $0.name) }, uniquingKeysWith: { first, _ in first })
        var views: [Overview.EnvironmentView] = []
        for environment in try store.environments() {
            var judge = try PolicyJudge(ledger: self, environment: environment)
            var services: [Overview.Service] = []
            for facts in try store.liveDeploys(environment: environment.name, slot: environment.activeSlot) {
                let live = LiveService(facts: facts, notGoodBecause: try judge.reasonsNotGood(facts))
                let deploy = facts.deploy
                let lkg = live.good ? nil : try lastKnownGood(in: environment, service: deploy.service, excludingDigest: nil)
                let signer = try store.trustedSignatures(repository: Repository(validated: deploy.repository), digest: Digest(validated: deploy.digest))
                    .first.flatMap { keys[$0.keyID] }
                services.append(Overview.Service(live: live, lastKnownGood: lkg.map(LastKnownGood.init), signedBy: signer,
                                                 checks: try store.checks(deployID: deploy.id)))
            }
            views.append(Overview.EnvironmentView(name: environment.name, slots: environment.slots, activeSlot: environment.activeSlot,
                                                  policyVersion: judge.policy?.version, protected: environment.requireSignature,
                                                  services: services))
        }
        return Overview(environments: views)
    }

    /// A service's newest deploys (at most `limit`) in every environment, with their checks and goodness.
    package func serviceHistory(service: String, limit: Int) throws(LedgerError) -> ServiceHistory {
        do { _ = try ServiceName.validate(service) } catch { throw .invalidInput(error.at("service")) }
        guard (1 ... 1_000).contains(limit) else {
            throw .invalidInput(InvalidInput(field: "limit", value: String(limit), reason: "from 1 to 1000"))
        }
        var environments: [String: Environment] = [:]
        for environment in try store.environments() { environments[environment.name] = environment }
        var judges: [String: PolicyJudge] = [:]
        var entries: [ServiceHistory.Entry] = []
        for facts in try store.serviceDeploys(service: service, limit: limit) {
            let name = facts.deploy.environment
            guard let environment = environments[name] else { continue }
            var judge: PolicyJudge
            if let kept = judges[name] { judge = kept } else { judge = try PolicyJudge(ledger: self, environment: environment) }
            let reasons = try judge.reasonsNotGood(facts)
            judges[name] = judge
            entries.append(ServiceHistory.Entry(deploy: facts.deploy, good: reasons.isEmpty, notGoodBecause: reasons,
                                                checks: try store.checks(deployID: facts.deploy.id)))
        }
        guard !entries.isEmpty else { throw .notFound("no deploy of \(service) is recorded") }
        return ServiceHistory(service: service, deploys: entries)
    }
}
