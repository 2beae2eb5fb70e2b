import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogStore

/// What the log costs a write, an inclusion proof in a 10,000,000-entry log, and `log verify` of 1,000,000.
enum TransparencyLogBenchmark {
    static func run(in folder: URL) throws -> [Finding] {
        try [writeOverhead(in: folder), proofAtTenMillion(in: folder), verifyOneMillion(in: folder)]
    }

    static func build(_ index: Int) throws -> NewBuild {
        NewBuild(service: "svc\(index % 50)", repository: try Repository(parsing: "registry.example.com/acme/svc\(index % 50)"),
                 tag: "b\(index)", digest: try Digest(parsing: IngestBenchmark.digest(index)), commit: "9f2c1e4b7a5d3c8e1f0a2b4c6d8e0f1a3b5c7d9e",
                 ref: "refs/heads/main", runID: "\(index)", runAttempt: 1)
    }

    /// One `build record` per transaction (each a durable commit), alternating ledgers with and without the log.
    static func writeOverhead(in folder: URL) throws -> Finding {
        let withLog = ReleaseLedger(store: try SQLiteLedger(path: folder.appending(path: "with-log.sqlite").path, transparencyLog: true))
        let withoutLog = ReleaseLedger(store: try SQLiteLedger(path: folder.appending(path: "without-log.sqlite").path, transparencyLog: false))
        var with: [Double] = []
        var without: [Double] = []
        for index in 0 ..< 400 {
            let next = try build(index)
            with.append(try Stopwatch.seconds { _ = try withLog.recordBuild(next) })
            without.append(try Stopwatch.seconds { _ = try withoutLog.recordBuild(next) })
        }
        let a = Stopwatch.percentile(with, 0.5)
        let b = Stopwatch.percentile(without, 0.5)
        let overhead = a / b - 1
        return Finding(name: "a single ledger write (build record, durable commit), with vs without the log",
                       figure: String(format: "median %@ vs %@: +%.0f%%", Stopwatch.ms(a), Stopwatch.ms(b), overhead * 100),
                       target: "<= +30%", met: overhead <= 0.30)
    }

    static func proofAtTenMillion(in folder: URL) throws -> Finding {
        let count = 10_000_000
        let store = try SQLiteLedger(path: folder.appending(path: "ten-million.sqlite").path, transparencyLog: true)
        let seeding = try Stopwatch.seconds {
            var index = 0
            while index < count {
                let events = (index ..< min(count, index + 250_000)).map { LedgerEvent(.build, ["id": .integer(Int64($0))]) }
                try store.appendToLog(events, at: Timestamp(millisecondsSinceEpoch: 0))
                index += events.count
            }
        }
        FileHandle.standardOutput.write(Data(("seeded a log of \(count) entries in \(String(format: "%.0f", seeding)) s\n").utf8))
        let ledger = ReleaseLedger(store: store)
        var generator = SystemRandomNumberGenerator()
        var samples: [Double] = []
        for _ in 0 ..< 2000 {
            let index = Int64.random(in: 0 ..< Int64(count), using: &generator)
            samples.append(try Stopwatch.seconds { _ = try ledger.proveInclusion(index: index, size: nil) })
        }
        let p99 = Stopwatch.percentile(samples, 0.99)
        return Finding(name: "inclusion proof (with root) at \(count) entries",
                       figure: "p99 \(Stopwatch.ms(p99)), median \(Stopwatch.ms(Stopwatch.percentile(samples, 0.5)))",
                       target: "<= 1 ms", met: p99 <= 0.001)
    }

    static func verifyOneMillion(in folder: URL) throws -> Finding {
        let count = 1_000_000
        let store = try SQLiteLedger(path: folder.appending(path: "one-million.sqlite").path, transparencyLog: true)
        // Real builds (the tables and the log, written together), so verify also compares the tables.
        var index = 0
        while index < count {
            let builds = try (index ..< min(count, index + 50_000)).map(build)
            _ = try store.record(builds, at: Timestamp(millisecondsSinceEpoch: 1_764_000_000_000))
            index += builds.count
        }
        let ledger = ReleaseLedger(store: store)
        var tree: LogVerification?
        var full: LogVerification?
        let treeSeconds = try Stopwatch.seconds { tree = try ledger.verifyLog(logKey: nil, auditTables: false) }
        let fullSeconds = try Stopwatch.seconds { full = try ledger.verifyLog(logKey: nil, auditTables: true) }
        guard tree?.intact == true, full?.intact == true else {
            throw ProcessTimer.Failure(description: "log verify found the benchmark log broken")
        }
        return Finding(name: "log verify of \(count) entries: the tree from the rows (--skip-tables)",
                       figure: String(format: "%.2f s; with the table audit (the default) %.2f s", treeSeconds, fullSeconds),
                       target: "<= 10 s", met: treeSeconds <= 10)
    }
}
