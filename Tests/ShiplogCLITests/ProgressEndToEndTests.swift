import Foundation
import ShiplogTestSupport
import Testing

/// Issue 14: long work shows progress on stderr when it is a terminal (here, a pseudo-terminal that
/// util-linux's `script` makes), and nowhere else: not in a pipe, not in a file, never on stdout.
@Suite("progress on a terminal's stderr, never in output", .serialized)
struct ProgressEndToEndTests {
    /// What a terminal shows while `command` runs (stdout and stderr both), and its exit status.
    static func onTerminal(_ command: String) throws -> (status: Int32, screen: String) {
        let result = try Tool.run("/usr/bin/script", ["-qec", command, "/dev/null"])
        return (result.status, result.output)
    }

    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    @Test("log verify and a large ingest show progress on a terminal; redirected or with --json, stdout holds none")
    func verifyAndIngest() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = directory.path("l.sqlite")
        let report = directory.path("report.json")
        try CrashEndToEndTests.report(count: 25_000, first: 0).write(to: URL(fileURLWithPath: report))
        // The global options go after the subcommand.
        func command(_ arguments: String) -> String {
            "\(Self.quoted(ShiplogBinary.executable.path)) \(arguments) --db \(Self.quoted(database))"
        }

        let ingest = try Self.onTerminal(command("ingest push-metadata \(Self.quoted(report))"))
        #expect(ingest.status == 0, "\(ingest.screen)")
        #expect(ingest.screen.contains("25000 builds read; recording them in one transaction"), "\(ingest.screen)")
        #expect(ingest.screen.contains("25000 recorded"), "the answer follows on a cleared line: \(ingest.screen)")

        let verify = try Self.onTerminal(command("log verify --no-signatures"))
        #expect(verify.status == 0, "\(verify.screen)")
        #expect(verify.screen.contains("log verify: 0 of 25000 entries"), "\(verify.screen)")
        #expect(verify.screen.contains("\u{1B}[K"), "drawn in place")

        // --json with stdout to a file: the file is the JSON alone; the terminal (stderr) had the progress.
        let output = directory.path("verify.json")
        let json = try Self.onTerminal(command("log verify --no-signatures --json") + " > \(Self.quoted(output))")
        #expect(json.screen.contains("log verify: 0 of 25000 entries"), "\(json.screen)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output))) as? [String: Any])
        #expect(document["intact"] as? Bool == true)

        // Not a terminal: nothing on stderr at all.
        let piped = try ShiplogBinary(database: database).run(["log", "verify", "--no-signatures"])
        #expect(piped.status == 0)
        #expect(piped.stderr.isEmpty, "\(piped.stderr)")
        #expect(!piped.stdout.contains("entries;"), "\(piped.stdout)")
    }
}
