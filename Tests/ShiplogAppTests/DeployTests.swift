import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogCrypto
import ShiplogStore
import ShiplogTestBackends
import Testing

/// Every edge of the contract's definitions of live, good, last-known-good and the rollback plan.
@Suite("Deploys: live, good, last-known-good, rollback plan")
struct DeployTests {
    static let repository = "registry.example.com/acme/gateway"

    static func digest(_ n: Int) -> String { "sha256:" + String(repeating: "0", count: 63) + String(n, radix: 16) }

    struct World {
        var ledger: ReleaseLedger
        var key: PrivateKey

        init(_ backend: StoreBackend) throws {
            ledger = ReleaseLedger(store: try backend.open())
            key = try PrivateKey.generate(.ecdsaP256)
            _ = try ledger.trust(try key.publicKey, name: "ci")
        }

        func image(_ n: Int, service: String = "gateway") throws -> ImageReference {
            try ImageReference(parsing: "registry.example.com/acme/\(service)@\(DeployTests.digest(n))")
        }

        func sign(_ n: Int, service: String = "gateway") throws {
            let image = try image(n, service: service)
            guard let digest = image.digest else { return }
            _ = try ledger.sign(repository: image.repository, digest: digest, with: key)
        }

        /// Starts a deploy, records checks, finishes it; returns its id.
        @discardableResult
        func deploy(_ n: Int, env: String = "prod", slot: String? = nil, service: String = "gateway", finish: DeployState? = .succeeded,
                    checks: [CheckStatus] = [.pass]) throws -> Int64 {
            guard case let .started(deploy) = try ledger.startDeploy(environment: env, slot: slot, service: service,
                                                                       image: try image(n, service: service), actor: "ci") else {
                throw LedgerError.notFound("refused")
            }
            if let finish { _ = try ledger.finishDeploy(id: deploy.id, state: finish) }
            for (index, status) in checks.enumerated() {
                _ = try ledger.checkDeploy(id: deploy.id, name: "check\(index)", status: status, detail: nil)
            }
            return deploy.id
        }

        func live(_ env: String = "prod", slot: String? = nil) throws -> [LiveService] {
            try ledger.live(environment: env, slot: slot).services
        }

        func lkg(_ env: String = "prod", service: String = "gateway") throws -> String? {
            try ledger.lastKnownGood(environment: env, service: service)?.digest
        }

        func plan(_ env: String = "prod", service: String? = nil, toPrevious: Bool = false) throws -> [RollbackAction] {
            try ledger.rollbackPlan(environment: env, service: service, toPrevious: toPrevious).actions
        }
    }

    @Test("a failed live deploy is live and not good; the plan redeploys the LKG", arguments: StoreBackend.allCases)
    func failedLiveDeploy(_ backend: StoreBackend) throws {
        let world = try World(backend)
        _ = try world.ledger.createEnvironment(name: "prod", slots: [], requireSignature: false)
        try world.deploy(1)
        try world.deploy(2, finish: .failed, checks: [])
        let live = try world.live()
        try #require(live.count == 1)
        #expect(live[0].facts.deploy.digest == Self.digest(2))
        #expect(!live[0].good)
        #expect(live[0].notGoodBecause == ["deploy failed"])
        #expect(try world.lkg() == Self.digest(1))
        let plan = try world.plan()
        try #require(plan.map(\.action) == [.redeploy])
        #expect(plan[0].digest == Self.digest(1))
        #expect(plan[0].fromDigest == Self.digest(2))
    }

    @Test("an in-progress deploy is live and not good", arguments: StoreBackend.allCases)
    func inProgress(_ backend: StoreBackend) throws {
        let world = try World(backend)
        _ = try world.ledger.createEnvironment(name: "prod", slots: [], requireSignature: false)
        try world.deploy(1)
        try world.deploy(2, finish: nil, checks: [])
        #expect(try world.live()[0].facts.deploy.state == .inProgress)
        #expect(try world.live()[0].good == false)
    }

    @Test("succeeded with a failed check is not good; the LKG is the deploy before it", arguments: StoreBackend.allCases)
    func succeededWithFailedCheck(_ backend: StoreBackend) throws {
        let world = try World(backend)
        _ = try world.ledger.createEnvironment(name: "prod", slots: [], requireSignature: false)
        try world.deploy(1, checks: [.pass, .skip])
        try world.deploy(2, checks: [.pass, .fail])
        #expect(try world.live()[0].notGoodBecause == ["a check failed"])
        #expect(try world.lkg() == Self.digest(1))
    }

    @Test("if the live deploy is good, it is the LKG and the plan says none", arguments: StoreBackend.allCases)
    func liveIsGood(_ backend: StoreBackend) throws {
        let world = try World(backend)
        _ = try world.ledger.createEnvironment(name: "prod", slots: [], requireSignature: false)
        try world.deploy(1)
        let id = try world.deploy(2)
        #expect(try world.ledger.lastKnownGood(environment: "prod", service: "gateway")?.id == id)
        #expect(try world.plan().map(\.action) == [.none])
    }

    @Test("a digest marked bad makes every deploy of it not good", arguments: StoreBackend.allCases)
    func markedBad(_ backend: StoreBackend) throws {
        let world = try World(backend)
        _ = try world.ledger.createEnvironment(name: "prod", slots: [], requireSignature: false)
        try world.deploy(1)
        try world.deploy(2)
        try world.deploy(1)  // redeployed later: still the same bad image
        let image = try world.image(1)
        try world.ledger.markBad(repository: image.repository, digest: try #require(image.digest), reason: "CVE-2026-1234")
        #expect(try world.live()[0].notGoodBecause == ["image marked bad"])
        #expect(try world.lkg() == Self.digest(2))
    }

    @Test("the same digest redeployed: the newest deploy is the one live and the LKG", arguments: StoreBackend.allCases)
    func redeployed(_ backend: StoreBackend) throws {
        let world = try World(backend)
        _ = try world.ledger.createEnvironment(name: "prod", slots: [], requireSignature: false)
        try world.deploy(1)
        try world.deploy(2, finish: .failed)
        let again = try world.deploy(1)
        #expect(try world.live()[0].facts.deploy.id == again)
        #expect(try world.ledger.lastKnownGood(environment: "prod", service: "gateway")?.id == again)
        // --to-previous skips every deploy of the live digest
        let plan = try world.plan(service: "gateway", toPrevious: true)
        #expect(plan.map(\.action) == [.noGoodDeploy], "digest 2 failed and digest 1 is the live one")
    }

    @Test("--to-previous: the newest good deploy whose digest differs from the live one", arguments: StoreBackend.allCases)
    func toPrevious(_ backend: StoreBackend) throws {
        let world = try World(backend)
        _ = try world.ledger.createEnvironment(name: "prod", slots: [], requireSignature: false)
        try world.deploy(1)
        try world.deploy(2)
        try world.deploy(3)
        let plan = try world.plan(service: "gateway", toPrevious: true)
        try #require(plan.count == 1)
        #expect(plan[0].action == .redeploy)
        #expect(plan[0].digest == Self.digest(2))
        #expect(plan[0].fromDigest == Self.digest(3))
        #expect(throws: LedgerError.self) { _ = try world.plan(toPrevious: true) }
    }

    @Test("no good deploy at all", arguments: StoreBackend.allCases)
    func noGoodDeploy(_ backend: StoreBackend) throws {
        let world = try World(backend)
        _ = try world.ledger.createEnvironment(name: "prod", slots: [], requireSignature: false)
        try world.deploy(1, finish: .failed)
        #expect(try world.lkg() == nil)
        #expect(try world.plan().map(\.action) == [.noGoodDeploy])
    }

    @Test("the gate refuses an unsigned digest in a protected environment, and records the refusal", arguments: StoreBackend.allCases)
    func gateRefusesUnsigned(_ backend: StoreBackend) throws {
        let world = try World(backend)
        _ = try world.ledger.createEnvironment(name: "prod", slots: [], requireSignature: true)
        let outcome = try world.ledger.startDeploy(environment: "prod", slot: nil, service: "gateway", image: try world.image(1), actor: nil)
        guard case let .refused(verification, nil) = outcome else {
            Issue.record("an unsigned digest was deployed into a protected environment")
            return
        }
        #expect(verification.reason == .noSignature)
        #expect(try world.live().isEmpty)
        try world.sign(1)
        try world.deploy(1)
        #expect(try world.live()[0].good)
    }

    @Test("a revoked key in a protected environment: deploys it signed are no longer good, and the gate refuses", arguments: StoreBackend.allCases)
    func revokedKey(_ backend: StoreBackend) throws {
        let world = try World(backend)
        _ = try world.ledger.createEnvironment(name: "prod", slots: [], requireSignature: true)
        try world.sign(1)
        try world.sign(2)
        try world.deploy(1)
        try world.deploy(2)
        #expect(try world.live()[0].good)
        _ = try world.ledger.revokeKey(id: try world.key.publicKey.keyID, reason: "leaked")
        #expect(try world.live()[0].notGoodBecause == ["no valid signature from a trusted, unrevoked key"])
        #expect(try world.lkg() == nil)
        guard case let .refused(verification, nil) = try world.ledger.startDeploy(
            environment: "prod", slot: nil, service: "gateway", image: try world.image(2), actor: nil) else {
            Issue.record("the gate let a digest signed only by a revoked key through")
            return
        }
        #expect(verification.reason == .keyRevoked)
        // a second key, trusted later, vouches again for images it signed (even signed before it was trusted)
        let second = try PrivateKey.generate(.ed25519)
        let image = try world.image(2)
        _ = try world.ledger.sign(repository: image.repository, digest: try #require(image.digest), with: second)
        #expect(try world.live()[0].good == false)
        _ = try world.ledger.trust(try second.publicKey, name: "second")
        #expect(try world.live()[0].good)
    }

    @Test("slots: a switch and a switch back; the plan switches back when the old slot is all good", arguments: StoreBackend.allCases)
    func slots(_ backend: StoreBackend) throws {
        let world = try World(backend)
        let prod = try world.ledger.createEnvironment(name: "prod", slots: ["blue", "green"], requireSignature: false)
        #expect(prod.activeSlot == "blue")
        for service in ["gateway", "rag"] {
            try world.deploy(1, slot: "blue", service: service)
            try world.deploy(2, slot: "green", service: service)
        }
        #expect(try world.live().map(\.facts.deploy.digest) == [Self.digest(1), Self.digest(1)])
        _ = try world.ledger.switchSlot(environment: "prod", to: "green", actor: "ops")
        #expect(try world.live().map(\.facts.deploy.digest) == [Self.digest(2), Self.digest(2)])
        #expect(try world.plan().map(\.action) == [.none, .none])

        // green goes bad after the switch: switch back to blue, whose services are all good
        let image = try world.image(2, service: "rag")
        try world.ledger.markBad(repository: image.repository, digest: try #require(image.digest), reason: "incident")
        let plan = try world.plan()
        #expect(plan.map(\.action) == [.switchSlot, .switchSlot])
        #expect(plan.allSatisfy { $0.slot == "blue" })
        #expect(plan.map(\.service) == ["gateway", "rag"])

        // after switching back, blue is live again and good
        _ = try world.ledger.switchSlot(environment: "prod", to: "blue", actor: "ops")
        #expect(try world.live().allSatisfy(\.good))
        #expect(try world.live(slot: "green").map(\.good) == [true, false])

        // blue goes bad too: the old slot (green) is not all good, so the plan redeploys per service
        try world.deploy(3, slot: "blue", service: "gateway", finish: .failed)
        let redeploy = try world.plan()
        #expect(redeploy.map(\.action) == [.redeploy, .none])
        #expect(redeploy[0].digest == Self.digest(2), "the newest good deploy of gateway in prod, in any slot")
    }

    @Test("invalid transitions and unknown names are input errors", arguments: StoreBackend.allCases)
    func invalidTransitions(_ backend: StoreBackend) throws {
        let world = try World(backend)
        _ = try world.ledger.createEnvironment(name: "prod", slots: ["blue", "green"], requireSignature: false)
        let id = try world.deploy(1, slot: "blue")
        let inputErrors: [() throws -> Void] = [
            { _ = try world.ledger.finishDeploy(id: id, state: .failed) },                       // finishing twice
            { _ = try world.ledger.checkDeploy(id: 999, name: "health", status: .pass, detail: nil) },  // unknown deploy
            { _ = try world.ledger.finishDeploy(id: 999, state: .succeeded) },
            { _ = try world.ledger.startDeploy(environment: "nope", slot: nil, service: "gateway", image: try world.image(1), actor: nil) },
            { _ = try world.ledger.startDeploy(environment: "prod", slot: nil, service: "gateway", image: try world.image(1), actor: nil) },
            { _ = try world.ledger.startDeploy(environment: "prod", slot: "red", service: "gateway", image: try world.image(1), actor: nil) },
            { _ = try world.ledger.switchSlot(environment: "prod", to: "red", actor: nil) },
            { _ = try world.ledger.createEnvironment(name: "prod", slots: [], requireSignature: true) },
            { _ = try world.ledger.createEnvironment(name: "Prod", slots: [], requireSignature: false) },
            { _ = try world.ledger.startDeploy(environment: "prod", slot: "blue", service: "gateway",
                                               image: try ImageReference(parsing: "\(Self.repository):unknown"), actor: nil) },
        ]
        for (index, attempt) in inputErrors.enumerated() {
            #expect(throws: LedgerError.self, "case \(index)") { try attempt() }
        }
    }

    @Test("deploy by tag stores the digest the tag named at that moment", arguments: StoreBackend.allCases)
    func deployByTag(_ backend: StoreBackend) throws {
        let world = try World(backend)
        _ = try world.ledger.createEnvironment(name: "prod", slots: [], requireSignature: false)
        let repository = try Repository(parsing: Self.repository)
        _ = try world.ledger.recordBuild(NewBuild(service: "gateway", repository: repository, tag: "stable", digest: try Digest(parsing: Self.digest(1))))
        guard case let .started(first) = try world.ledger.startDeploy(
            environment: "prod", slot: nil, service: "gateway", image: try ImageReference(parsing: "\(Self.repository):stable"), actor: nil) else {
            Issue.record("refused")
            return
        }
        _ = try world.ledger.recordBuild(NewBuild(service: "gateway", repository: repository, tag: "stable", digest: try Digest(parsing: Self.digest(2)),
                                                  runID: "2"))
        guard case let .started(second) = try world.ledger.startDeploy(
            environment: "prod", slot: nil, service: "gateway", image: try ImageReference(parsing: "\(Self.repository):stable"), actor: nil) else {
            Issue.record("refused")
            return
        }
        #expect(first.digest == Self.digest(1))
        #expect(second.digest == Self.digest(2))
        #expect(second.tag == "stable")
    }
}
