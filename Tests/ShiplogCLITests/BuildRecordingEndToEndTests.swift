import Foundation
import ShiplogTestSupport
import Testing

/// Runs the real binary, as CI does, and checks output, exit codes and what ends up in the file.
@Suite("shiplog CLI, end to end")
struct BuildRecordingEndToEndTests {
    static let digest = "sha256:19ffeab6f8bc9293ac2c3fdf94ebe28396254c993aea0b5a542cfb02e0883fa3"
    static let github = [
        "GITHUB_SHA": "9f2c1e4b7a5d3c8e1f0a2b4c6d8e0f1a3b5c7d9e", "GITHUB_REF": "refs/heads/main",
        "GITHUB_RUN_ID": "8123456789", "GITHUB_RUN_ATTEMPT": "2", "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/agents",
    ]

    func withLedger(environment: [String: String] = [:], _ body: (ShiplogBinary) throws -> Void) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try body(ShiplogBinary(database: directory.path("ledger.sqlite"), environment: environment))
    }

    func record(_ shiplog: ShiplogBinary, _ extra: [String] = []) throws -> [String: Any] {
        let object = try shiplog.json(["build", "record", "--service", "gateway",
                                       "--image", "registry.example.com/acme/gateway:9f2c1e4", "--digest", Self.digest] + extra)
        return try #require(object as? [String: Any])
    }

    @Test("build record prints the contract's build shape, run details from GitHub Actions")
    func recordShape() throws {
        try withLedger(environment: Self.github) { shiplog in
            let build = try record(shiplog, ["--label", "team=agents", "--ref", "refs/tags/v1"])
            let keys: Set = ["service", "repository", "tag", "digest", "commit", "ref", "run_id", "run_attempt", "run_url",
                             "builder", "built_at", "labels", "id"]
            #expect(keys.isSubset(of: Set(build.keys)))
            #expect(build["repository"] as? String == "registry.example.com/acme/gateway")
            #expect(build["tag"] as? String == "9f2c1e4")
            #expect(build["commit"] as? String == Self.github["GITHUB_SHA"])
            #expect(build["ref"] as? String == "refs/tags/v1", "a flag wins over the environment")
            #expect(build["run_id"] as? String == "8123456789")
            #expect(build["run_attempt"] as? Int == 2)
            #expect(build["run_url"] as? String == "https://github.com/acme/agents/actions/runs/8123456789")
            #expect(build["builder"] is NSNull)
            #expect(build["labels"] as? [String: String] == ["team": "agents"])
            // the same build in the same run is the same build
            let again = try record(shiplog)
            #expect(again["id"] as? Int == build["id"] as? Int)
        }
    }

    @Test("bad input exits 65 with one line naming the field and value, and writes nothing", arguments: [
        (["--digest", "sha256:19ffeab6f8bc9293ac2c3fdf94ebe28396254c993aea0b5a542cfb02e0883fa"], "--digest", "got 63"),
        (["--digest", "sha256:19FFEAB6F8BC9293AC2C3FDF94EBE28396254C993AEA0B5A542CFB02E0883FA3"], "--digest", "lowercase"),
        (["--image", "registry.example.com/Acme/gateway:1"], "--image", "lowercase"),
        (["--service", "Gateway"], "--service", "[a-z0-9]"),
        (["--run-attempt", "0"], "--run-attempt", "from 1"),
        (["--built-at", "yesterday"], "--built-at", "RFC 3339"),
        (["--label", "novalue"], "--label", "key=value"),
    ])
    func badFlags(_ override: [String], _ field: String, _ reason: String) throws {
        try withLedger { shiplog in
            _ = try record(shiplog)
            var arguments = ["build", "record", "--service", "gateway", "--image", "registry.example.com/acme/gateway:x",
                             "--digest", Self.digest]
            arguments += override  // a repeated option takes the last value
            let result = try shiplog.run(arguments)
            #expect(result.status == 65)
            #expect(result.stdout.isEmpty)
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1)
            #expect(result.stderr.contains(field))
            #expect(result.stderr.contains(reason))
            #expect(result.stderr.contains(override[1]))
            let builds = try #require(try shiplog.json(["builds"]) as? [Any])
            #expect(builds.count == 1)
        }
    }

    @Test("files: stdin, a non-JSON file, a missing file, the wrong format")
    func files() throws {
        try withLedger { shiplog in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let example = try Data(contentsOf: Fixtures.packageRoot.appending(path: "docs/push-metadata.example.json"))
            let fromStdin = try shiplog.run(["ingest", "push-metadata", "-", "--json"], stdin: example)
            #expect(fromStdin.status == 0)
            #expect(fromStdin.stdout.contains("\"recorded\" : 2"))

            let notJSON = directory.path("notes.txt")
            try Data("built ok\n".utf8).write(to: URL(fileURLWithPath: notJSON))
            let cases: [([String], String)] = [
                (["ingest", "push-metadata", notJSON], "\(notJSON): not valid JSON"),
                (["ingest", "push-metadata", directory.path("missing.json")], "missing.json: no such file"),
                (["ingest", "push-metadata", Fixtures.url("buildx/docs_bake_metadata_file_load.json").path], "ingest buildx-metadata"),
                (["ingest", "buildx-metadata", Fixtures.url("buildx/docs_build_metadata_file_load.json").path], "image.name"),
                (["ingest", "buildx-metadata", notJSON], "not valid JSON"),
                (["ingest", "buildx-metadata", notJSON, "--service", "Web App"], "--service: \"Web App\""),
                (["ingest", "buildx-metadata", notJSON, "--image", "r.io/Team/app"], "--image: \"r.io/Team/app\""),
            ]
            for (arguments, message) in cases {
                let result = try shiplog.run(arguments)
                #expect(result.status == 65, "\(arguments)")
                #expect(result.stderr.contains(message), "\(result.stderr)")
                #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            }
            let builds = try #require(try shiplog.json(["builds"]) as? [Any])
            #expect(builds.count == 2)
        }
    }

    @Test("usage errors exit 64; an unknown image is a negative answer, exit 1")
    func exitCodes() throws {
        try withLedger { shiplog in
            #expect(try shiplog.run(["build", "record", "--image", "r/a:1", "--digest", Self.digest]).status == 64)
            #expect(try shiplog.run(["builds", "--limit", "0"]).status == 64)
            let unknown = try shiplog.run(["image", "registry.example.com/acme/gateway@" + Self.digest])
            #expect(unknown.status == 1)
            #expect(unknown.stderr.contains("nothing recorded"))
            #expect(try shiplog.run(["image", "registry.example.com/acme/gateway@sha256:1"]).status == 65)
            let tagged = try shiplog.run(["image", "127.0.0.1:5000/acme/gateway:v1"])
            #expect(tagged.status == 65)
            #expect(tagged.stderr.contains("expected REPO@DIGEST or a bare DIGEST, not a tag"), "\(tagged.stderr)")
        }
    }

    @Test("ingesting a bake file, then querying builds and the image")
    func bakeThenQuery() throws {
        try withLedger { shiplog in
            let bake = Fixtures.url("buildx/docs_bake_metadata_file_load.json").path
            let summary = try #require(try shiplog.json(["ingest", "buildx-metadata", bake, "--image", "ghcr.io/acme/webapp:v1"])
                as? [String: Any])
            #expect(summary["recorded"] as? Int == 2)
            let db = try #require(try shiplog.json(["builds", "--service", "db"]) as? [[String: Any]])
            #expect(db.map { $0["digest"] as? String } == [Self.digest])
            let image = try #require(try shiplog.json(["image", "ghcr.io/acme/webapp@" + Self.digest]) as? [String: Any])
            let tags = try #require(image["tags"] as? [[String: Any]])
            // both targets pushed ghcr.io/acme/webapp:v1; db's digest came first, so its interval is closed
            try #require(tags.count == 1)
            #expect(tags[0]["current"] as? Bool == false)
        }
    }

    @Test("6 processes creating the same new ledger file at once, 30 times over, never see a lock error")
    func concurrentCreation() throws {
        let failures = Failures()
        for round in 0 ..< 30 {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let shiplog = ShiplogBinary(database: directory.path("ledger-\(round).sqlite"))
            DispatchQueue.concurrentPerform(iterations: 6) { writer in
                do {
                    let result = try shiplog.run(["build", "record", "--service", "svc\(writer)", "--image", "r.io/a/svc\(writer):1",
                                                  "--digest", Self.digest])
                    if result.status != 0 { failures.add("round \(round) writer \(writer): \(result.stderr)") }
                } catch {
                    failures.add("\(error)")
                }
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all.prefix(3))")
    }

    @Test("4 processes recording 500 builds each into one file lose nothing and never see a lock error")
    func concurrentWriters() throws {
        try withLedger { shiplog in
            let failures = Failures()
            DispatchQueue.concurrentPerform(iterations: 4) { writer in
                for index in 0 ..< 500 {
                    do {
                        let result = try shiplog.run([
                            "build", "record", "--service", "svc\(writer)", "--image", "registry.example.com/acme/svc\(writer):b\(index)",
                            "--digest", Self.digest, "--run-id", "\(writer)-\(index)",
                        ])
                        if result.status != 0 { failures.add("writer \(writer) build \(index): \(result.stderr)") }
                    } catch {
                        failures.add("\(error)")
                    }
                }
            }
            #expect(failures.all.isEmpty, "\(failures.all.prefix(3))")
            let builds = try #require(try shiplog.json(["builds", "--limit", "5000"]) as? [[String: Any]])
            #expect(builds.count == 2000)
            #expect(Set(builds.compactMap { $0["id"] as? Int }).count == 2000)
            // and the transparency log, appended by four processes at once, is one intact tree of 2000 leaves
            let log = try #require(try shiplog.json(["log", "verify"]) as? [String: Any])
            #expect(log["intact"] as? Bool == true)
            #expect(log["tree_size"] as? Int == 2000)
        }
    }
}

final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []

    func add(_ message: String) { lock.withLock { messages.append(message) } }
    var all: [String] { lock.withLock { messages } }
}
