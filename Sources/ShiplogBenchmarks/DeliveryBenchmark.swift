import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogStore

/// `report dora` over 1,000,000 deploys in 5 environments across 90 days, by week, as a whole process;
/// and /metrics scraped from a live server with the DORA gauges of those environments.
enum DeliveryBenchmark {
    static let environments = DeployQueryBenchmark.environments
    static let services = (0 ..< 40).map { "svc\($0)" }
    static let deploys = 1_000_000
    static let versions = 2_000
    static let days: Int64 = 90

    static func run(in folder: URL, shiplog: URL) throws -> [Finding] {
        let path = folder.appending(path: "dora.sqlite").path
        let store = try SQLiteLedger(path: path)
        let ledger = ReleaseLedger(store: store)
        let seeding = try Stopwatch.seconds { try seed(ledger, store) }
        let seeded = "seeded \(deploys) deploys over \(days) days and \(services.count * versions) builds in \(String(format: "%.1f", seeding)) s\n"
        FileHandle.standardOutput.write(Data(seeded.utf8))
        try store.close()

        let today = Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970)
        let from = Timestamp(millisecondsSinceEpoch: today.millisecondsSinceEpoch - (days - 1) * 86_400_000).date
        var processTimes: [Double] = []
        for _ in 0 ..< 5 {
            processTimes.append(try ProcessTimer.seconds(shiplog.path, ["report", "dora", "--env", "prod", "--from", from, "--to", today.date,
                                                                         "--by", "week", "--json", "--db", path]))
        }
        let worst = processTimes.max() ?? 0

        let (server, base) = try ServerBenchmark.serve(shiplog, path, ["--open-reads"])
        defer { server.terminate(); server.waitUntilExit() }
        let url = base + "/metrics"
        // The first scrape computes the gauges; the rest are what Prometheus sees (wrk, one connection, 5 s).
        let first = try Stopwatch.seconds { _ = try ServerBenchmark.capture("/usr/bin/curl", ["-sf", url]) }
        let text = try ServerBenchmark.capture("/usr/bin/curl", ["-sf", url])
        guard text.contains("shiplog_dora_deploys{environment=\"prod\"}") else {
            throw ProcessTimer.Failure(description: "/metrics has no DORA gauges")
        }
        let wrk = try ServerBenchmark.capture("/usr/bin/wrk", ["-t1", "-c1", "-d5s", "--latency", url])
        guard let p99 = latency(wrk, "99%"), let median = latency(wrk, "50%") else {
            throw ProcessTimer.Failure(description: "wrk printed no latency: \(wrk)")
        }
        return [
            Finding(name: "report dora over \(deploys) deploys (5 environments, \(days) days, by week), whole process (5 runs)",
                    figure: "worst \(Stopwatch.ms(worst)), median \(Stopwatch.ms(Stopwatch.percentile(processTimes, 0.5)))",
                    target: "<= 1000 ms", met: worst <= 1.0),
            Finding(name: "/metrics scrape with the DORA gauges of 5 environments (wrk, 1 connection, 5 s)",
                    figure: "p99 \(Stopwatch.ms(p99)), median \(Stopwatch.ms(median)); the first, computing them (curl): \(Stopwatch.ms(first))",
                    target: "p99 <= 5 ms", met: p99 <= 0.005),
        ]
    }

    /// A latency percentile from wrk's `--latency` table ("     99%    1.23ms"), in seconds.
    static func latency(_ output: String, _ percentile: String) -> Double? {
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 2, fields[0] == percentile else { continue }
            let text = String(fields[1])
            for (unit, scale) in [("us", 1e-6), ("ms", 1e-3), ("s", 1.0)] where text.hasSuffix(unit) {
                return Double(text.dropLast(unit.count)).map { $0 * scale }
            }
        }
        return nil
    }

    /// Every service deploys in every environment about every 3.5 hours over the 90 days; one deploy in ten
    /// fails a check (restored by the next); every build has a commit time a few hours before.
    static func seed(_ ledger: ReleaseLedger, _ store: SQLiteLedger) throws {
        for environment in environments {
            _ = try ledger.createEnvironment(name: environment, slots: [], requireSignature: false)
        }
        let now = Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970).millisecondsSinceEpoch
        let first = now - days * 86_400_000
        var images: [[(Repository, Digest)]] = []
        var builds: [NewBuild] = []
        for (index, service) in services.enumerated() {
            let repository = try Repository(parsing: "registry.example.com/acme/\(service)")
            var row: [(Repository, Digest)] = []
            for version in 0 ..< versions {
                let digest = try Digest(parsing: IngestBenchmark.digest(services.count * version + index + 1))
                row.append((repository, digest))
                let committed = first + Int64(version) * (days * 86_400_000 / Int64(versions)) - 3 * 3_600_000
                builds.append(NewBuild(service: service, repository: repository, tag: "v\(version)", digest: digest,
                                       committedAt: Timestamp(millisecondsSinceEpoch: committed)))
            }
            images.append(row)
        }
        for start in stride(from: 0, to: builds.count, by: 20_000) {
            _ = try store.record(Array(builds[start ..< min(builds.count, start + 20_000)]), at: Timestamp(millisecondsSinceEpoch: first))
        }
        let perPair = deploys / (environments.count * services.count)
        let spacing = days * 86_400_000 / Int64(perPair)
        var batch: [SQLiteLedger.SeedDeploy] = []
        for step in 0 ..< perPair {
            let at = Timestamp(millisecondsSinceEpoch: first + Int64(step) * spacing)
            let version = step * versions / perPair
            for environment in environments {
                for (index, service) in services.enumerated() {
                    let (repository, digest) = images[index][version]
                    let broken = (step + index) % 10 == 0
                    batch.append(SQLiteLedger.SeedDeploy(
                        deploy: NewDeploy(environment: environment, slot: nil, service: service, repository: repository,
                                          tag: "v\(version)", digest: digest, actor: nil),
                        state: .succeeded, checks: broken ? [.fail] : [.pass], at: at))
                }
            }
            if batch.count >= 50_000 {
                try store.seed(batch, at: at)
                batch.removeAll(keepingCapacity: true)
            }
        }
        try store.seed(batch, at: Timestamp(millisecondsSinceEpoch: now))
    }
}
