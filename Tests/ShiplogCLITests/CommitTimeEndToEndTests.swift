import Foundation
import ShiplogTestSupport
import Testing

/// Where a build's commit time comes from (issue 19): the flag, GitHub's event payload, a push report;
/// and that it is held to the log like every other field of the build.
@Suite("builds keep their commit time")
struct CommitTimeEndToEndTests {
    static let digest = "sha256:" + String(repeating: "c", count: 64)
    static let record = ["build", "record", "--service", "api", "--image", "ghcr.io/acme/api:v1", "--digest", digest, "--json"]

    @Test("--commit-time first, then the push event's head_commit.timestamp; other events give none; a bad one is exit 65")
    func sources() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let push = directory.path("push.json")
        try Data(#"{"ref":"refs/heads/main","head_commit":{"id":"9f2c1e4","timestamp":"2026-11-28T15:03:11+01:00"}}"#.utf8)
            .write(to: URL(fileURLWithPath: push))
        let pullRequest = directory.path("pr.json")
        try Data(#"{"action":"opened","pull_request":{"number":7}}"#.utf8).write(to: URL(fileURLWithPath: pullRequest))
        let broken = directory.path("broken.json")
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: broken))

        let fromEvent = ShiplogBinary(database: directory.path("a.sqlite"), environment: ["GITHUB_EVENT_PATH": push])
        let recorded = try #require(try fromEvent.json(Self.record) as? [String: Any])
        #expect(recorded["committed_at"] as? String == "2026-11-28T14:03:11.000Z")
        let flagged = try #require(try fromEvent.json(Self.record.replacingImage("v2")
            + ["--commit-time", "2026-11-27T10:00:00Z"]) as? [String: Any])
        #expect(flagged["committed_at"] as? String == "2026-11-27T10:00:00.000Z", "the flag wins over the event")

        let noHead = ShiplogBinary(database: directory.path("b.sqlite"), environment: ["GITHUB_EVENT_PATH": pullRequest])
        #expect((try noHead.json(Self.record) as? [String: Any])?["committed_at"] is NSNull)

        let bad = ShiplogBinary(database: directory.path("c.sqlite"), environment: ["GITHUB_EVENT_PATH": broken])
        let refused = try bad.run(Self.record)
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("GITHUB_EVENT_PATH \(broken): not valid JSON"), "\(refused.stderr)")
        #expect(try bad.run(Self.record + ["--commit-time", "2026-11-27T10:00:00Z"]).status == 0, "with the flag, the event file is not read")
        let badFlag = try ShiplogBinary(database: directory.path("d.sqlite")).run(Self.record + ["--commit-time", "yesterday"])
        #expect(badFlag.status == 65)
        #expect(badFlag.stderr.contains("--commit-time: \"yesterday\""), "\(badFlag.stderr)")
    }

    @Test("a push report's committed_at reaches every build; an edit of it in the file is caught by log verify")
    func reportAndLog() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = directory.path("l.sqlite")
        let shiplog = ShiplogBinary(database: database)
        // A build from before commit times, then a report with one.
        #expect(try shiplog.run(Self.record).status == 0)
        let report = directory.path("report.json")
        try Data(#"{"commit":"abc","committed_at":"2026-11-28T14:00:00Z","services":[{"service":"web","image":"ghcr.io/acme/web:v1","digest":"\#(Self.digest)"},{"service":"api","image":"ghcr.io/acme/api:v3","digest":"\#(Self.digest)"}]}"#.utf8)
            .write(to: URL(fileURLWithPath: report))
        #expect(try shiplog.run(["ingest", "push-metadata", report]).status == 0)
        let builds = try #require(try shiplog.json(["builds"]) as? [[String: Any]])
        #expect(builds.map { $0["committed_at"] as? String ?? "null" }.sorted() == ["2026-11-28T14:00:00.000Z", "2026-11-28T14:00:00.000Z", "null"])
        #expect(try shiplog.run(["log", "verify"]).status == 0, "entries with and without commit time regenerate from their rows")

        try Data(#"{"committed_at":"soon","services":[]}"#.utf8).write(to: URL(fileURLWithPath: report))
        let refused = try shiplog.run(["ingest", "push-metadata", report])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("committed_at: \"soon\""), "\(refused.stderr)")

        let edited = try Tool.run("/usr/bin/sqlite3", [database, """
            DROP TRIGGER build_is_append_only_update; UPDATE build SET committed_at = '2020-01-01T00:00:00.000Z' WHERE service = 'web'
            """])
        #expect(edited.status == 0, "\(edited.output)")
        let verify = try shiplog.run(["log", "verify"])
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("committed_at no longer matches the log"), "\(verify.stdout)")
    }
}

private extension Array where Element == String {
    /// The same `build record` for another tag of the image.
    func replacingImage(_ tag: String) -> [String] { map { $0 == "ghcr.io/acme/api:v1" ? "ghcr.io/acme/api:\(tag)" : $0 } }
}
