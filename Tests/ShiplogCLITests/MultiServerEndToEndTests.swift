import Foundation
import ShiplogTestSupport
import Testing

/// Several `shiplog serve` processes on one PostgreSQL ledger: one log, nothing lost, a server killed or the database
/// restarted without anyone stepping in.
@Suite("shiplog serve: several servers on one PostgreSQL ledger")
struct MultiServerEndToEndTests {
    /// A fresh database, its shared checkpoint key and an admin token, with `prod` created.
    struct Ledger {
        let directory: TemporaryDirectory
        let database: String
        let environment: [String: String]
        let token: String
        let shiplog: ShiplogBinary

        init(database: String? = nil) throws {
            directory = try TemporaryDirectory()
            self.database = try database ?? TestPostgres.freshDatabase()
            environment = ["SHIPLOG_LOG_KEY": directory.path("log-key.pem")]
            shiplog = ShiplogBinary(database: self.database, environment: environment)
            let created = try shiplog.json(["tokens", "create", "--name", "ci", "--scope", "admin"])
            token = try #require((created as? [String: Any])?["token"] as? String)
            #expect(try shiplog.run(["env", "create", "prod"]).status == 0)
        }

        func server() throws -> ServerProcess {
            try ServerProcess(database: database, arguments: ["--checkpoint-interval", "0"], environment: environment)
        }

        func remote(_ server: ServerProcess) -> ShiplogBinary {
            ShiplogBinary(database: "/nonexistent", environment: ["SHIPLOG_SERVER": server.url, "SHIPLOG_TOKEN": token])
        }

        func verify() throws -> [String: Any] {
            try #require(try shiplog.json(["log", "verify"]) as? [String: Any])
        }
    }

    /// A bash loop of real CLI writers: 100 builds and 50 deploys (started on one server, finished on the other), printing
    /// each write the server acknowledged.
    static let writer = """
        w=$1; shift; servers=("$@")
        for i in $(seq 1 100); do
          a=${servers[$((i % ${#servers[@]}))]}; b=${servers[$(((i + 1) % ${#servers[@]}))]}
          d=$(printf 'sha256:%064x' $((w * 100000 + i)))
          shiplog build record --server "$a" --service "svc$w" --image "registry.example.com/t/svc$w:b$i" --digest "$d" >/dev/null && echo "build $d"
          if [ $((i % 2)) -eq 0 ]; then
            id=$(shiplog deploy start --server "$b" --env prod --service "svc$w" --digest "registry.example.com/t/svc$w@$d") && echo "deploy $id" \\
              && shiplog deploy finish "$id" --server "$a" --status succeeded >/dev/null && echo "finish $id"
          fi
        done
        """

    static func writers(_ count: Int, servers: [String], token: String) throws -> [Process] {
        let binaries = ShiplogBinary.executable.deletingLastPathComponent().path
        return try (0 ..< count).map { writer in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", Self.writer, "writer", String(writer)] + servers
            process.environment = ["PATH": "\(binaries):/usr/bin:/bin", "SHIPLOG_TOKEN": token]
            process.standardOutput = ChildPipe.make()
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
    }

    /// What each writer printed: the writes it saw acknowledged.
    static func acknowledged(_ writers: [Process]) -> [String] {
        writers.flatMap { process -> [String] in
            let output = (process.standardOutput as? Pipe)?.fileHandleForReading.readDataToEndOfFile() ?? Data()
            process.waitUntilExit()
            return String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
        }
    }

    @Test("8 CLI writers × 200 builds and deploys through two servers: nothing lost, one log both serve, log verify passes")
    func twoServers() throws {
        let ledger = try Ledger()
        defer { ledger.directory.remove() }
        let (a, b) = (try ledger.server(), try ledger.server())
        let writes = Self.acknowledged(try Self.writers(8, servers: [a.url, b.url], token: ledger.token))
        #expect(writes.count == 8 * 200, "\(8 * 200 - writes.count) writes were refused")
        #expect(try TestPostgres.psql(ledger.database, "SELECT count(*) FROM build") == "800")
        #expect(try TestPostgres.psql(ledger.database, "SELECT count(*) FROM deploy WHERE state = 'succeeded'") == "400")
        // One linear history: dense leaf indexes, every write one entry, the same checkpoint from either server.
        #expect(try TestPostgres.psql(ledger.database, "SELECT count(*) = max(leaf_index) + 1 FROM log_entry") == "t")
        let size = 1 + 8 * 200
        let checkpoints = try [a, b].map { server in try #require(try ledger.remote(server).json(["log", "checkpoint"]) as? [String: Any]) }
        #expect(checkpoints.map { $0["tree_size"] as? Int } == [size, size])
        #expect(checkpoints[0]["root_hash"] as? String == checkpoints[1]["root_hash"] as? String)
        let proofs = try [a, b].map { server in try ledger.remote(server).run(["log", "prove", "800", "--json"]).stdout }
        #expect(proofs[0] == proofs[1] && proofs[0].contains("root_hash"))
        let verified = try ledger.verify()
        #expect(verified["intact"] as? Bool == true, "\(verified)")
        #expect(verified["tree_size"] as? Int == size)
        // The one A signed at start (size 1) and the one both answered at the end, signed by one and kept: the same key.
        #expect(verified["checkpoints_checked"] as? Int == 2)
        // A write on one server is what the other answers at once (its kept answers are keyed by the database's counter).
        for round in 1 ... 10 {
            let digest = String(format: "sha256:%064x", 900_000 + round)
            #expect(try ledger.remote(a).run(["deploy", "start", "--env", "prod", "--service", "svc9",
                                              "--digest", "registry.example.com/t/svc9@" + digest]).status == 0)
            let live = try #require(try ledger.remote(b).json(["live", "prod", "--service", "svc9"]) as? [String: Any])
            let services = live["services"] as? [[String: Any]] ?? []
            #expect(services.first?["digest"] as? String == digest, "round \(round): \(services)")
        }
        #expect(a.stop().status == 0)
        #expect(b.stop().status == 0)
    }

    @Test("one server killed with SIGKILL mid-burst: every acknowledged write is in the ledger, the other server goes on")
    func killOne() throws {
        let ledger = try Ledger()
        defer { ledger.directory.remove() }
        let (a, b) = (try ledger.server(), try ledger.server())
        // Two writers on each server alone, so the ones on A find it gone.
        let onA = try Self.writers(2, servers: [a.url], token: ledger.token)
        let onB = try Self.writers(2, servers: [b.url], token: ledger.token)
        Thread.sleep(forTimeInterval: Double.random(in: 1.0 ... 2.5))
        kill(a.process.processIdentifier, SIGKILL)
        let writesOnA = Self.acknowledged(onA)
        let writesOnB = Self.acknowledged(onB)
        _ = a.stop()
        #expect(!writesOnA.isEmpty && writesOnA.count < 400, "\(writesOnA.count) writes through A")
        #expect(writesOnB.count == 400, "B refused \(400 - writesOnB.count) writes")
        let stored = Set(try TestPostgres.psql(ledger.database, "SELECT digest FROM build").split(separator: "\n").map(String.init))
        let builds = (writesOnA + writesOnB).filter { $0.hasPrefix("build ") }.map { String($0.dropFirst(6)) }
        #expect(Set(builds).subtracting(stored).isEmpty, "acknowledged builds lost: \(Set(builds).subtracting(stored).count)")
        let deploys = Set(try TestPostgres.psql(ledger.database, "SELECT id FROM deploy").split(separator: "\n").map(String.init))
        let started = (writesOnA + writesOnB).filter { $0.hasPrefix("deploy ") }.map { String($0.dropFirst(7)) }
        #expect(Set(started).subtracting(deploys).isEmpty)
        #expect(try ledger.remote(b).run(["build", "record", "--service", "after", "--image", "registry.example.com/t/after:1",
                                          "--digest", "sha256:" + String(repeating: "a", count: 64)]).status == 0)
        #expect(try ledger.verify()["intact"] as? Bool == true)
        #expect(b.stop().status == 0)
    }

    @Test("serve on PostgreSQL without SHIPLOG_LOG_KEY refuses to start; a malformed URL or pool size is refused naming it")
    func refusals() throws {
        let database = try TestPostgres.freshDatabase()
        let serve = try ShiplogBinary(database: database).run(["serve", "--port", "0"])
        #expect(serve.status == 65)
        #expect(serve.stderr.contains("SHIPLOG_LOG_KEY"), "\(serve.stderr)")
        let shiplog = ShiplogBinary(database: database)
        for (arguments, needle) in [(["builds", "--db", "postgres://nouser.example/db"], "no user"),
                                    (["builds", "--db", "postgres://u:pw@h:99999/db"], "port"),
                                    (["builds", "--db", "postgres://u:pw@h/db?sslmode=maybe"], "sslmode"),
                                    (["builds", "--db-pool", "0"], "--db-pool")] {
            let result = try shiplog.run(arguments)
            #expect(result.status == 65, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(needle), "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("pw@"), "the password is shown: \(result.stderr)")
        }
        #expect(try shiplog.run(["builds", "--db-pool", "2"]).status == 0)
    }

    @Test("PostgreSQL restarted mid-run: requests during it are 503 problems naming nothing inside, /readyz says so, the servers recover")
    func databaseRestart() throws {
        // A cluster of its own: restarting the shared one would fail the other suites' requests.
        let cluster = "/tmp/shiplog-restart-\(UUID().uuidString.prefix(8))"
        let script = Fixtures.packageRoot.appending(path: "scripts/postgres-cluster").path
        let port = String(Int.random(in: 40_000 ... 49_999))
        let started = try Tool.run("/bin/bash", [script, "start", cluster, port])
        try #require(started.status == 0, "\(started.output)")
        defer {
            _ = try? Tool.run("/bin/bash", [script, "stop", cluster])
            try? FileManager.default.removeItem(atPath: cluster)
        }
        let ledger = try Ledger(database: "postgres://shiplog@127.0.0.1:\(port)/shiplog")
        defer { ledger.directory.remove() }
        let server = try ledger.server()
        let client = ledger.remote(server)
        func record(_ n: Int) throws -> ShiplogBinary.Result {
            try client.run(["build", "record", "--service", "api", "--image", "registry.example.com/t/api:\(n)", "--digest", String(format: "sha256:%064x", n)])
        }
        func ready() throws -> Int32 {
            try Tool.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", server.url + "/readyz"]).output == "200" ? 0 : 1
        }
        #expect(try record(1).status == 0)
        #expect(try Tool.run("/bin/bash", [script, "stop", cluster]).status == 0)
        #expect(try ready() == 1)
        let during = try record(2)
        #expect(during.status != 0)
        #expect(during.stderr.contains("503"))
        #expect(!during.stderr.contains("127.0.0.1:\(port)") && !during.stderr.contains("postgres"), "the problem names the database: \(during.stderr)")
        #expect(try Tool.run("/bin/bash", [script, "start", cluster, port]).status == 0)
        // Recovered by itself: the first request after the restart already succeeds.
        #expect(try ready() == 0)
        #expect(try record(3).status == 0)
        #expect(try TestPostgres.psql(ledger.database, "SELECT count(*) FROM build") == "2")
        #expect(try ledger.verify()["intact"] as? Bool == true)
        #expect(server.stop().status == 0)
    }
}
