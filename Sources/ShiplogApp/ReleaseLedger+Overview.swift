import ShiplogCore

extension ReleaseLedger {
    /// The front page: every environment's live services (its active slot), each judged under its policy.
    package func overview() throws(LedgerError) -> Overview {
        let keys = Dictionary(try store.keys().map { ($0.keyID, $0.name) }, uniquingKeysWith: { first, _ in first })
        var views: [Overview.EnvironmentView] = []
        for environment in try store.environments() {
            var judge = try PolicyJudge(ledger: self, environment: environment)
            var services: [Overview.Service] = []
            let live = try store.liveDeploys(environment: environment.name, slot: environment.activeSlot)
            // Checks and signers of the whole environment in two reads, not two per service.
            let checks = try store.checks(deployIDs: live.map(\.deploy.id))
            let signers = try store.firstTrustedSigners(of: live.map { ($0.deploy.repository, $0.deploy.digest) })
            for facts in live {
                let service = LiveService(facts: facts, notGoodBecause: try judge.reasonsNotGood(facts))
                let deploy = facts.deploy
                let lkg = service.good ? nil : try lastKnownGood(in: environment, service: deploy.service, excludingDigest: nil)
                services.append(Overview.Service(live: service, lastKnownGood: lkg.map(LastKnownGood.init),
                                                 signedBy: signers[deploy.repository + "@" + deploy.digest].flatMap { keys[$0] },
                                                 checks: checks[deploy.id] ?? []))
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
