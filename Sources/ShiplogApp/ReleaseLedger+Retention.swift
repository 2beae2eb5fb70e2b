import Foundation
import ShiplogCore

/// Manifests listed by a registry or DigitalOcean's API, for a plan made from them instead of the ledger.
package struct RetentionListing: Sendable {
    /// `registry` or `digitalocean`.
    package var source: String
    package var manifests: [String: [RetainedManifest]]

    package init(source: String, manifests: [String: [RetainedManifest]]) {
        self.source = source
        self.manifests = manifests
    }
}

/// Deletes manifests from their registry (the registry door implements it).
package protocol ManifestDeleter: Sendable {
    /// nil when the registry deleted it; else why not, in one line.
    func delete(repository: Repository, digest: Digest) async -> String?
}

/// What `gc apply` did, or would do, with one manifest of the plan's delete list.
package struct RetentionDecision: Sendable, Hashable, Encodable {
    package enum Action: String, Sendable, Hashable, Encodable {
        /// Deleted from the registry and recorded (or, without a deleter, would be).
        case deleted
        /// Protected now: left alone.
        case skipped
        /// Not a manifest the source lists, or not a digest: left alone.
        case refused
        /// The registry would not delete it: nothing recorded.
        case failed
    }

    package var repository: String
    package var digest: String
    package var tags: [String]
    package var action: Action
    package var detail: String
}

/// `gc apply`'s answer.
package struct RetentionApplication: Sendable, Encodable {
    package var appliedAt: Timestamp
    package var dryRun: Bool
    package var results: [RetentionDecision]
    package var deleted: Int
    package var skipped: Int
    package var refused: Int
    package var failed: Int
}

extension ReleaseLedger {
    /// The plan of what to keep and delete, from the ledger's tag history or from `listing`.
    package func planRetention(rules: RetentionRules, listing: RetentionListing? = nil) throws(LedgerError) -> RetentionPlan {
        do { try rules.check() } catch { throw .invalidInput(error) }
        try Self.check(listing)
        let glob = Glob(rules.repository)
        var listed = try store.retainedManifests()
        if let listing { listed = Self.withLedgerTimes(listing.manifests, ledger: listed) }
        let manifests = listed.filter { glob.matches($0.key) }
        return RetentionPlanner.plan(manifests, protected: try protections(keepGood: rules.keepGood), rules: rules,
                                     source: listing?.source ?? "ledger", now: clock())
    }

    static func check(_ listing: RetentionListing?) throws(LedgerError) {
        guard let listing else { return }
        guard ["registry", "digitalocean"].contains(listing.source) else {
            throw .invalidInput(InvalidInput(field: "listing.source", value: listing.source, reason: "expected registry or digitalocean"))
        }
        for name in listing.manifests.keys where (try? Repository(parsing: name)) == nil {
            throw .invalidInput(InvalidInput(field: "listing.repositories", value: name, reason: "not an image repository"))
        }
    }

    /// A listing's push times, the ledger's where it recorded the tag (a registry's `created` is the build's, not the push's).
    static func withLedgerTimes(_ listed: [String: [RetainedManifest]], ledger: [String: [RetainedManifest]]) -> [String: [RetainedManifest]] {
        Dictionary(uniqueKeysWithValues: listed.map { repository, manifests in
            let times = Dictionary((ledger[repository] ?? []).compactMap { known in known.pushedAt.map { (known.digest, $0) } }) { a, _ in a }
            return (repository, manifests.map { manifest in
                var manifest = manifest
                if let known = times[manifest.digest] { manifest.pushedAt = known }
                return manifest
            })
        })
    }

    /// Per repository and digest, why the deploys protect it: live in an environment (any slot), its LKG, among the
    /// newest `keepGood` good deploys of an (environment, service), or still rolling out.
    package func protections(keepGood: Int) throws(LedgerError) -> [String: [String: [String]]] {
        var reasons: [String: [String: [String]]] = [:]
        func add(_ deploy: Deploy, _ reason: String) {
            var list = reasons[deploy.repository, default: [:]][deploy.digest, default: []]
            if !list.contains(reason) { list.append(reason) }
            reasons[deploy.repository, default: [:]][deploy.digest] = list
        }
        let environments = Dictionary(uniqueKeysWithValues: try store.environments().map { ($0.name, $0) })
        var services: [String: Set<String>] = [:]
        for pointer in try store.livePointers() {
            services[pointer.environment, default: []].insert(pointer.service)
            if let deploy = try store.deploy(id: pointer.deployID) { add(deploy, "live:\(pointer.environment)") }
        }
        for (name, names) in services.sorted(by: { $0.key < $1.key }) {
            guard let environment = environments[name] else { continue }
            // The LKG and rollback window as `lkg` and `rollback-plan` find them: under the environment's policy.
            var judge = try PolicyJudge(ledger: self, environment: environment)
            for service in names.sorted() {
                var good: [Deploy] = []
                var before: Int64?
                // Newest first, a page at a time, until the window (and the LKG) is found.
                pages: while good.count < max(keepGood, 1) {
                    let page = try store.succeededDeploys(environment: name, service: service, before: before, limit: 32)
                    for facts in page where try judge.isGood(facts) {
                        good.append(facts.deploy)
                        if good.count >= max(keepGood, 1) { break pages }
                    }
                    guard page.count == 32, let last = page.last else { break }
                    before = last.deploy.id
                }
                if let lkg = good.first { add(lkg, "lkg:\(name)") }
                for deploy in good.prefix(keepGood) { add(deploy, "rollback-window:\(name)") }
            }
        }
        for deploy in try store.inProgressDeploys() { add(deploy, "in-progress:\(deploy.environment)") }
        return reasons
    }

    /// The plan's deletions judged again now: a fresh plan from the same source with the same rules decides, so a
    /// digest that became protected, or one moved into `delete` by hand, is left alone and said so.
    package func reviewDeletions(_ plan: RetentionPlan, listing: RetentionListing?) throws(LedgerError) -> [RetentionDecision] {
        do { try plan.rules.check() } catch { throw .invalidInput(error) }
        guard ["ledger", "registry", "digitalocean"].contains(plan.source) else {
            throw .invalidInput(InvalidInput(field: "source", value: plan.source, reason: "expected ledger, registry or digitalocean"))
        }
        try Self.check(listing)
        let manifests: [String: [RetainedManifest]]
        switch plan.source {
        case "ledger": manifests = try store.retainedManifests()
        default: manifests = Self.withLedgerTimes(listing?.manifests ?? plan.manifests, ledger: try store.retainedManifests())
        }
        let fresh = RetentionPlanner.plan(manifests.filter { plan.repositories.map(\.repository).contains($0.key) },
                                          protected: try protections(keepGood: plan.rules.keepGood), rules: plan.rules,
                                          source: plan.source, now: clock())
        var decisions: [RetentionDecision] = []
        for repository in plan.repositories {
            let now = fresh.repositories.first { $0.repository == repository.repository }
            for entry in repository.delete {
                func decision(_ action: RetentionDecision.Action, _ detail: String) -> RetentionDecision {
                    RetentionDecision(repository: repository.repository, digest: entry.digest, tags: entry.tags, action: action, detail: detail)
                }
                guard (try? Repository(parsing: repository.repository)) != nil, (try? Digest(parsing: entry.digest)) != nil else {
                    decisions.append(decision(.refused, "not a repository and digest"))
                    continue
                }
                if let kept = now?.keep.first(where: { $0.digest == entry.digest }) {
                    decisions.append(decision(.skipped, "protected now: " + kept.reasons.joined(separator: ", ")))
                } else if now?.delete.contains(where: { $0.digest == entry.digest }) == true {
                    decisions.append(decision(.deleted, entry.reason))
                } else {
                    decisions.append(decision(.refused, "unknown digest: the \(plan.source) lists no such manifest in \(repository.repository)"))
                }
            }
        }
        return decisions
    }

    /// Records deletions the registry made (each closes the manifest's tags).
    package func recordDeletions(_ deletions: [ManifestDeletion]) throws(LedgerError) {
        for deletion in deletions {
            do { try InputLimits.check(deletion.reason, .text, atMost: 1024) } catch { throw .invalidInput(error.at("reason")) }
        }
        try store.record(deletions, at: clock())
    }
}
