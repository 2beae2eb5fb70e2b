import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogCrypto
import ShiplogStore

/// Issue 16's targets: the gate's policy evaluation (two required signatures, one required attestation) on a ledger
/// of 1,000,000 deploys, and `policy audit` over 100,000 deploys; `live` under the policy beside it.
enum PolicyBenchmark {
    static let policy = #"""
        {"signatures":{"min":2,"keys":["bench","release-manager"]},
         "attestations":[{"type":"slsaprovenance1","keys":["ci"],
                          "match":{"buildDefinition.externalParameters.workflow.repository":"https://github.com/the-shop/infra"}}],
         "checks":["health"]}
        """#

    static func run(in folder: URL) throws -> [Finding] {
        try [gate(in: folder), audit(in: folder)].flatMap { $0 }
    }

    /// The 1,000,000-deploy ledger of the deploys group (its images signed by "bench"); prod's first 20 versions of every
    /// service signed by a second key and attested by a third, so the gate allows them and has every rule to check.
    static func gate(in folder: URL) throws -> [Finding] {
        let path = folder.appending(path: "policy-gate.sqlite").path
        let store = try SQLiteLedger(path: path)
        let ledger = ReleaseLedger(store: store)
        let seeding = try Stopwatch.seconds { try DeployQueryBenchmark.seed(ledger, store) }
        FileHandle.standardOutput.write(Data(("seeded \(DeployQueryBenchmark.deploys) deploys in \(String(format: "%.1f", seeding)) s\n").utf8))
        // The seed signed every image with its key "bench"; a release manager signs too, CI attests.
        let ci = try PrivateKey.generate(.ecdsaP256)
        let releaseManager = try PrivateKey.generate(.ed25519)
        _ = try ledger.trust(try ci.publicKey, name: "ci")
        _ = try ledger.trust(try releaseManager.publicKey, name: "release-manager")
        var compliant: [ImageReference] = []
        for (index, service) in DeployQueryBenchmark.services.enumerated() {
            for version in 0 ..< 20 {
                let digest = try Digest(parsing: IngestBenchmark.digest(DeployQueryBenchmark.services.count * version + index + 1))
                let image = try ImageReference(parsing: "registry.example.com/acme/\(service)@\(digest)")
                _ = try ledger.sign(repository: image.repository, digest: digest, with: releaseManager)
                try attest(ledger, image, digest, with: ci)
                compliant.append(image)
            }
        }
        _ = try ledger.setPolicy(environment: "prod", document: try JSONInput.value(from: Data(policy.utf8), source: "policy"),
                                 source: "policy", actor: "bench")
        var evaluations: [Double] = []
        var starts: [Double] = []
        var lives: [Double] = []
        var generator = SystemRandomNumberGenerator()
        var allowed = 0
        for round in 0 ..< 2_000 {
            let image = compliant.randomElement(using: &generator) ?? compliant[0]
            evaluations.append(try Stopwatch.seconds {
                if try ledger.checkPolicy(environment: "prod", image: image).allowed { allowed += 1 }
            })
            if round < 300 {
                let service = image.repository.name.split(separator: "/").last.map(String.init) ?? "svc0"
                starts.append(try Stopwatch.seconds {
                    _ = try ledger.startDeploy(environment: "prod", slot: nil, service: service, image: image, actor: nil)
                })
                lives.append(try Stopwatch.seconds { _ = try ledger.live(environment: "prod", slot: nil) })
            }
        }
        let p99 = Stopwatch.percentile(evaluations, 0.99)
        return [
            Finding(name: "policy evaluation at deploy start (2 signatures, 1 attestation, \(DeployQueryBenchmark.deploys) deploys)",
                    figure: "p99 \(Stopwatch.ms(p99)), median \(Stopwatch.ms(Stopwatch.percentile(evaluations, 0.5))); \(allowed) of 2000 allowed",
                    target: "p99 <= 1.00 ms", met: p99 <= 0.001 && allowed == evaluations.count),
            Finding(name: "deploy start under that policy (evaluation and the durable write)",
                    figure: "p99 \(Stopwatch.ms(Stopwatch.percentile(starts, 0.99))), median \(Stopwatch.ms(Stopwatch.percentile(starts, 0.5)))",
                    target: "reported", met: true),
            Finding(name: "live under that policy (50 services, each judged: checks, signatures, attestation)",
                    figure: "p99 \(Stopwatch.ms(Stopwatch.percentile(lives, 0.99))), median \(Stopwatch.ms(Stopwatch.percentile(lives, 0.5)))",
                    target: "reported (over HTTP it is cached)", met: true),
        ]
    }

    /// 100,000 deploys of prod (10 services, 100 digests each), every digest signed once and half of them attested:
    /// `policy audit` judges them all against two signatures, the attestation, two checks and a soak in staging.
    static func audit(in folder: URL) throws -> [Finding] {
        let path = folder.appending(path: "policy-audit.sqlite").path
        let store = try SQLiteLedger(path: path)
        let ledger = ReleaseLedger(store: store)
        _ = try ledger.createEnvironment(name: "staging", slots: [], requireSignature: false)
        _ = try ledger.createEnvironment(name: "prod", slots: [], requireSignature: false)
        let bench = try PrivateKey.generate(.ecdsaP256)
        _ = try ledger.trust(try bench.publicKey, name: "bench")
        _ = try ledger.trust(try PrivateKey.generate(.ed25519).publicKey, name: "release-manager")
        let services = (0 ..< 10).map { "svc\($0)" }
        var images: [[(Repository, Digest)]] = []
        for (index, service) in services.enumerated() {
            let repository = try Repository(parsing: "registry.example.com/acme/\(service)")
            var row: [(Repository, Digest)] = []
            for version in 0 ..< 100 {
                let digest = try Digest(parsing: IngestBenchmark.digest(100_000 + services.count * version + index))
                _ = try ledger.sign(repository: repository, digest: digest, with: bench)
                if version % 2 == 0 {
                    try attest(ledger, try ImageReference(parsing: "\(repository.name)@\(digest)"), digest, with: bench)
                }
                row.append((repository, digest))
            }
            images.append(row)
        }
        var batch: [SQLiteLedger.SeedDeploy] = []
        for step in 0 ..< 10_000 {
            for (index, service) in services.enumerated() {
                let (repository, digest) = images[index][step % 100]
                batch.append(SQLiteLedger.SeedDeploy(deploy: NewDeploy(environment: "prod", slot: nil, service: service, repository: repository,
                                                                       tag: "v\(step)", digest: digest, actor: nil),
                                                     state: .succeeded, checks: [.pass]))
            }
            if step < 50 {  // the first half of the digests soaked in staging
                for (index, service) in services.enumerated() {
                    let (repository, digest) = images[index][step]
                    batch.append(SQLiteLedger.SeedDeploy(deploy: NewDeploy(environment: "staging", slot: nil, service: service,
                                                                           repository: repository, tag: "v\(step)", digest: digest, actor: nil),
                                                         state: .succeeded, checks: [.pass]))
                }
            }
        }
        try store.seed(batch, at: Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970 - 7_200))
        let strict = #"{"signatures":{"min":2},"attestations":[{"type":"slsaprovenance1","keys":["bench"]}],"checks":["health","e2e"],"soak":{"environment":"staging","duration":"1h"}}"#
        _ = try ledger.setPolicy(environment: "prod", document: try JSONInput.value(from: Data(strict.utf8), source: "policy"), source: "policy",
                                 actor: "bench")
        var result: PolicyAudit?
        var times: [Double] = []
        for _ in 0 ..< 3 { times.append(try Stopwatch.seconds { result = try ledger.auditPolicy(environment: "prod", since: nil) }) }
        let best = times.min() ?? .nan
        let judged = result?.deploys ?? 0
        return [Finding(name: "policy audit over \(judged) deploys (\(result?.refused ?? 0) would be refused)",
                        figure: "best of 3 \(Stopwatch.ms(best)), worst \(Stopwatch.ms(times.max() ?? .nan))",
                        target: "<= 2000 ms", met: best <= 2 && judged == 100_000)]
    }

    static func attest(_ ledger: ReleaseLedger, _ image: ImageReference, _ digest: Digest, with key: PrivateKey) throws {
        let predicate = #"{"buildDefinition":{"buildType":"https://actions.github.io/buildtypes/workflow/v1","externalParameters":{"workflow":{"repository":"https://github.com/the-shop/infra","path":".github/workflows/build.yml","ref":"refs/heads/main"}}},"runDetails":{"builder":{"id":"https://github.com/actions/runner"}}}"#
        let statement = InTotoStatement.bytes(repository: image.repository, digest: digest, predicateType: PredicateType.slsaProvenance1,
                                              predicate: Array(predicate.utf8))
        let pae = DSSEEnvelope.preAuthenticationEncoding(payloadType: DSSEEnvelope.inTotoPayloadType, payload: statement)
        let envelope = DSSEEnvelope(payloadType: DSSEEnvelope.inTotoPayloadType, payload: statement, signatures: [.init(signature: try key.sign(pae))])
        _ = try ledger.importAttestations(Data(envelope.json), source: "bench", target: .image(image.repository, digest), origin: "attest")
    }
}
