import Foundation
import ShiplogTestSupport
import Testing

@Suite("examples/release-flow.sh")
struct ReleaseFlowExampleTests {
    /// Runs examples/release-flow.sh with these extra variables; answers its exit status and output.
    static func run(environment extra: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Fixtures.packageRoot.appending(path: "examples/release-flow.sh").path]
        let binaries = ShiplogBinary.executable.deletingLastPathComponent().path
        process.environment = ["PATH": "\(binaries):/usr/local/bin:/usr/bin:/bin", "HOME": NSTemporaryDirectory()].merging(extra) { $1 }
        let output = ChildPipe.make()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test("the documented release flow runs end to end: gate, failing check, rollback plan, redeploy")
    func releaseFlow() throws {
        let (status, text) = try Self.run()
        #expect(status == 0, "\(text.suffix(2000))")
        #expect(text.hasSuffix("release flow: ok\n"))
        #expect(text.contains("code-review: redeploy"))
        #expect(text.contains("deploy refused"))
        #expect(text.contains("== delivery metrics"))
    }

    @Test("the same release flow on a PostgreSQL ledger, its checkpoint key named by SHIPLOG_LOG_KEY")
    func releaseFlowOnPostgres() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try TestPostgres.freshDatabase()
        let (status, text) = try Self.run(environment: ["SHIPLOG_DB": database, "SHIPLOG_LOG_KEY": directory.path("log-key.pem")])
        #expect(status == 0, "\(text.suffix(2000))")
        #expect(text.hasSuffix("release flow: ok\n"))
        #expect(text.contains("code-review: redeploy"))
        let shiplog = ShiplogBinary(database: database, environment: ["SHIPLOG_LOG_KEY": directory.path("log-key.pem")])
        let verified = try #require(try shiplog.json(["log", "verify"]) as? [String: Any])
        #expect(verified["intact"] as? Bool == true)
        #expect((verified["tree_size"] as? Int ?? 0) > 100)
    }
}
