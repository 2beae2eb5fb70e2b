import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogStore

/// Issue 18's target: `gc plan` from the ledger over 50 repositories × 2,000 tags (100,000 manifests) with 5
/// environments of deploys, in process.
enum RetentionBenchmark {
    static let repositories = 50
    static let tagsPerRepository = 2_000
    static let deploysPerPair = 100

    static func run(in folder: URL) throws -> [Finding] {
        let path = folder.appending(path: "retention.sqlite").path
        try? FileManager.default.removeItem(atPath: path)
        let store = try SQLiteLedger(path: path)
        let ledger = ReleaseLedger(store: store)
        let seeding = try Stopwatch.seconds { try seed(ledger, store) }
        FileHandle.standardOutput.write(Data(("seeded \(repositories * tagsPerRepository) builds and "
            + "\(DeployQueryBenchmark.environments.count * repositories * deploysPerPair) deploys in \(String(format: "%.1f", seeding)) s\n").utf8))
        var times: [Double] = []
        var plan: RetentionPlan?
        for _ in 0 ..< 5 {
            times.append(try Stopwatch.seconds { plan = try ledger.planRetention(rules: RetentionRules()) })
        }
        let worst = times.max() ?? 0
        return [Finding(
            name: "gc plan from the ledger, \(repositories) repositories x \(tagsPerRepository) tags, 5 environments of deploys",
            figure: "worst of 5 \(Stopwatch.ms(worst)), median \(Stopwatch.ms(Stopwatch.percentile(times, 0.5))) "
                + "(\(plan?.kept ?? 0) kept, \(plan?.deleted ?? 0) to delete)",
            target: "<= 1 s", met: worst <= 1.0)]
    }

    static func seed(_ ledger: ReleaseLedger, _ store: SQLiteLedger) throws {
        for environment in DeployQueryBenchmark.environments {
            _ = try ledger.createEnvironment(name: environment, slots: [], requireSignature: false)
        }
        var images: [[(Repository, Digest)]] = []
        for index in 0 ..< repositories {
            let repository = try Repository(parsing: "registry.digitalocean.com/the-shop-infra/svc\(index)")
            var builds: [NewBuild] = []
            var row: [(Repository, Digest)] = []
            for tag in 0 ..< tagsPerRepository {
                let digest = try Digest(parsing: IngestBenchmark.digest(index * tagsPerRepository + tag + 1))
                builds.append(NewBuild(service: "svc\(index)", repository: repository, tag: "b\(tag)", digest: digest))
                row.append((repository, digest))
            }
            _ = try store.record(builds, at: Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970 - 86_400 * 60))
            images.append(row)
        }
        // Every (environment, service) deployed its newest hundred builds in turn; one in ten failed a check.
        var batch: [SQLiteLedger.SeedDeploy] = []
        for step in 0 ..< deploysPerPair {
            for environment in DeployQueryBenchmark.environments {
                for index in 0 ..< repositories {
                    let (repository, digest) = images[index][tagsPerRepository - deploysPerPair + step]
                    batch.append(SQLiteLedger.SeedDeploy(
                        deploy: NewDeploy(environment: environment, slot: nil, service: "svc\(index)", repository: repository,
                                          tag: nil, digest: digest, actor: nil),
                        state: .succeeded, checks: step % 10 == 9 ? [.fail] : [.pass]))
                }
            }
        }
        try store.seed(batch, at: Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970))
    }
}
