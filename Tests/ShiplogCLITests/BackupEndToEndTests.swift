import Foundation
import ShiplogTestSupport
import Testing

@Suite("shiplog CLI: backup")
struct BackupEndToEndTests {
    @Test("a backup taken while four writers write is consistent: log verify passes on it and its root is the live log's at that size")
    func whileWriting() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shiplog = ShiplogBinary(database: directory.path("ledger.sqlite"))
        let example = Fixtures.packageRoot.appending(path: "docs/push-metadata.example.json").path
        #expect(try shiplog.run(["ingest", "push-metadata", example]).status == 0)
        #expect(try shiplog.run(["log", "checkpoint"]).status == 0)
        let writers = Task.detached {
            try await withThrowingTaskGroup(of: Int32.self) { group in
                for writer in 0 ..< 4 {
                    group.addTask {
                        for build in 0 ..< 15 {
                            let digest = "sha256:" + String(repeating: "0", count: 60) + String(format: "%02d%02d", writer, build)
                            let result = try shiplog.run(["build", "record", "--service", "svc\(writer)", "--image", "registry.example.com/t/svc\(writer):b\(build)",
                                                          "--digest", digest])
                            guard result.status == 0 else { return result.status }
                        }
                        return 0
                    }
                }
                return try await group.reduce(0) { $0 | $1 }
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        let copy = directory.path("copy.sqlite")
        let backup = try #require(try shiplog.json(["backup", copy]) as? [String: Any])
        #expect(try await writers.value == 0)
        // At least what was there before the writers began (the push report's two builds), at most all of it.
        let copied = try #require(backup["log_size"] as? Int)
        #expect(copied >= 2 && copied <= 2 + 4 * 15)
        // Another backup to the same name is refused; the copy stays as it was.
        #expect(try shiplog.run(["backup", copy]).status == 65)

        let publicKey = directory.path("log.pub")
        try Data(try shiplog.run(["log", "public-key"]).stdout.utf8).write(to: URL(fileURLWithPath: publicKey))
        let restored = ShiplogBinary(database: copy)
        let verified = try #require(try restored.json(["log", "verify", "--public-key", publicKey]) as? [String: Any])
        #expect(verified["intact"] as? Bool == true)
        #expect(verified["tree_size"] as? Int == copied)
        #expect(verified["checkpoints_checked"] as? Int == 1)
        let copiedRoot = try #require(try restored.json(["log", "prove", "0", "--size", String(copied)]) as? [String: Any])["root_hash"] as? String
        let liveRoot = try #require(try shiplog.json(["log", "prove", "0", "--size", String(copied)]) as? [String: Any])["root_hash"] as? String
        #expect(copiedRoot != nil && copiedRoot == liveRoot)
        #expect(try shiplog.json(["log", "verify"]) is [String: Any])
        // A server URL or a PostgreSQL ledger is not backed up this way.
        #expect(try shiplog.run(["backup", directory.path("x.sqlite"), "--db", "postgres://u:pw@127.0.0.1/db"]).stderr.contains("u:***@"))
    }
}
