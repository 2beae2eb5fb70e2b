import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogCrypto
import ShiplogStore
import ShiplogTestBackends
import ShiplogTestSupport
import Synchronization
import Testing

/// Policies through the application layer: the gate, goodness, LKG and the rollback plan under them, audit,
/// promotion, and what the log records.
@Suite("Policy through the application layer")
struct PolicyLedgerTests {
    final class Clock: Sendable {
        let now = Mutex(Timestamp(millisecondsSinceEpoch: 1_800_000_000_000))
        func read() -> Timestamp { now.withLock { $0 } }
        func advance(hours: Double) {
            now.withLock { $0 = Timestamp(millisecondsSinceEpoch: $0.millisecondsSinceEpoch + Int64(hours * 3_600_000)) }
        }
    }

    struct World {
        let clock = Clock()
        let ledger: ReleaseLedger
        let ci: PrivateKey
        let releaseManager: PrivateKey

        init(_ backend: StoreBackend = .sqlite, path: String? = nil) throws {
            let clock = clock
            ledger = ReleaseLedger(store: try path.map { try SQLiteLedger(path: $0) } ?? backend.open(), clock: { clock.read() })
            ci = try PrivateKey.generate(.ecdsaP256)
            releaseManager = try PrivateKey.generate(.ed25519)
            _ = try ledger.trust(try ci.publicKey, name: "ci")
            _ = try ledger.trust(try releaseManager.publicKey, name: "release-manager")
            _ = try ledger.createEnvironment(name: "staging", slots: [], requireSignature: false)
            _ = try ledger.createEnvironment(name: "prod", slots: [], requireSignature: false)
        }

        static let registry = "registry.digitalocean.com/the-shop-infra"

        func image(_ n: Int, service: String = "gateway", registry: String = registry) throws -> ImageReference {
            try ImageReference(parsing: "\(registry)/\(service)@sha256:" + String(repeating: "0", count: 63) + String(n, radix: 16))
        }

        func sign(_ n: Int, with key: PrivateKey, service: String = "gateway") throws {
            let image = try image(n, service: service)
            _ = try ledger.sign(repository: image.repository, digest: try #require(image.digest), with: key)
        }

        /// A SLSA v1 provenance attestation naming the workflow's repository, signed by `key`.
        func attest(_ n: Int, workflowRepository: String, by key: PrivateKey) throws {
            let image = try image(n)
            let digest = try #require(image.digest)
            let predicate = #"{"buildDefinition":{"buildType":"https://actions.github.io/buildtypes/workflow/v1","externalParameters":{"workflow":{"ref":"refs/heads/main","repository":"\#(workflowRepository)","path":".github/workflows/build.yml"}}},"runDetails":{"builder":{"id":"https://github.com/actions/runner"}}}"#
            let statement = InTotoStatement.bytes(repository: image.repository, digest: digest, predicateType: PredicateType.slsaProvenance1,
                                                  predicate: Array(predicate.utf8))
            let pae = DSSEEnvelope.preAuthenticationEncoding(payloadType: DSSEEnvelope.inTotoPayloadType, payload: statement)
            let envelope = DSSEEnvelope(payloadType: DSSEEnvelope.inTotoPayloadType, payload: statement, signatures: [.init(signature: try key.sign(pae))])
            _ = try ledger.importAttestations(Data(envelope.json), source: "att", target: .image(image.repository, digest), origin: "attest")
        }

        func setPolicy(_ env: String, _ json: String) throws -> PolicyVersion {
            try ledger.setPolicy(environment: env, document: try JSONInput.value(from: Data(json.utf8), source: "p"), source: "p.json", actor: "lead")
        }

        /// Starts, checks and finishes a deploy; nil when the gate refused it.
        @discardableResult
        func deploy(_ n: Int, env: String, service: String = "gateway", checks: [String: CheckStatus] = [:],
                    finish: DeployState = .succeeded) throws -> Deploy? {
            guard case let .started(deploy) = try ledger.startDeploy(environment: env, slot: nil, service: service,
                                                                       image: try image(n, service: service), actor: "ci") else { return nil }
            for (name, status) in checks.sorted(by: { $0.key < $1.key }) {
                _ = try ledger.checkDeploy(id: deploy.id, name: name, status: status, detail: nil)
            }
            return try ledger.finishDeploy(id: deploy.id, state: finish)
        }

        func refusal(_ n: Int, env: String) throws -> PolicyDecision? {
            guard case let .refused(_, decision) = try ledger.startDeploy(environment: env, slot: nil, service: "gateway",
                                                                          image: try image(n), actor: "ci") else { return nil }
            return decision
        }
    }

    static let prodPolicy = #"""
        {"repositories":["registry.digitalocean.com/the-shop-infra/*"],
         "signatures":{"min":2,"keys":["ci","release-manager"]},
         "attestations":[{"type":"slsaprovenance1","keys":["ci"],
                          "match":{"buildDefinition.externalParameters.workflow.repository":"https://github.com/the-shop/infra"}}],
         "checks":["health","mcp-tools","e2e"],"soak":{"environment":"staging","duration":"1h"}}
        """#
    static let allPassed: [String: CheckStatus] = ["health": .pass, "mcp-tools": .pass, "e2e": .pass]

    @Test("the reference team's prod: every rule refuses until met, each violation listed and recorded; then it deploys", arguments: StoreBackend.allCases)
    func referenceProd(_ backend: StoreBackend) throws {
        let world = try World(backend)
        let set = try world.setPolicy("prod", Self.prodPolicy)
        #expect(set.version == 1)
        let first = try #require(try world.refusal(1, env: "prod"))
        #expect(!first.allowed)
        #expect(first.policyVersion == 1)
        #expect(first.violations.map(\.rule) == [.signatures, .attestations, .soak])
        try world.sign(1, with: world.ci)
        try world.sign(1, with: world.releaseManager)
        try world.attest(1, workflowRepository: "https://github.com/someone/fork", by: world.ci)
        #expect(try world.refusal(1, env: "prod")?.violations.map(\.rule) == [.attestations, .soak])
        try world.attest(1, workflowRepository: "https://github.com/the-shop/infra", by: world.ci)
        try world.deploy(1, env: "staging")
        let early = try #require(try world.refusal(1, env: "prod"))
        #expect(early.violations.map(\.rule) == [.soak])
        world.clock.advance(hours: 1.5)
        let deployed = try #require(try world.deploy(1, env: "prod", checks: Self.allPassed))
        #expect(deployed.policyVersion == 1)
        #expect(deployed.policyViolations.isEmpty)
        // Each refusal was recorded with its violations; the log agrees with the tables.
        let refusals = try world.ledger.store.allRefusals()
        #expect(refusals.count == 3)
        #expect(refusals.map { $0.policy?.violations.map(\.rule) ?? [] } == [[.signatures, .attestations, .soak], [.attestations, .soak], [.soak]])
        #expect(refusals.allSatisfy { $0.reason == PolicyViolation.refusalReason })
        #expect(try world.ledger.verifyLog(logKey: nil, requireSignatures: false).intact)
    }

    @Test("an image from another registry is refused by repositories", arguments: StoreBackend.allCases)
    func repositories(_ backend: StoreBackend) throws {
        let world = try World(backend)
        _ = try world.setPolicy("prod", #"{"repositories":["registry.digitalocean.com/the-shop-infra/*"]}"#)
        let outside = try world.image(1, registry: "ghcr.io/someone")
        guard case let .refused(_, decision?) = try world.ledger.startDeploy(environment: "prod", slot: nil, service: "gateway", image: outside,
                                                                              actor: nil) else {
            Issue.record("deployed from another registry")
            return
        }
        #expect(decision.violations.map(\.rule) == [.repositories])
        #expect(try world.deploy(1, env: "prod") != nil)
    }

    @Test("audit mode: allowed, its violations recorded with the deploy; goodness unchanged; the floor of --require-signature kept", arguments: StoreBackend.allCases)
    func auditMode(_ backend: StoreBackend) throws {
        let world = try World(backend)
        _ = try world.setPolicy("prod", #"{"mode":"audit","signatures":{"min":2},"checks":["e2e"]}"#)
        let deploy = try #require(try world.deploy(1, env: "prod"))
        #expect(deploy.policyViolations.map(\.rule) == [.signatures])
        let live = try world.ledger.live(environment: "prod", slot: nil).services
        #expect(live.first?.good == true, "audit mode must not change goodness: \(live)")
        #expect(try world.ledger.store.allDeploys().first?.policyViolations.map(\.rule) == [.signatures])
        // A protected environment keeps its signature rule under an audit policy.
        _ = try world.ledger.createEnvironment(name: "secure", slots: [], requireSignature: true)
        _ = try world.setPolicy("secure", #"{"mode":"audit","checks":["e2e"]}"#)
        let refused = try #require(try world.refusal(2, env: "secure"))
        #expect(!refused.allowed)
        #expect(refused.violations.first?.detail.hasPrefix("--require-signature") == true)
        try world.sign(2, with: world.ci)
        #expect(try world.refusal(2, env: "secure") == nil)
    }

    @Test("good needs each policy check passed (a missing check is not a pass); LKG and the rollback plan follow", arguments: StoreBackend.allCases)
    func checksDecideGoodness(_ backend: StoreBackend) throws {
        let world = try World(backend)
        _ = try world.setPolicy("prod", #"{"checks":["health","mcp-tools","e2e"]}"#)
        try world.deploy(1, env: "prod", checks: Self.allPassed)
        try world.deploy(2, env: "prod", checks: ["health": .pass, "mcp-tools": .pass])
        let live = try #require(try world.ledger.live(environment: "prod", slot: nil).services.first)
        #expect(!live.good)
        #expect(live.notGoodBecause == ["policy checks: no pass recorded for e2e"])
        #expect(try world.ledger.lastKnownGood(environment: "prod", service: "gateway")?.digest == (try world.image(1).digest?.description))
        let plan = try world.ledger.rollbackPlan(environment: "prod", service: nil, toPrevious: false)
        #expect(plan.actions.map(\.action) == [.redeploy])
        #expect(plan.actions.first?.digest == (try world.image(1).digest?.description))
    }

    @Test("revoking a key makes deploys it vouched for not good at once, under the policy too", arguments: StoreBackend.allCases)
    func revocationIsRetroactive(_ backend: StoreBackend) throws {
        let world = try World(backend)
        _ = try world.setPolicy("prod", #"{"signatures":{"min":2,"keys":["ci","release-manager"]}}"#)
        try world.sign(1, with: world.ci)
        try world.sign(1, with: world.releaseManager)
        try world.deploy(1, env: "prod")
        #expect(try world.ledger.live(environment: "prod", slot: nil).services.first?.good == true)
        _ = try world.ledger.revokeKey(id: try world.releaseManager.publicKey.keyID, reason: "left")
        let live = try #require(try world.ledger.live(environment: "prod", slot: nil).services.first)
        #expect(!live.good)
        #expect(live.notGoodBecause.first?.contains("has 1 (ci)") == true, "\(live.notGoodBecause)")
        #expect(try world.ledger.lastKnownGood(environment: "prod", service: "gateway") == nil)
        #expect(try world.ledger.checkPolicy(environment: "prod", image: try world.image(1)).allowed == false)
    }

    @Test("a revoked key stops an attestation counting at once, although its verification is cached", arguments: StoreBackend.allCases)
    func attestationRevocation(_ backend: StoreBackend) throws {
        let world = try World(backend)
        _ = try world.setPolicy("prod", #"{"attestations":[{"type":"slsaprovenance1","keys":["ci"]}]}"#)
        try world.attest(1, workflowRepository: "https://github.com/the-shop/infra", by: world.ci)
        #expect(try world.ledger.checkPolicy(environment: "prod", image: try world.image(1)).allowed)
        #expect(try world.ledger.checkPolicy(environment: "prod", image: try world.image(1)).allowed)
        _ = try world.ledger.revokeKey(id: try world.ci.publicKey.keyID, reason: "leaked")
        let after = try world.ledger.checkPolicy(environment: "prod", image: try world.image(1))
        #expect(!after.allowed)
        #expect(after.violations.map(\.rule) == [.attestations])
    }

    @Test("a refused policy leaves the one in force; each set is a new version in the log", arguments: StoreBackend.allCases)
    func badPolicyKeepsOld(_ backend: StoreBackend) throws {
        let world = try World(backend)
        _ = try world.setPolicy("prod", #"{"checks":["e2e"]}"#)
        let before = try world.ledger.store.logSize()
        for bad in [#"{"signatures":{"keys":["nobody"]}}"#, #"{"soak":{"environment":"prod","duration":"1h"}}"#,
                    #"{"soak":{"environment":"qa","duration":"1h"}}"#, #"{"signatures":{"min":0}}"#] {
            #expect(throws: LedgerError.self, "\(bad)") { try world.setPolicy("prod", bad) }
        }
        #expect(try world.ledger.store.logSize() == before)
        #expect(try world.ledger.policy(environment: "prod").version == 1)
        let second = try world.setPolicy("prod", #"{"checks":["e2e","health"]}"#)
        #expect(second.version == 2)
        #expect(second.actor == "lead")
        #expect(try world.ledger.store.logSize() == before + 1)
        #expect(throws: LedgerError.self) { try world.ledger.policy(environment: "staging") }
        #expect(throws: LedgerError.self) { try world.setPolicy("nowhere", #"{}"#) }
    }

    @Test("policy audit: which recorded deploys the current policy would have refused, and why (soak as of each start)", arguments: StoreBackend.allCases)
    func audit(_ backend: StoreBackend) throws {
        let world = try World(backend)
        try world.deploy(1, env: "staging")
        world.clock.advance(hours: 2)
        try world.sign(1, with: world.ci)
        try world.deploy(1, env: "prod", checks: Self.allPassed)          // soaked 2 h, signed, all checks
        try world.deploy(2, env: "prod", checks: ["health": .pass])        // never in staging, unsigned, checks missing
        world.clock.advance(hours: 1)
        _ = try world.setPolicy("prod", #"{"signatures":{"min":1},"checks":["health","e2e"],"soak":{"environment":"staging","duration":"1h"}}"#)
        let audit = try world.ledger.auditPolicy(environment: "prod", since: nil)
        #expect(audit.deploys == 2)
        #expect(audit.refused == 1)
        #expect(audit.notGood == 1)
        #expect(audit.policyVersion == 1)
        try #require(audit.results.count == 1)
        #expect(audit.results[0].digest == (try world.image(2).digest?.description))
        #expect(!audit.results[0].allowed)
        #expect(audit.results[0].violations.map(\.rule) == [.signatures, .soak, .checks])
        let later = try world.ledger.auditPolicy(environment: "prod", since: world.clock.read())
        #expect(later.deploys == 0)
        #expect(throws: LedgerError.self) { try world.ledger.auditPolicy(environment: "staging", since: nil) }
    }

    @Test("promote: the newest good in staging that prod allows; none when live; blocked with the violations", arguments: StoreBackend.allCases)
    func promote(_ backend: StoreBackend) throws {
        let world = try World(backend)
        _ = try world.setPolicy("prod", #"{"signatures":{"min":1},"soak":{"environment":"staging","duration":"1h"}}"#)
        for (n, service) in [(1, "gateway"), (2, "rag"), (3, "state")] {
            try world.sign(n, with: world.ci, service: service)
            try world.deploy(n, env: "staging", service: service)
        }
        try world.deploy(9, env: "staging", service: "cicd", finish: .failed)   // nothing good to promote
        world.clock.advance(hours: 2)
        try world.deploy(3, env: "prod", service: "state")                      // already live
        try world.deploy(4, env: "staging", service: "rag")                     // newest good, unsigned and not soaked
        let promotion = try world.ledger.promote(from: "staging", to: "prod", service: nil)
        let byService = Dictionary(uniqueKeysWithValues: promotion.actions.map { ($0.service, $0) })
        #expect(promotion.actions.map(\.service) == ["cicd", "gateway", "rag", "state"])
        #expect(byService["gateway"]?.action == .promote)
        #expect(byService["gateway"]?.digest == (try world.image(1, service: "gateway").digest?.description))
        #expect(byService["gateway"]?.fromDigest == nil)
        #expect(byService["rag"]?.action == .blocked)
        #expect(byService["rag"]?.digest == (try world.image(4, service: "rag").digest?.description))
        #expect(byService["rag"]?.violations.map(\.rule) == [.signatures, .soak])
        #expect(byService["state"]?.action == PromotionAction.Kind.none)
        #expect(byService["state"]?.fromImage == (try world.image(3, service: "state").description))
        #expect(byService["cicd"]?.action == PromotionAction.Kind.none)
        #expect(byService["cicd"]?.reason == "no good deploy of cicd in staging")
        #expect(try world.ledger.promote(from: "staging", to: "prod", service: "gateway").actions.map(\.service) == ["gateway"])
        #expect(throws: LedgerError.self) { try world.ledger.promote(from: "staging", to: "staging", service: nil) }
        #expect(throws: LedgerError.self) { try world.ledger.promote(from: "staging", to: "prod", service: "nothing") }
    }

    @Test("log verify finds a policy row edited after the fact, and a deploy's recorded judgement changed")
    func tamperedPolicyIsFound() throws {
        for (sql, row) in [
            ("UPDATE policy SET document = '{\"mode\":\"audit\"}' WHERE version = 1", "policy prod v1"),
            ("UPDATE deploy SET policy_violations = '[]'", "deploy 1"),
            ("UPDATE deploy_refusal SET violations = '[]'", "refused deploy 1"),
        ] {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let path = directory.path("l.sqlite")
            let world = try World(path: path)
            _ = try world.setPolicy("prod", #"{"mode":"audit","signatures":{"min":1}}"#)
            try world.deploy(1, env: "prod")
            _ = try world.setPolicy("prod", #"{"signatures":{"min":1}}"#)
            #expect(try world.refusal(2, env: "prod") != nil)
            #expect(try world.ledger.verifyLog(logKey: nil, requireSignatures: false).intact)
            // As an attacker with the file would: drop the append-only triggers first.
            let triggers = try Tool.run("/usr/bin/sqlite3", [path, "SELECT 'DROP TRIGGER ' || name || ';' FROM sqlite_master WHERE type = 'trigger'"])
            let edited = try Tool.run("/usr/bin/sqlite3", [path, triggers.output + sql])
            try #require(edited.status == 0, "\(edited.output)")
            let verification = try world.ledger.verifyLog(logKey: nil, requireSignatures: false)
            #expect(!verification.intact, "\(sql)")
            #expect(verification.problem?.contains(row) == true, "\(sql): \(verification.problem ?? "")")
        }
    }
}
