import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The PostgreSQL server the tests use: `SHIPLOG_TEST_POSTGRES` (a `postgres://USER@HOST:PORT` URL; scripts/test starts a
/// throwaway cluster on loopback and sets it), else a cluster this test process starts itself with scripts/postgres-cluster
/// and stops when it exits. Each test gets a database of its own.
package enum TestPostgres {
    /// `postgres://USER@HOST:PORT`, without a database.
    package static let server: Result<String, TestPostgresError> = {
        if let url = ProcessInfo.processInfo.environment["SHIPLOG_TEST_POSTGRES"], !url.isEmpty {
            return .success(url.hasSuffix("/") ? String(url.dropLast()) : url)
        }
        return startOwnCluster()
    }()

    /// A new, empty database; answers its URL.
    package static func freshDatabase() throws -> String {
        let server = try server.get()
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try psql(server + "/postgres", "CREATE DATABASE \(name)")
        return server + "/" + name
    }

    /// Runs one statement with psql (a client shiplog did not write); throws with its output when it fails.
    @discardableResult
    package static func psql(_ url: String, _ sql: String) throws -> String {
        let result = try Tool.run("/usr/bin/psql", ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", url, "-c", sql])
        guard result.status == 0 else { throw TestPostgresError(message: "psql \(sql): \(result.output)") }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Where this process's own cluster lives, when it started one.
    nonisolated(unsafe) private static var ownCluster: String?

    private static func startOwnCluster() -> Result<String, TestPostgresError> {
        let directory = "/tmp/shiplog-test-postgres-\(getpid())"
        let port = 20_000 + Int(getpid() % 20_000)
        let script = Fixtures.packageRoot.appending(path: "scripts/postgres-cluster").path
        do {
            let result = try Tool.run("/bin/bash", [script, "start", directory, String(port)])
            guard result.status == 0, let url = result.output.split(separator: "\n").last, url.hasPrefix("postgres://") else {
                return .failure(TestPostgresError(message: "could not start PostgreSQL (is it installed? scripts/test installs it): \(result.output)"))
            }
            ownCluster = directory
            atexit {
                guard let directory = TestPostgres.ownCluster else { return }
                _ = try? Tool.run("/bin/bash", [Fixtures.packageRoot.appending(path: "scripts/postgres-cluster").path, "stop", directory])
                try? FileManager.default.removeItem(atPath: directory)
            }
            return .success(String(url.dropLast("/shiplog".count)))
        } catch {
            return .failure(TestPostgresError(message: "could not start PostgreSQL: \(error)"))
        }
    }
}

package struct TestPostgresError: Error, CustomStringConvertible {
    package var message: String
    package var description: String { message }
}
