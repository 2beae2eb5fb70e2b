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

    static func run(in folder: URL) throws -> [Finding] {
        let report = pushReport()
        let bake = bakeFile()
        let rows = try PushMetadataReport.parse(report, source: "bench").builds.map { build in
            RawSQLiteInsertLoop.Row(
                service: build.service, repository: build.repository.name, tag: build.tag, digest: build.digest.description,
                commit: build.commit ?? "", ref: build.ref ?? "", runID: build.runID ?? "", builtAt: "2026-11-28T14:03:11.000Z",
                labels: "{}", recordedAt: "2026-11-29T00:00:00.000Z", runAttempt: 1)
        }
        let schema = SchemaMigrations.all.map(\.sql).joined(separator: "\n")

        var raw: [Double] = []
        var push: [Double] = []
        var bakeTimes: [Double] = []
        for round in 0 ..< rounds {
            raw.append(try RawSQLiteInsertLoop.run(path: folder.appending(path: "raw\(round).sqlite").path, schema: schema, rows: rows))
            let pushLedger = ReleaseLedger(store: try SQLiteLedger(path: folder.appending(path: "push\(round).sqlite").path))
            push.append(try Stopwatch.seconds { _ = try pushLedger.ingestPushMetadata(report, source: "bench") })
            let bakeLedger = ReleaseLedger(store: try SQLiteLedger(path: folder.appending(path: "bake\(round).sqlite").path))
            bakeTimes.append(try Stopwatch.seconds {
                _ = try bakeLedger.ingestBuildxMetadata(bake, source: "bench", context: .init())
            })
        }
        let rawRate = Double(count) / Stopwatch.percentile(raw, 0.5)
        func finding(_ name: String, _ times: [Double]) -> Finding {
            let rate = Double(count) / Stopwatch.percentile(times, 0.5)
            let ratio = rate / rawRate
            return Finding(
                name: "ingest \(name) of \(count) builds (median of \(rounds))",
                figure: "\(Stopwatch.rate(rate)) = \(String(format: "%.0f%%", ratio * 100)) of raw SQLite \(Stopwatch.rate(rawRate))",
                target: ">= 30% of raw", met: ratio >= 0.30)
        }
        return [finding("push report", push), finding("bake file", bakeTimes)]
    }
}

