import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogCrypto
import ShiplogStore

/// `live`, `lkg` and the rollback plan on a ledger of 1,000,000 deploys across 50 services and 5 environments.
enum DeployQueryBenchmark {
    static let environments = ["prod", "staging", "qa", "dev", "canary"]
    static let services = (0 ..< 50).map { "svc\($0)" }
    static let deploys = 1_000_000
    static let versions = 100

    static func run(in folder: URL) throws -> [Finding] {
        let path = folder.appending(path: "deploys.sqlite").path
        let store = try SQLiteLedger(path: path)
        let ledger = ReleaseLedger(store: store)
        let seeding = try Stopwatch.seconds { try seed(ledger, store) }
        FileHandle.standardOutput.write(Data(("seeded \(deploys) deploys in \(String(format: "%.1f", seeding)) s\n").utf8))

        var liveTimes: [Double] = []
        var lkgTimes: [Double] = []
        var planTimes: [Double] = []
        var generator = SystemRandomNumberGenerator()
        for round in 0 ..< 2000 {
            let environment = environments[round % environments.count]
            liveTimes.append(try Stopwatch.seconds { _ = try ledger.live(environment: environment, slot: nil) })
            let service = services.randomElement(using: &generator) ?? "svc0"
            lkgTimes.append(try Stopwatch.seconds { _ = try ledger.lastKnownGood(environment: environment, service: service) })
            if round < 500 {
                planTimes.append(try Stopwatch.seconds { _ = try ledger.rollbackPlan(environment: environment, service: nil, toPrevious: false) })
            }
        }
        func finding(_ name: String, _ samples: [Double], percentile: Double, target: Double) -> Finding {
            let value = Stopwatch.percentile(samples, percentile)
            return Finding(name: "\(name) with \(deploys) deploys", figure: "p\(Int(percentile * 100)) \(Stopwatch.ms(value)), median \(Stopwatch.ms(Stopwatch.percentile(samples, 0.5)))",
                           target: "p99 <= \(Stopwatch.ms(target))", met: value <= target)
        }
        return [
            finding("live (one environment, 50 services)", liveTimes, percentile: 0.99, target: 0.001),
            finding("lkg (one service)", lkgTimes, percentile: 0.99, target: 0.001),
            finding("rollback plan (50 services)", planTimes, percentile: 0.99, target: 0.010),
        ]
    }

    /// prod is protected and its images are signed; in every environment the newest deploys of every
    /// fifth service failed or failed a check, so plans have work to do and LKG walks back a little.
    static func seed(_ ledger: ReleaseLedger, _ store: SQLiteLedger) throws {
        for environment in environments {
            _ = try ledger.createEnvironment(name: environment, slots: [], requireSignature: environment == "prod")
        }
        let key = try PrivateKey.generate(.ecdsaP256)
        _ = try ledger.trust(try key.publicKey, name: "bench")
        var images: [[(Repository, Digest)]] = []
        for service in services {
            let repository = try Repository(parsing: "registry.example.com/acme/\(service)")
            images.append(try (0 ..< versions).map { version in
                (repository, try Digest(parsing: IngestBenchmark.digest(services.count * version + images.count + 1)))
            })
        }
        for (repository, digest) in images.joined() {
            _ = try ledger.sign(repository: repository, digest: digest, with: key)
        }
        let perPair = deploys / (environments.count * services.count)
        var batch: [SQLiteLedger.SeedDeploy] = []
        for step in 0 ..< perPair {
            for environment in environments {
                for (index, service) in services.enumerated() {
                    let (repository, digest) = images[index][step % versions]
                    let recent = step >= perPair - 3
                    let broken = recent && index % 5 == 0
                    batch.append(SQLiteLedger.SeedDeploy(
                        deploy: NewDeploy(environment: environment, slot: nil, service: service, repository: repository,
                                          tag: "v\(step)", digest: digest, actor: nil),
                        state: broken && step % 2 == 0 ? .failed : .succeeded,
                        checks: broken ? [.fail] : [.pass]))
                }
            }
            if batch.count >= 50_000 {
                try store.seed(batch, at: Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970))
                batch.removeAll(keepingCapacity: true)
            }
        }
        try store.seed(batch, at: Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970))
    }
}
