import Foundation
import ShiplogTestSupport
import Testing

/// The CLI against a real `shiplog serve`: the same commands print the same output and exit with the same
/// codes as against a local file.
@Suite("shiplog --server, end to end", .serialized)
struct RemoteModeEndToEndTests {
    /// Times and generated ids differ between two ledgers; everything else must not.
    static func masked(_ text: String) -> String {
        text.replacingOccurrences(of: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"#, with: "<time>", options: .regularExpression)
    }

    @Test("every kind of command gives the same output and exit code locally and through the server")
    func sameAsLocal() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let serverDatabase = directory.path("server.sqlite")
        let admin = ShiplogBinary(database: serverDatabase)
        let token = try #require(try admin.json(["tokens", "create", "--name", "e2e", "--scope", "admin"]) as? [String: Any])["token"] as? String
        let server = try ServerProcess(database: serverDatabase)
        let local = ShiplogBinary(database: directory.path("local.sqlite"))
        let remote = ShiplogBinary(database: directory.path("unused.sqlite"),
                                   environment: ["SHIPLOG_SERVER": server.url, "SHIPLOG_TOKEN": try #require(token)])

        let keyPath = directory.path("ossl.pem")
        #expect(try Tool.run("/usr/bin/openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", keyPath]).status == 0)
        #expect(try Tool.run("/usr/bin/openssl", ["ec", "-in", keyPath, "-pubout", "-out", directory.path("ossl.pub")]).status == 0)
        let payload = Fixtures.url("cosign/sigstore_payload_test_no_claims.json").path
        #expect(try Tool.run("/usr/bin/openssl", ["dgst", "-sha256", "-sign", keyPath, "-out", directory.path("sig.der"), payload]).status == 0)
        let image = ContentTrustEndToEndTests.image
        let digest = String(image[image.range(of: "@")!.upperBound...])
        let repository = String(image[..<image.range(of: "@")!.lowerBound])

        let steps: [[String]] = [
            ["build", "record", "--service", "api", "--image", "\(repository):v1", "--digest", digest, "--commit", "abc", "--label", "a=b"],
            ["build", "record", "--service", "api", "--image", "\(repository):v1", "--digest", "sha256:abc"],
            ["ingest", "push-metadata", Fixtures.packageRoot.appending(path: "docs/push-metadata.example.json").path],
            ["ingest", "buildx-metadata", Fixtures.url("buildx/docs_bake_metadata_file_load.json").path, "--image", "ghcr.io/acme/bake"],
            ["ingest", "buildx-metadata", Fixtures.url("cosign/sigstore_payload_test_no_claims.json").path],
            ["builds", "--limit", "3"], ["builds", "--json"], ["image", image], ["image", digest, "--json"],
            ["image", "ghcr.io/none/x@" + digest],
            ["keys", "add", directory.path("ossl.pub"), "--name", "ci"], ["keys", "add", keyPath, "--name", "private"], ["keys", "list"],
            ["verify", image],
            ["signature", "import", image, "--payload", payload, "--signature", directory.path("sig.der")],
            ["verify", image, "--json"], ["verify", image, "--key", directory.path("ossl.pub")],
            ["env", "create", "prod", "--slots", "blue,green", "--require-signature"], ["env", "create", "dev"],
            ["env", "create", "prod"], ["env", "switch", "prod", "--slot", "green", "--actor", "me"],
            ["deploy", "start", "--env", "prod", "--slot", "green", "--service", "api", "--digest", image, "--actor", "me"],
            ["deploy", "start", "--env", "prod", "--slot", "green", "--service", "web", "--digest", "ghcr.io/acme/web@" + digest, "--json"],
            ["deploy", "check", "1", "--name", "e2e", "--status", "pass"], ["deploy", "finish", "1", "--status", "succeeded", "--json"],
            ["deploy", "finish", "1", "--status", "failed"], ["deploy", "check", "99", "--name", "x", "--status", "pass"],
            ["live", "prod"], ["live", "prod", "--json"], ["live", "nowhere"], ["lkg", "prod", "--service", "api"],
            // Input errors the application finds: named by flag in both modes (the server names fields).
            ["deploy", "start", "--env", "nowhere", "--service", "api", "--digest", image],
            ["deploy", "start", "--env", "prod", "--slot", "red", "--service", "api", "--digest", image],
            ["deploy", "start", "--env", "prod", "--service", "api", "--digest", image],
            ["deploy", "start", "--env", "prod", "--slot", "green", "--service", "api", "--image", repository + ":nope"],
            ["rollback-plan", "prod", "--to-previous"], ["log", "prove", "0", "--size", "99999"], ["env", "create", "Bad!"],
            ["lkg", "prod", "--service", "web"], ["rollback-plan", "prod"], ["rollback-plan", "prod", "--service", "api", "--to-previous", "--json"],
            ["image", "mark-bad", image, "--reason", "CVE"], ["live", "prod"], ["keys", "revoke", "sha256:" + String(repeating: "0", count: 64)],
            ["log", "prove", "9999"], ["log", "consistency", "--from", "0"],
            ["ingest", "registry-events", Fixtures.url("distribution/docs_pull_manifest_envelope.json").path],
            ["ingest", "registry-events", Fixtures.url("distribution/docs_pull_manifest_envelope.json").path, "--json"],
            ["ingest", "registry-events", Fixtures.url("harbor/docs_artifact_deleted_cloudevents.json").path],
            ["ingest", "registry-events", Fixtures.url("distribution/docs_delete_target_fragment.json").path],
            ["image", "192.168.100.227:5000/hello-world@sha256:fea8895f450959fa676bcc1df0611ea93823a735a01205fd8622846041d0c7cf"],
            ["ingest", "langfuse", Fixtures.url("langfuse/docs_daily_metrics_example.json").path, "--service", "hello-world"],
            ["ingest", "langfuse", Fixtures.url("langfuse/docs_daily_metrics_example.json").path],
            ["cost", "report", "--from", "2016-03-01", "--to", "2024-03-01", "--by", "month"],
            ["cost", "report", "--from", "2024-02-17", "--to", "2024-02-18", "--format", "csv"],
            ["cost", "report", "--from", "2024-02-17", "--to", "2024-02-18", "--json"],
            ["cost", "report", "--from", "2024-02-18", "--to", "2024-02-17"],
            ["report", "dora", "--env", "nowhere"], ["report", "dora", "--env", "prod", "--from", "soon"],
            ["report", "dora", "--env", "prod", "--by", "day"], ["report", "dora", "--env", "prod", "--service", "Bad Name"],
        ]
        for step in steps {
            let here = try local.run(step)
            let there = try remote.run(step)
            #expect(there.status == here.status, "\(step): local \(here.status) \(here.stderr) / remote \(there.status) \(there.stderr)")
            #expect(Self.masked(there.stdout) == Self.masked(here.stdout), "\(step)")
            #expect(Self.masked(there.stderr) == Self.masked(here.stderr), "\(step)")
        }
        // The DORA report: the same counts (restore times may differ by a second between the two ledgers' clocks).
        for arguments in [["report", "dora", "--env", "prod", "--json"], ["report", "dora", "--env", "prod", "--by", "month", "--json"]] {
            let here = try #require(try local.json(arguments) as? [String: Any])
            let there = try #require(try remote.json(arguments) as? [String: Any])
            let totals = { (report: [String: Any]) in
                (report["totals"] as? [String: Any]).map { t in ["deploys", "failed_deploys", "restores", "deploy_days"].map { t[$0] as? Int ?? -1 } }
            }
            #expect(totals(here) == totals(there) && totals(here) != nil, "\(arguments)")
            #expect((here["rows"] as? [Any])?.count == (there["rows"] as? [Any])?.count)
            #expect(Set(here.keys) == Set(there.keys))
        }
        // The log's commands work remotely too (their hashes differ: the leaves hold the times).
        for step in [["log", "checkpoint"], ["log", "prove", "0", "--json"], ["log", "consistency", "--from", "1"], ["log", "verify"],
                     ["log", "public-key"]] {
            let result = try remote.run(step)
            #expect(result.status == 0, "\(step): \(result.stderr)")
        }
        let stopped = server.stop()
        #expect(stopped.status == 0, "\(stopped.log)")
    }

    @Test("exit 69 when the server is unreachable, 77 for a bad token, 65 for a bad --server")
    func connectionFailures() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try ServerProcess(database: directory.path("server.sqlite"))
        let unreachable = ShiplogBinary(database: directory.path("x"), environment: ["SHIPLOG_SERVER": "http://127.0.0.1:9"])
        let result = try unreachable.run(["builds"])
        #expect(result.status == 69, "\(result)")
        #expect(result.stderr.contains("unreachable"), "\(result)")
        let badToken = ShiplogBinary(database: directory.path("x"), environment: ["SHIPLOG_SERVER": server.url, "SHIPLOG_TOKEN": "nope"])
        #expect(try badToken.run(["builds"]).status == 77)
        #expect(try badToken.run(["builds", "--server", "ftp://x"]).status == 65)
        _ = server.stop()
    }

    @Test("SIGTERM while a large ingest is in flight: the request finishes and is answered, then the server stops")
    func inFlightRequestFinishes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = directory.path("server.sqlite")
        let admin = ShiplogBinary(database: database)
        let token = try #require(try admin.json(["tokens", "create", "--name", "ci", "--scope", "builds:write"]) as? [String: Any])["token"] as? String
        // A push report of 20,000 builds: long enough to be in flight when the signal arrives.
        var services: [String] = []
        for index in 0 ..< 20_000 {
            services.append(#"{"service":"svc\#(index % 50)","image":"registry.example.com/acme/svc:b\#(index)","#
                + #""digest":"sha256:\#(String(format: "%064x", index))"}"#)
        }
        let report = #"{"commit":"abc","services":[\#(services.joined(separator: ","))]}"#
        try Data(report.utf8).write(to: directory.url.appending(path: "report.json"))
        let server = try ServerProcess(database: database, arguments: ["--max-body-bytes", "16000000"])
        let remote = ShiplogBinary(database: directory.path("x"), environment: ["SHIPLOG_SERVER": server.url, "SHIPLOG_TOKEN": try #require(token)])
        nonisolated(unsafe) var answer: ShiplogBinary.Result?
        nonisolated(unsafe) var answeredAt = Date.distantPast
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            answer = try? remote.run(["ingest", "push-metadata", directory.path("report.json")])
            answeredAt = Date()
            done.signal()
        }
        Thread.sleep(forTimeInterval: 0.3)
        let signalledAt = Date()
        let stopped = server.stop()
        done.wait()
        #expect(answeredAt > signalledAt, "the ingest was still in flight when SIGTERM arrived")
        #expect(stopped.status == 0, "\(stopped.log)")
        let result = try #require(answer)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("20000 recorded"), "\(result.stdout.suffix(200))")
        let count = try Tool.run("/usr/bin/sqlite3", [database, "SELECT count(*) FROM build"]).output
        #expect(count.trimmingCharacters(in: .whitespacesAndNewlines) == "20000")
    }

    @Test("SIGTERM stops the server cleanly: exit 0, the database closed and its WAL folded in")
    func gracefulShutdown() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = directory.path("server.sqlite")
        let admin = ShiplogBinary(database: database)
        let token = try #require(try admin.json(["tokens", "create", "--name", "ci", "--scope", "builds:write"]) as? [String: Any])["token"] as? String
        let server = try ServerProcess(database: database)
        let remote = ShiplogBinary(database: directory.path("x"), environment: ["SHIPLOG_SERVER": server.url, "SHIPLOG_TOKEN": try #require(token)])
        #expect(try remote.run(["build", "record", "--service", "api", "--image", "ghcr.io/acme/api:v1",
                                "--digest", "sha256:" + String(repeating: "e", count: 64)]).status == 0)
        let stopped = server.stop()
        #expect(stopped.status == 0, "\(stopped.log)")
        #expect(stopped.log.contains("database closed"), "\(stopped.log)")
        let wal = (try? FileManager.default.attributesOfItem(atPath: database + "-wal")[.size] as? Int) ?? 0
        #expect(wal == 0, "the WAL is folded into the database file on close")
        #expect(try admin.run(["builds"]).stdout.contains("api"))
    }
}
