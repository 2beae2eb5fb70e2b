import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogStore

/// Ingesting a push report and a bake file of 10,000 builds, against a raw SQLite insert loop of the same rows.
enum IngestBenchmark {
    static let count = 10_000
    static let rounds = 5

    static func digest(_ index: Int) -> String {
        let hex = String(index, radix: 16)
        return "sha256:" + String(repeating: "0", count: 64 - hex.count) + hex
    }

    static func pushReport() -> Data {
        var text = #"{"commit":"9f2c1e4b7a5d3c8e1f0a2b4c6d8e0f1a3b5c7d9e","ref":"refs/heads/main","run_id":"8123456789","#
        text += #""run_attempt":1,"pushed_at":"2026-11-28T14:03:11Z","services":["#
        for index in 0 ..< count {
            if index > 0 { text += "," }
            text += #"{"service":"svc\#(index % 50)","image":"registry.example.com/acme/svc\#(index % 50)","#
            text += #""tag":"b\#(index)","digest":"\#(digest(index))"}"#
        }
        return Data((text + "]}").utf8)
    }

    static func bakeFile() -> Data {
        var text = #"{"buildx.build.warnings":{}"#
        for index in 0 ..< count {
            text += #","target\#(index)":{"buildx.build.ref":"builder/builder0/ref\#(index)","#
            text += #""containerimage.digest":"\#(digest(index))","image.name":"registry.example.com/acme/svc\#(index % 50):b\#(index)"}"#
        }
        return Data((text + "}").utf8)
    }

    static let insert = """
        INSERT INTO build (service, repository, tag, digest, commit_sha, ref, run_id, run_attempt, run_url, builder,
                           built_at, labels, recorded_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// The rows a file's builds become, for the raw loop: the same values the ledger stores.
    static func rawRows(_ builds: [NewBuild]) -> [[RawSQLiteInsertLoop.Value]] {
        builds.map { build in
            [.text(build.service), .text(build.repository.name), .text(build.tag), .text(build.digest.description),
             .init(build.commit), .init(build.ref), .text(build.runID ?? ""), .init(build.runAttempt.map(Int64.init)),
             .init(build.runURL), .init(build.builder), .text(build.builtAt?.description ?? "2026-11-29T00:00:00.000Z"),
             .text(CanonicalJSON.object(build.labels)), .text("2026-11-29T00:00:00.000Z")]
        }
    }

    static func run(in folder: URL) throws -> [Finding] {
        let schema = SchemaMigrations.all.map(\.text).joined(separator: "\n")
        let files: [(name: String, data: Data, builds: [NewBuild], ingest: (ReleaseLedger, Data) throws -> Void)] = [
            ("push report", pushReport(), try PushMetadataReport.parse(pushReport(), source: "bench").builds,
             { ledger, data in _ = try ledger.ingestPushMetadata(data, source: "bench") }),
            ("bake file", bakeFile(), try BuildxMetadata.builds(from: bakeFile(), source: "bench", context: .init()),
             { ledger, data in _ = try ledger.ingestBuildxMetadata(data, source: "bench", context: .init()) }),
        ]
        var findings: [Finding] = []
        for file in files {
            let rows = rawRows(file.builds)
            var raw: [Double] = []
            var ours: [Double] = []
            for round in 0 ..< rounds {
                let prefix = file.name.replacingOccurrences(of: " ", with: "-") + "\(round)"
                raw.append(try RawSQLiteInsertLoop.run(path: folder.appending(path: "raw-\(prefix).sqlite").path, schema: schema,
                                                       insert: insert, rows: rows))
                let ledger = ReleaseLedger(store: try SQLiteLedger(path: folder.appending(path: "\(prefix).sqlite").path))
                ours.append(try Stopwatch.seconds { try file.ingest(ledger, file.data) })
            }
            let rawRate = Double(count) / Stopwatch.percentile(raw, 0.5)
            let rate = Double(count) / Stopwatch.percentile(ours, 0.5)
            let ratio = rate / rawRate
            findings.append(Finding(
                name: "ingest \(file.name) of \(count) builds, parse + store + log (median of \(rounds))",
                figure: "\(Stopwatch.rate(rate)) = \(String(format: "%.0f%%", ratio * 100)) of raw SQLite \(Stopwatch.rate(rawRate)) (same rows)",
                target: ">= 30% of raw", met: ratio >= 0.30))
        }
        return findings
    }
}
