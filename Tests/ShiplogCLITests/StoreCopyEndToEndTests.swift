import Foundation
import ShiplogTestSupport
import Testing

@Suite("shiplog CLI: store copy between SQLite and PostgreSQL")
struct StoreCopyEndToEndTests {
    /// What a user asks a ledger, as JSON: each must read the same on the original and on every copy.
    static let questions: [[String]] = [
        ["builds", "--limit", "1000"], ["live", "prod"], ["rollback-plan", "prod"], ["lkg", "prod", "--service", "gateway"],
        ["cost", "report", "--from", "2020-01-01", "--to", "2030-12-31", "--by", "month"], ["keys", "list"], ["tokens", "list"],
        ["policy", "show", "prod"], ["log", "prove", "7"], ["log", "consistency", "--from", "40"],
    ]

    @Test("the release flow's ledger copied file → PostgreSQL → file: same log root, log verify passes on each, the same answers")
    func roundTrip() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path("ledger.sqlite")
        let key = directory.path("ledger.sqlite.log-key.pem")
        let (status, text) = try ReleaseFlowExampleTests.run(environment: ["SHIPLOG_DB": file])
        try #require(status == 0, "\(text.suffix(2000))")
        let shiplog = ShiplogBinary(database: file, environment: ["SHIPLOG_LOG_KEY": key])
        let database = try TestPostgres.freshDatabase()
        let back = directory.path("back.sqlite")

        let there = try #require(try shiplog.json(["store", "copy", "--from", file, "--to", database]) as? [String: Any])
        let again = try #require(try shiplog.json(["store", "copy", "--from", database, "--to", back]) as? [String: Any])
        let size = try #require(there["log_size"] as? Int)
        #expect(size > 100)
        #expect(again["log_size"] as? Int == size)
        #expect((there["root_hash"] as? String)?.isEmpty == false)
        #expect(again["root_hash"] as? String == there["root_hash"] as? String)
        // The database never shows its password.
        #expect((there["to"] as? String)?.contains("***") == false)

        let ledgers = [file, database, back]
        for ledger in ledgers {
            let verified = try #require(try shiplog.json(["log", "verify", "--db", ledger]) as? [String: Any], "\(ledger)")
            #expect(verified["intact"] as? Bool == true, "\(ledger)")
            #expect(verified["tree_size"] as? Int == size)
        }
        for question in Self.questions {
            let answers = try ledgers.map { ledger in try shiplog.run(question + ["--db", ledger, "--json"]) }
            #expect(answers[0].status == 0, "\(question): \(answers[0].stderr)")
            #expect(answers[1].stdout == answers[0].stdout, "\(question) on PostgreSQL")
            #expect(answers[2].stdout == answers[0].stdout, "\(question) on the copy back")
        }
        // A ledger keeps growing after the copy, from where the copy left its ids and its log.
        let digest = "sha256:" + String(repeating: "e", count: 64)
        for ledger in [database, back] {
            #expect(try shiplog.run(["build", "record", "--service", "rag", "--image", "registry.example.com/t/rag:after", "--digest", digest,
                                     "--db", ledger]).status == 0)
            let verified = try #require(try shiplog.json(["log", "verify", "--db", ledger]) as? [String: Any])
            #expect(verified["tree_size"] as? Int == size + 1)
        }
    }

    @Test("a copy into a ledger that has rows is refused, and leaves it as it was")
    func nonEmptyTarget() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = ShiplogBinary(database: directory.path("a.sqlite"))
        let example = Fixtures.packageRoot.appending(path: "docs/push-metadata.example.json").path
        #expect(try source.run(["ingest", "push-metadata", example]).status == 0)
        let database = try TestPostgres.freshDatabase()
        let target = ShiplogBinary(database: database)
        #expect(try target.run(["env", "create", "prod"]).status == 0)
        let refused = try source.run(["store", "copy", "--from", directory.path("a.sqlite"), "--to", database])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("not empty"))
        #expect(try TestPostgres.psql(database, "SELECT count(*) FROM build") == "0")
        #expect(try source.run(["store", "copy", "--from", directory.path("missing.sqlite"), "--to", directory.path("b.sqlite")]).status == 65)
        #expect(!FileManager.default.fileExists(atPath: directory.path("b.sqlite")))
        #expect(try source.run(["store", "copy", "--from", directory.path("a.sqlite"), "--to", "postgres://nobody@127.0.0.1:1/x"]).status == 69)
    }
}
