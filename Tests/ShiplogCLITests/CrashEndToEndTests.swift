import Foundation
import ShiplogTestSupport
import Testing

/// Issue 14: kill -9 at random moments, as the adversarial pass did. Each moment's delay is printed in the
/// failure, so a failing moment can be replayed.
@Suite("kill -9 loses nothing acknowledged and leaves nothing half-written", .serialized)
struct CrashEndToEndTests {
    /// `PRAGMA integrity_check`'s answer, and `log verify`'s exit status.
    static func soundness(_ database: String) throws -> (integrity: String, verify: ShiplogBinary.Result) {
        let integrity = try Tool.run("/usr/bin/sqlite3", [database, "PRAGMA integrity_check"])
        return (integrity.output.trimmingCharacters(in: .whitespacesAndNewlines), try ShiplogBinary(database: database).run(["log", "verify"]))
    }

    static func buildCount(_ database: String) throws -> Int {
        Int(try Tool.run("/usr/bin/sqlite3", [database, "SELECT count(*) FROM build"]).output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// A push report of `count` builds whose digests start at `first`.
    static func report(count: Int, first: Int) -> Data {
        let services = (first ..< first + count).map { index in
            let hex = String(index, radix: 16)
            return #"{"service":"s\#(index % 9)","image":"ghcr.io/acme/s\#(index % 9):t\#(index)","#
                + #""digest":"sha256:\#(String(repeating: "0", count: 64 - hex.count) + hex)"}"#
        }
        return Data((#"{"commit":"c","services":["# + services.joined(separator: ",") + "]}").utf8)
    }

    @Test("a bulk ingest of 50,000 builds killed at 5 random moments is there whole or not at all")
    func bulkIngest() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = directory.path("l.sqlite")
        var expected = 0
        for round in 0 ..< 5 {
            let file = directory.path("report-\(round).json")
            try Self.report(count: 50_000, first: round * 50_000).write(to: URL(fileURLWithPath: file))
            let process = Process()
            process.executableURL = ShiplogBinary.executable
            process.arguments = ["ingest", "push-metadata", file, "--db", database]
            process.environment = ["PATH": "/usr/bin:/bin"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            // Anywhere from before the file is read to after the commit.
            let delay = Double.random(in: 0.05 ... 4.0)
            try process.run()
            Thread.sleep(forTimeInterval: delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let count = try Self.buildCount(database)
            #expect(count == expected || count == expected + 50_000, "round \(round), killed after \(delay) s: \(count) builds")
            expected = count
            let (integrity, verify) = try Self.soundness(database)
            #expect(integrity == "ok", "round \(round), killed after \(delay) s: \(integrity)")
            #expect(verify.status == 0, "round \(round), killed after \(delay) s: \(verify.stdout) \(verify.stderr)")
        }
    }

    @Test("a server killed during concurrent POSTs keeps every build it acknowledged", arguments: 1 ... 3)
    func concurrentPosts(round: Int) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = directory.path("l.sqlite")
        let created = try ShiplogBinary(database: database).json(["tokens", "create", "--name", "ci", "--scope", "builds:write"])
        let token = try #require((created as? [String: Any])?["token"] as? String)
        let server = try ServerProcess(database: database)
        // Four clients post builds until the server is gone; each prints the digest of every 201 it got.
        let clients = Process()
        clients.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        clients.arguments = ["-c", """
            import json, sys, threading, urllib.request
            url, token, lock = sys.argv[1], sys.argv[2], threading.Lock()
            def post(worker):
                for n in range(100000):
                    digest = "sha256:%064x" % (worker * 1000000 + n)
                    body = json.dumps({"service": "api", "repository": "ghcr.io/acme/api", "tag": "w%d" % worker, "digest": digest}).encode()
                    request = urllib.request.Request(url + "/v1/builds", data=body, method="POST",
                        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
                    try:
                        with urllib.request.urlopen(request, timeout=5) as answer:
                            if answer.status == 201:
                                with lock: print(digest, flush=True)
                    except Exception:
                        return
            threads = [threading.Thread(target=post, args=(w,)) for w in range(4)]
            for t in threads: t.start()
            for t in threads: t.join()
            """, server.url, token]
        let acknowledged = ChildPipe.make()
        clients.standardOutput = acknowledged
        clients.standardError = FileHandle.nullDevice
        try clients.run()
        let delay = Double.random(in: 0.5 ... 2.5)
        Thread.sleep(forTimeInterval: delay)
        kill(server.process.processIdentifier, SIGKILL)
        let output = String(decoding: acknowledged.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        clients.waitUntilExit()
        _ = server.stop()
        let digests = Set(output.split(separator: "\n").map(String.init))
        #expect(!digests.isEmpty, "round \(round), killed after \(delay) s: no build was acknowledged")
        let stored = Set(try Tool.run("/usr/bin/sqlite3", [database, "SELECT digest FROM build"]).output.split(separator: "\n").map(String.init))
        let lost = digests.subtracting(stored)
        #expect(lost.isEmpty, "round \(round), killed after \(delay) s: \(lost.count) acknowledged builds lost, e.g. \(lost.first ?? "")")
        let (integrity, verify) = try Self.soundness(database)
        #expect(integrity == "ok", "round \(round): \(integrity)")
        #expect(verify.status == 0, "round \(round): \(verify.stdout) \(verify.stderr)")
    }
}

@Suite("processes racing on a brand-new ledger file", .serialized)
struct NewFileRaceTests {
    /// The first process to open a file creates its schema and log key; the others must wait for both,
    /// whatever each of them came to do.
    @Test("8 processes at once, recording builds and serving, on a file that does not exist yet", arguments: 1 ... 2)
    func buildsAndServers(round: Int) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = directory.path("new.sqlite")
        let failures = Failures()
        let servers = ServerList()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            do {
                if worker % 2 == 0 {
                    let hex = String(worker + 1)
                    let result = try ShiplogBinary(database: database).run([
                        "build", "record", "--service", "api", "--image", "ghcr.io/acme/api:w\(worker)",
                        "--digest", "sha256:" + String(repeating: "0", count: 64 - hex.count) + hex,
                    ])
                    if result.status != 0 { failures.add("build record: \(result.stderr)") }
                } else {
                    servers.add(try ServerProcess(database: database))
                }
            } catch {
                failures.add("\(error)")
            }
        }
        for server in servers.all {
            let answer = try Tool.run("/usr/bin/python3", ["-c", "import urllib.request,sys; print(urllib.request.urlopen(sys.argv[1] + '/readyz').status)", server.url])
            if answer.output.trimmingCharacters(in: .whitespacesAndNewlines) != "200" { failures.add("readyz: \(answer.output)") }
            let (status, log) = server.stop()
            if status != 0 || log.contains("error") { failures.add("serve exit \(status): \(log.prefix(300))") }
        }
        #expect(failures.all.isEmpty, "round \(round): \(failures.all.prefix(3))")
        #expect(servers.all.count == 4)
        #expect(try CrashEndToEndTests.buildCount(database) == 4)
        let verify = try ShiplogBinary(database: database).run(["log", "verify"])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
    }
}

final class ServerList: @unchecked Sendable {
    private let lock = NSLock()
    private var servers: [ServerProcess] = []

    func add(_ server: ServerProcess) { lock.withLock { servers.append(server) } }
    var all: [ServerProcess] { lock.withLock { servers } }
}
