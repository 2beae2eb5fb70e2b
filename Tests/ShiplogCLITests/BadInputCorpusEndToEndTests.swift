import Foundation
import ShiplogTestSupport
import Testing

/// Issue 14's whole bad-input corpus, against the real binary: the inputs the adversarial pass found, and
/// every ingestible fixture cut short. Each is exit 65 with one line that names where the problem is, and
/// leaves the ledger byte for byte as it was (its SQL dump hashed before and after).
@Suite("the bad-input corpus leaves the ledger unchanged", .serialized)
struct BadInputCorpusEndToEndTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        /// The command; `IN` stands for the input file.
        var arguments: [String]
        var input: [UInt8]?
        /// What the one-line error must mention (a file, a field, a flag).
        var mention: String
        var environment: [String: String] = [:]
        var testDescription: String { name }
    }

    static let digest = "sha256:" + String(repeating: "a", count: 64)

    static func report(_ top: String = "", service: String = #""service":"api","image":"ghcr.io/acme/api:v1""#) -> [UInt8] {
        Array(#"{\#(top)"services":[{\#(service),"digest":"\#(digest)"}]}"#.utf8)
    }

    static let pushed = ["ingest", "push-metadata", "IN"]

    static var cases: [Case] {
        var cases: [Case] = []
        for field in ["commit", "ref", "run_id", "run_url", "builder"] {
            cases.append(Case(name: "a NUL in the report's \(field)", arguments: pushed, input: report(#""\#(field)":"a\u0000b","#),
                              mention: "IN: \(field): \"a\\u0000b\": holds a control character (U+0000)"))
        }
        cases += [
            Case(name: "a key given twice", arguments: pushed, input: report(#""commit":"a","commit":"b","#), mention: "IN: commit: the key appears twice"),
            Case(name: "a number past Double", arguments: pushed, input: report(#""run_attempt":1e999,"#), mention: "IN: run_attempt: the number 1e999 is out of range"),
            Case(name: "a fraction for the run attempt", arguments: pushed, input: report(#""run_attempt":1.5,"#),
                 mention: "IN: run_attempt: \"1.5\": run attempt must be a whole number from 1"),
            Case(name: "a tiny number for the run attempt", arguments: pushed, input: report(#""run_attempt":1e-300,"#),
                 mention: "IN: run_attempt: \"1e-300\": run attempt must be a whole number from 1"),
            Case(name: "a cost finer than a decimal holds", arguments: ["ingest", "langfuse", "IN", "--service", "api"],
                 input: Array(#"{"data":[{"date":"2026-11-01","usage":[{"model":"m","totalCost":1e-300}]}]}"#.utf8),
                 mention: "IN: data[0].usage[0].totalCost: \"1e-300\": this field cannot hold the number"),
            Case(name: "nesting 511 deep", arguments: pushed,
                 input: Array((String(repeating: "[", count: 511) + String(repeating: "]", count: 511)).utf8), mention: "nested deeper than 64 levels"),
            Case(name: "invalid UTF-8", arguments: pushed, input: Array(#"{"commit":""#.utf8) + [0xFE] + Array(#"","services":[]}"#.utf8),
                 mention: "IN: commit: not valid UTF-8"),
            Case(name: "a lone surrogate", arguments: pushed, input: report(#""ref":"\udead","#), mention: "IN: ref: not valid JSON: a lone surrogate"),
            Case(name: "an empty file", arguments: pushed, input: [], mention: "IN: not valid JSON: the document ends early"),
            Case(name: "a service name too long", arguments: pushed,
                 input: report(service: #""service":"\#(String(repeating: "s", count: 100))","image":"ghcr.io/acme/api:v1""#), mention: "IN: services[0].service"),
            Case(name: "an input over --max-input-bytes", arguments: pushed + ["--max-input-bytes", "10"], input: report(),
                 mention: "IN: is larger than 10 bytes"),
            Case(name: "GITHUB_RUN_ATTEMPT=0", arguments: ["build", "record", "--service", "api", "--image", "ghcr.io/acme/api:v2", "--digest", digest],
                 mention: "GITHUB_RUN_ATTEMPT: \"0\"", environment: ["GITHUB_RUN_ATTEMPT": "0"]),
            Case(name: "a control character in a check name", arguments: ["deploy", "check", "1", "--name", "e2e\u{1}", "--status", "pass"],
                 mention: "--name: \"e2e\\u0001\": holds a control character"),
            Case(name: "a fraction of a token", arguments: ["ingest", "langfuse", "IN", "--service", "api"],
                 input: Array(#"{"data":[{"date":"2026-11-01","usage":[{"model":"m","inputUsage":1200.5}]}]}"#.utf8),
                 mention: "IN: data[0].usage[0].inputUsage: \"1200.5\""),
            Case(name: "one day and model twice", arguments: ["ingest", "langfuse", "IN", "--service", "api"],
                 input: Array(#"{"data":[{"date":"2026-11-01","usage":[{"model":"m"},{"model":"m"}]}]}"#.utf8), mention: "IN: data[0].usage[1]"),
            Case(name: "one observation twice", arguments: ["ingest", "langfuse", "IN", "--service", "api"],
                 input: Array(#"[{"id":"o","startTime":"2026-11-01T00:00:00Z"},{"id":"o","startTime":"2026-11-01T00:00:00Z"}]"#.utf8),
                 mention: "IN: data[1].id: \"o\""),
            Case(name: "a payload of an unknown type", arguments: ["signature", "import", "ghcr.io/acme/api@\(digest)", "--payload", "IN", "--signature", "AAAA"],
                 input: Array((try? Fixtures.data("cosign/sigstore_payload_test_unknown_type_MUST_REJECT.json")) ?? Data()), mention: "IN"),
        ]
        // Every fixture a command ingests, cut off half way.
        let ingests: [(String, [String])] = [
            ("buildx/docs_bake_metadata_file_load.json", ["ingest", "buildx-metadata", "IN", "--image", "ghcr.io/acme/bake"]),
            ("buildx/docs_build_metadata_file_load.json", ["ingest", "buildx-metadata", "IN", "--image", "ghcr.io/acme/x:v1"]),
            ("buildx/docs_imagetools_create_metadata_file.json", ["ingest", "buildx-metadata", "IN", "--image", "ghcr.io/acme/x:v1"]),
            ("distribution/docs_pull_manifest_envelope.json", ["ingest", "registry-events", "IN"]),
            ("distribution/docs_push_envelope_http_body.json", ["ingest", "registry-events", "IN"]),
            ("harbor/docs_artifact_deleted_cloudevents.json", ["ingest", "registry-events", "IN"]),
            ("harbor/docs_artifact_deleted_default.json", ["ingest", "registry-events", "IN"]),
            ("harbor/docs_artifact_pulled_default.json", ["ingest", "registry-events", "IN"]),
            ("harbor/docs_artifact_pushed_default.json", ["ingest", "registry-events", "IN"]),
            ("langfuse/docs_daily_metrics_example.json", ["ingest", "langfuse", "IN", "--service", "api"]),
        ]
        for (fixture, arguments) in ingests {
            let bytes = Array((try? Fixtures.data(fixture)) ?? Data())
            cases.append(Case(name: "\(fixture) cut in half", arguments: arguments, input: Array(bytes.prefix(bytes.count / 2)), mention: "IN: "))
        }
        return cases
    }

    /// The ledger's whole content, as `sqlite3 .dump` prints it, hashed.
    static func dumpHash(_ database: String) throws -> String {
        let dumped = try Tool.run("/bin/sh", ["-c", "/usr/bin/sqlite3 '\(database)' .dump | sha256sum"])
        try #require(dumped.status == 0, "\(dumped.output)")
        return dumped.output
    }

    /// A ledger with a build, an environment and a deploy, so that the corpus has rows to leave alone.
    static func seeded(_ directory: TemporaryDirectory) throws -> ShiplogBinary {
        let shiplog = ShiplogBinary(database: directory.path("l.sqlite"))
        let report = directory.path("good.json")
        try Fixtures.data("buildx/docs_build_metadata_file_load.json").write(to: URL(fileURLWithPath: report))
        for arguments in [["ingest", "buildx-metadata", report, "--image", "ghcr.io/acme/x:v1"],
                          ["env", "create", "prod"],
                          ["deploy", "start", "--env", "prod", "--service", "x", "--image", "ghcr.io/acme/x:v1"]] {
            let result = try shiplog.run(arguments)
            try #require(result.status == 0, "\(arguments): \(result.stderr)")
        }
        return shiplog
    }

    @Test("exit 65, one line naming the place, the ledger unchanged", arguments: cases)
    func refused(_ input: Case) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var shiplog = try Self.seeded(directory)
        shiplog.environment.merge(input.environment) { $1 }
        let file = directory.path("IN")
        if let bytes = input.input { try Data(bytes).write(to: URL(fileURLWithPath: file)) }
        let before = try Self.dumpHash(shiplog.database)
        let result = try shiplog.run(input.arguments.map { $0 == "IN" ? file : $0 })
        #expect(result.status == 65, "\(input.name): \(result.stderr)")
        #expect(result.stderr.hasPrefix("shiplog: ") && result.stderr.hasSuffix("\n") && result.stderr.split(separator: "\n").count == 1,
                "\(input.name): \(result.stderr)")
        #expect(result.stderr.replacingOccurrences(of: file, with: "IN").contains(input.mention), "\(input.name): \(result.stderr)")
        #expect(try Self.dumpHash(shiplog.database) == before, "\(input.name): the ledger changed")
    }
}
