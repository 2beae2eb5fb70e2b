import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogCrypto
import ShiplogPostgres
import ShiplogStore

/// One server on PostgreSQL against the same database's own speed: POST /v1/builds (durable, 32 connections) against
/// `pgbench -N -c 32 -j 2 -T 10`, and GET live/lkg against the server's /healthz; the same loads on a SQLite file with
/// the same ledger, for the side-by-side table in docs/benchmarks.md. The cluster is a throwaway one on loopback
/// (scripts/postgres-cluster), or SHIPLOG_BENCH_POSTGRES (`postgres://USER@HOST:PORT`) when given.
enum PostgresBenchmark {
    static let services = 50
    static let deploysPerService = 20

    static func run(in folder: URL, shiplog: URL) throws -> [Finding] {
        guard let wrk = ["/usr/bin/wrk", "/usr/local/bin/wrk"].first(where: FileManager.default.isExecutableFile(atPath:)),
              FileManager.default.isExecutableFile(atPath: "/usr/bin/pgbench") else {
            return [Finding(name: "postgres (wrk, pgbench)", figure: "wrk or pgbench is not installed (apt-get install wrk postgresql)",
                            target: "-", met: false)]
        }
        let (server, stopCluster) = try cluster(in: folder)
        defer { stopCluster() }
        let database = server + "/shiplog"
        let pgbenchDatabase = server + "/pgbench"
        _ = try ServerBenchmark.capture("/usr/bin/psql", ["-X", "-q", server + "/postgres", "-c", "DROP DATABASE IF EXISTS pgbench", "-c", "CREATE DATABASE pgbench"])
        _ = try ServerBenchmark.capture("/usr/bin/pgbench", ["-i", "-q", "-s", "10", pgbenchDatabase])
        let pgbench = try ServerBenchmark.capture("/usr/bin/pgbench", ["-N", "-c", "32", "-j", "2", "-T", "10", pgbenchDatabase])
        guard let tpsLine = pgbench.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
              let tps = Double(tpsLine.split(separator: " ")[2]) else {
            throw ProcessTimer.Failure(description: "pgbench printed no tps: \(pgbench)")
        }

        setenv("SHIPLOG_LOG_KEY", folder.appending(path: "postgres-log-key.pem").path, 1)
        let onPostgres = try load(ledger: database, seed: { try PostgresLedger(address: PostgresAddress(database)) }, wrk: wrk, shiplog: shiplog, folder: folder)
        let sqlitePath = folder.appending(path: "side-by-side.sqlite").path
        let onSQLite = try load(ledger: sqlitePath, seed: { try SQLiteLedger(path: sqlitePath) }, wrk: wrk, shiplog: shiplog, folder: folder)

        func ratio(_ name: String, _ rate: Double, _ reference: Double, _ what: String, target: Double) -> Finding {
            Finding(name: name, figure: String(format: "%.0f req/s = %.0f%% of %@ %.0f", rate, 100 * rate / reference, what, reference),
                    target: ">= \(Int(target * 100))% of \(what)", met: rate >= target * reference)
        }
        return [
            ratio("PostgreSQL: POST /v1/builds, durable, 32 connections", onPostgres.builds, tps, "pgbench -N -c 32 -j 2 tps", target: 0.5),
            ratio("PostgreSQL: GET live (prod, \(services) services)", onPostgres.live, onPostgres.health, "/healthz", target: 0.6),
            ratio("PostgreSQL: GET lkg", onPostgres.lkg, onPostgres.health, "/healthz", target: 0.6),
            Finding(name: "side by side, same ledger and loads (req/s)",
                    figure: String(format: "healthz %.0f | %.0f, live %.0f | %.0f, lkg %.0f | %.0f, POST builds %.0f | %.0f (SQLite | PostgreSQL)",
                                   onSQLite.health, onPostgres.health, onSQLite.live, onPostgres.live, onSQLite.lkg, onPostgres.lkg,
                                   onSQLite.builds, onPostgres.builds),
                    target: "reported", met: true),
        ]
    }

    struct Rates {
        var health: Double
        var live: Double
        var lkg: Double
        var builds: Double
    }

    /// Seeds the ledger (50 services with 20 deploys each in prod, signed, checked), then loads a server on it.
    static func load(ledger location: String, seed open: () throws -> any LedgerStore, wrk: String, shiplog: URL, folder: URL) throws -> Rates {
        let store = try open()
        let ledger = ReleaseLedger(store: store)
        _ = try ledger.createEnvironment(name: "prod", slots: [], requireSignature: true)
        let key = try PrivateKey.generate(.ecdsaP256)
        _ = try ledger.trust(try key.publicKey, name: "bench")
        for service in 0 ..< services {
            let repository = try Repository(parsing: "registry.example.com/acme/svc\(service)")
            for version in 0 ..< deploysPerService {
                let digest = try Digest(parsing: IngestBenchmark.digest(service * 1_000 + version + 1))
                _ = try ledger.sign(repository: repository, digest: digest, with: key)
                guard case let .started(deploy) = try ledger.startDeploy(environment: "prod", slot: nil, service: "svc\(service)",
                                                                           image: ImageReference(repository: repository, digest: digest), actor: "bench") else {
                    throw ProcessTimer.Failure(description: "the seed deploy was refused")
                }
                _ = try ledger.checkDeploy(id: deploy.id, name: "health", status: version % 7 == 6 ? .fail : .pass, detail: nil)
                _ = try ledger.finishDeploy(id: deploy.id, state: .succeeded)
            }
        }
        let reader = try ledger.createToken(name: "bench-read", scopes: [.read]).token
        let writer = try ledger.createToken(name: "bench-write", scopes: [.buildsWrite]).token
        (store as? SQLiteLedger).map { try? $0.close() }
        (store as? PostgresLedger)?.close()

        let (server, url) = try ServerBenchmark.serve(shiplog, location)
        defer { server.terminate(); server.waitUntilExit() }
        let script = folder.appending(path: "post-build.lua")
        try ServerBenchmark.postBuildScript.write(to: script, atomically: true, encoding: .utf8)
        _ = try ServerBenchmark.rate(wrk, url + "/healthz", token: nil) // warm-up
        return Rates(health: try ServerBenchmark.rate(wrk, url + "/healthz", token: nil),
                     live: try ServerBenchmark.rate(wrk, url + "/v1/environments/prod/live", token: reader),
                     lkg: try ServerBenchmark.rate(wrk, url + "/v1/environments/prod/services/svc7/lkg", token: reader),
                     builds: try ServerBenchmark.rate(wrk, url + "/v1/builds", token: writer, script: script))
    }

    /// `postgres://USER@HOST:PORT` of the cluster to use, and how to stop it.
    static func cluster(in folder: URL) throws -> (String, () -> Void) {
        if let given = ProcessInfo.processInfo.environment["SHIPLOG_BENCH_POSTGRES"], !given.isEmpty {
            _ = try ServerBenchmark.capture("/usr/bin/psql", ["-X", "-q", given + "/postgres", "-c", "DROP DATABASE IF EXISTS shiplog", "-c", "CREATE DATABASE shiplog"])
            return (given, {})
        }
        let directory = "/tmp/shiplog-bench-postgres-\(getpid())"
        let port = String(30_000 + Int(getpid() % 10_000))
        let output = try ServerBenchmark.capture("/bin/bash", ["scripts/postgres-cluster", "start", directory, port])
        guard let url = output.split(separator: "\n").last, url.hasPrefix("postgres://") else {
            throw ProcessTimer.Failure(description: "could not start PostgreSQL (run from the package root): \(output)")
        }
        return (String(url.dropLast("/shiplog".count)), {
            _ = try? ServerBenchmark.capture("/bin/bash", ["scripts/postgres-cluster", "stop", directory])
            try? FileManager.default.removeItem(atPath: directory)
        })
    }
}
