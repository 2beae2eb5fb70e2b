import Foundation
import ShiplogTestSupport
import Testing

/// Tampering with the SQLite file from outside (the sqlite3 shell, dropping the append-only triggers
/// first, as an attacker with file access would) is caught by `shiplog log verify`.
@Suite("shiplog CLI: transparency log")
struct TransparencyLogEndToEndTests {
    /// A ledger with a few writes of different kinds and a signed checkpoint.
    func ledger(_ directory: TemporaryDirectory) throws -> ShiplogBinary {
        let shiplog = ShiplogBinary(database: directory.path("ledger.sqlite"))
        let example = Fixtures.packageRoot.appending(path: "docs/push-metadata.example.json").path
        #expect(try shiplog.run(["ingest", "push-metadata", example]).status == 0)      // 2 builds (each with its tag move)
        #expect(try shiplog.run(["env", "create", "prod"]).status == 0)                 // 1
        let image = "registry.example.com/acme/gateway@sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270"
        let id = try shiplog.run(["deploy", "start", "--env", "prod", "--service", "gateway", "--digest", image])
        #expect(id.status == 0)                                                         // 1
        #expect(try shiplog.run(["deploy", "finish", id.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
                                 "--status", "succeeded"]).status == 0)                 // 1
        #expect(try shiplog.run(["log", "checkpoint"]).status == 0)
        return shiplog
    }

    func sqlite(_ path: String, _ sql: String) throws {
        let result = try Tool.run("/usr/bin/sqlite3", [path, sql])
        #expect(result.status == 0, "\(result.output)")
    }

    static let dropTriggers = """
        DROP TRIGGER log_entry_is_append_only_update; DROP TRIGGER log_entry_is_append_only_delete;
        DROP TRIGGER log_node_is_append_only_update; DROP TRIGGER log_node_is_append_only_delete;
        """

    @Test("an intact log verifies; every entry has an inclusion proof against the checkpoint")
    func intact() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shiplog = try ledger(directory)
        let result = try #require(try shiplog.json(["log", "verify"]) as? [String: Any])
        #expect(result["intact"] as? Bool == true)
        #expect(result["tree_size"] as? Int == 5)
        let checkpoint = try #require(try shiplog.json(["log", "checkpoint"]) as? [String: Any])
        for entry in 0 ..< 5 {
            let proof = try #require(try shiplog.json(["log", "prove", String(entry)]) as? [String: Any])
            #expect(proof["root_hash"] as? String == checkpoint["root_hash"] as? String)
        }
        #expect(try shiplog.run(["log", "prove", "5"]).status == 65)
        #expect(try shiplog.run(["log", "consistency", "--from", "0"]).status == 65)
    }

    @Test("the checkpoint's signature verifies with openssl and the published key")
    func checkpointWithOpenSSL() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shiplog = try ledger(directory)
        let publicKey = try shiplog.run(["log", "public-key"])
        try Data(publicKey.stdout.utf8).write(to: directory.url.appending(path: "log.pub"))
        let checkpoint = try #require(try shiplog.json(["log", "checkpoint"]) as? [String: Any])
        let note = try #require(checkpoint["note"] as? String)
        let parts = note.components(separatedBy: "\n\n")
        try #require(parts.count == 2)
        #expect(parts[1].hasPrefix("\u{2014} "))
        try Data((parts[0] + "\n").utf8).write(to: directory.url.appending(path: "body"))
        let signatureLine = try #require(parts[1].split(separator: "\n").first?.split(separator: " ").last)
        let signature = try #require(Data(base64Encoded: String(signatureLine))).dropFirst(4)
        try signature.write(to: directory.url.appending(path: "sig"))
        let verified = try Tool.run("/usr/bin/openssl", ["pkeyutl", "-verify", "-pubin", "-inkey", directory.path("log.pub"), "-rawin",
                                                         "-in", directory.path("body"), "-sigfile", directory.path("sig")])
        #expect(verified.output.contains("Signature Verified Successfully"), "\(verified.output)")
        // The log key is for checkpoints only: the trust store refuses it.
        #expect(try shiplog.run(["keys", "add", directory.path("log.pub"), "--name", "log"]).status == 65)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.path("ledger.sqlite.log-key.pem"))
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test("tampering is reported with the first bad entry", arguments: [
        // entries: 0 build gateway, 1 build orchestrator, 2 environment, 3 deploy started, 4 deploy finished
        ("changed", "UPDATE log_entry SET data = CAST(replace(CAST(data AS TEXT), 'orchestrator', 'orchestratoR') AS BLOB) WHERE leaf_index = 1", 1),
        ("removed", "DELETE FROM log_entry WHERE leaf_index = 3", 3),
        ("reordered", """
            UPDATE log_entry SET leaf_index = leaf_index + 100 WHERE leaf_index IN (2, 3);
            UPDATE log_entry SET leaf_index = 3 WHERE leaf_index = 102; UPDATE log_entry SET leaf_index = 2 WHERE leaf_index = 103;
            """, nil),  // within a subtree too small to be stored: the signed checkpoint's root catches it
        ("a leaf hash rewritten", "UPDATE log_entry SET leaf_hash = zeroblob(32) WHERE leaf_index = 0", 0),
        // the tables themselves, edited without touching the log
        ("a build row edited", """
            DROP TRIGGER build_is_append_only_update;
            UPDATE build SET digest = 'sha256:' || substr(digest, 8, 63) || 'f' WHERE service = 'orchestrator';
            """, 1),
        ("a deploy's state flipped", """
            DROP TRIGGER deploy_state_moves_forward; UPDATE deploy SET state = 'failed';
            """, 4),
        ("a build row deleted", "DROP TRIGGER build_is_append_only_delete; DELETE FROM build WHERE service = 'gateway'", 0),
    ] as [(String, String, Int?)])
    func tampering(_ what: String, _ sql: String, _ firstBad: Int?) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shiplog = try ledger(directory)
        try sqlite(directory.path("ledger.sqlite"), Self.dropTriggers + sql)
        let result = try shiplog.run(["log", "verify", "--json"])
        #expect(result.status == 1, "\(what): \(result.stdout)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["intact"] as? Bool == false)
        #expect(object["first_bad_index"] as? Int == firstBad, "\(what): \(result.stdout)")
        if firstBad == nil { #expect((object["problem"] as? String)?.contains("history was rewritten") == true) }
    }

    /// Issue 14, item 5: past the last checkpoint no signature covers the entries, but the kept subtree
    /// hashes and the tables still do: a tail cut off or reordered there is reported.
    @Test("entries after the last checkpoint: cut off or swapped, they are reported", arguments: [
        // entries 0-4 under the checkpoint, then builds 5-44; the store keeps the hash of 16-31 (level 4)
        ("20 entries cut off the tail", "DELETE FROM log_entry WHERE leaf_index >= 25", "the subtree of entries 16–31 no longer matches"),
        ("3 entries cut off the tail, past every kept subtree", "DELETE FROM log_entry WHERE leaf_index >= 42",
         "is in the tables but no log entry records it"),
        ("the last two entries swapped", """
            UPDATE log_entry SET leaf_index = 100 WHERE leaf_index = 43; UPDATE log_entry SET leaf_index = 43 WHERE leaf_index = 44;
            UPDATE log_entry SET leaf_index = 44 WHERE leaf_index = 100;
            """, "build"),
        ("two entries swapped under a kept subtree", """
            UPDATE log_entry SET leaf_index = 100 WHERE leaf_index = 20; UPDATE log_entry SET leaf_index = 20 WHERE leaf_index = 21;
            UPDATE log_entry SET leaf_index = 21 WHERE leaf_index = 100;
            """, "the subtree of entries 16–31 no longer matches"),
    ])
    func afterTheLastCheckpoint(_ what: String, _ sql: String, _ problem: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shiplog = try ledger(directory)
        let report = directory.path("more.json")
        try CrashEndToEndTests.report(count: 40, first: 1).write(to: URL(fileURLWithPath: report))
        #expect(try shiplog.run(["ingest", "push-metadata", report]).status == 0)
        #expect((try shiplog.json(["log", "verify"]) as? [String: Any])?["intact"] as? Bool == true)
        try sqlite(directory.path("ledger.sqlite"), Self.dropTriggers + sql)
        let result = try shiplog.run(["log", "verify", "--json"])
        #expect(result.status == 1, "\(what): \(result.stdout)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((object["problem"] as? String)?.contains(problem) == true, "\(what): \(result.stdout)")
    }

    @Test("--skip-tables checks only the log's own rows")
    func skipTables() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shiplog = try ledger(directory)
        try sqlite(directory.path("ledger.sqlite"), "DROP TRIGGER build_is_append_only_update; UPDATE build SET tag = 'moved'")
        #expect(try shiplog.run(["log", "verify", "--skip-tables"]).status == 0)
        let full = try shiplog.run(["log", "verify"])
        #expect(full.status == 1, "\(full.stdout)")
        #expect(full.stdout.contains("build 1 was edited in the tables: tag"), "\(full.stdout)")
    }

    @Test("history rewritten consistently (data, leaf and subtree hashes) is caught by the signed checkpoint")
    func rewrittenHistory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shiplog = try ledger(directory)
        // Rewrite entry 4 and recompute its leaf hash the way the log would (SHA-256 of 0x00 || data).
        // Entry 4 is the last leaf of a 5-leaf tree: no stored subtree covers it, so only the checkpoint can notice.
        try sqlite(directory.path("ledger.sqlite"), Self.dropTriggers + """
            UPDATE log_entry SET data = CAST(replace(CAST(data AS TEXT), 'succeeded', 'failed') AS BLOB) WHERE leaf_index = 4;
            """)
        let data = try Tool.run("/usr/bin/sqlite3", [directory.path("ledger.sqlite"), "SELECT hex(data) FROM log_entry WHERE leaf_index = 4"])
        let hex = data.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let leafFile = directory.url.appending(path: "leaf")
        try Data([0] + stride(from: 0, to: hex.count, by: 2).compactMap { offset -> UInt8? in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return UInt8(hex[start ..< hex.index(start, offsetBy: 2)], radix: 16)
        }).write(to: leafFile)
        let newHash = try Tool.sha256Hex(of: leafFile.path)
        try sqlite(directory.path("ledger.sqlite"), "UPDATE log_entry SET leaf_hash = X'\(newHash)' WHERE leaf_index = 4")
        let result = try shiplog.run(["log", "verify"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("history was rewritten"), "\(result.stdout)")
    }
}

@Suite("the log key of a brand-new ledger")
struct LogKeyRaceTests {
    /// Each process that finds no key makes one; only the first to link its file into place wins, and the
    /// others read that complete file (before, a process could read a key created but not yet written).
    @Test("8 processes checkpointing a brand-new file at once all sign with one complete key", arguments: 1 ... 3)
    func racingCheckpoints(round: Int) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shiplog = ShiplogBinary(database: directory.path("new.sqlite"))
        let failures = Failures()
        let origins = Failures()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            do {
                let result = try shiplog.run(["log", "checkpoint", "--json"])
                if result.status != 0 { failures.add(result.stderr) }
                let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
                origins.add(object?["origin"] as? String ?? "none")
            } catch {
                failures.add("\(error)")
            }
        }
        #expect(failures.all.isEmpty, "round \(round): \(failures.all.prefix(2))")
        #expect(Set(origins.all).count == 1, "one key signed every checkpoint: \(Set(origins.all))")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.url.path)
        #expect(!files.contains { $0.contains(".new-") }, "no staging file is left: \(files)")
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.path("new.sqlite.log-key.pem"))
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try shiplog.run(["log", "verify"]).status == 0)
    }
}

@Suite("log verify without the private key, and against a checkpoint kept elsewhere")
struct LogVerifyKeysEndToEndTests {
    /// The documented setup keeps the log's private key on another host: before, `log verify` then skipped
    /// the checkpoints' signatures and still reported them checked.
    @Test("no key: exit 1 saying the signatures were not checked, unless --no-signatures; --public-key checks them")
    func withoutPrivateKey() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shiplog = try TransparencyLogEndToEndTests().ledger(directory)
        try Data(try shiplog.run(["log", "public-key"]).stdout.utf8).write(to: directory.url.appending(path: "log.pub"))
        // The private key goes to "another host".
        try FileManager.default.moveItem(atPath: directory.path("ledger.sqlite.log-key.pem"), toPath: directory.path("elsewhere.pem"))

        let unchecked = try shiplog.run(["log", "verify", "--json"])
        #expect(unchecked.status == 1, "\(unchecked.stdout)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(unchecked.stdout.utf8)) as? [String: Any])
        #expect(object["signatures_checked"] as? Bool == false)
        #expect((object["problem"] as? String)?.contains("signatures could not be checked") == true, "\(unchecked.stdout)")

        let told = try shiplog.run(["log", "verify", "--no-signatures"])
        #expect(told.status == 0, "\(told.stdout)")
        #expect(told.stdout.contains("signatures not checked"), "\(told.stdout)")

        let checked = try #require(try shiplog.json(["log", "verify", "--public-key", directory.path("log.pub")]) as? [String: Any])
        #expect(checked["intact"] as? Bool == true)
        #expect(checked["signatures_checked"] as? Bool == true)

        // Another Ed25519 key: the checkpoint is not its.
        let other = ShiplogBinary(database: directory.path("other.sqlite"))
        try Data(try other.run(["log", "public-key"]).stdout.utf8).write(to: directory.url.appending(path: "other.pub"))
        let wrong = try shiplog.run(["log", "verify", "--public-key", directory.path("other.pub")])
        #expect(wrong.status == 1)
        #expect(wrong.stdout.contains("not signed by the log key"), "\(wrong.stdout)")
    }

    @Test("a checkpoint kept elsewhere must be a checkpoint of this log")
    func externalCheckpoint() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shiplog = try TransparencyLogEndToEndTests().ledger(directory)
        let note = try #require(try shiplog.json(["log", "checkpoint"]) as? [String: Any])["note"] as? String
        try Data(try #require(note).utf8).write(to: directory.url.appending(path: "witness.note"))
        #expect(try shiplog.run(["build", "record", "--service", "late", "--image", "ghcr.io/acme/late:v1",
                                 "--digest", "sha256:" + String(repeating: "e", count: 64)]).status == 0)
        #expect(try shiplog.run(["log", "verify", "--checkpoint", directory.path("witness.note")]).status == 0)

        // A note from a log with other entries, or from a longer one, is not this log's.
        let foreign = ShiplogBinary(database: directory.path("foreign.sqlite"))
        for index in 0 ..< 9 {
            #expect(try foreign.run(["build", "record", "--service", "x", "--image", "ghcr.io/acme/x:\(index)",
                                     "--digest", "sha256:" + String(repeating: "f", count: 64)]).status == 0)
        }
        let foreignNote = try #require(try foreign.json(["log", "checkpoint"]) as? [String: Any])["note"] as? String
        try Data(try #require(foreignNote).utf8).write(to: directory.url.appending(path: "foreign.note"))
        let mismatch = try shiplog.run(["log", "verify", "--no-signatures", "--checkpoint", directory.path("foreign.note")])
        #expect(mismatch.status == 1, "\(mismatch.stdout)")
        #expect(mismatch.stdout.contains("the checkpoint given") || mismatch.stdout.contains("entries were removed"), "\(mismatch.stdout)")

        try Data("not a note\n".utf8).write(to: directory.url.appending(path: "junk.note"))
        let junk = try shiplog.run(["log", "verify", "--checkpoint", directory.path("junk.note")])
        #expect(junk.status == 65)
        #expect(junk.stderr.contains("--checkpoint"), "\(junk.stderr)")
    }
}

@Suite("the server signs checkpoints on its own", .serialized)
struct CheckpointTimerEndToEndTests {
    static func sizes(_ database: String) throws -> (log: Int, checkpoint: Int) {
        let output = try Tool.run("/usr/bin/sqlite3", [database, "SELECT (SELECT count(*) FROM log_entry), (SELECT coalesce(max(tree_size), -1) FROM log_checkpoint)"])
        let numbers = output.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").compactMap { Int($0) }
        return (numbers.first ?? -2, numbers.last ?? -2)
    }

    /// What the server writes is covered by a signature within the interval, and at the latest when it stops.
    @Test("every --checkpoint-interval while the log grows, and once more on SIGTERM")
    func timer() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = directory.path("l.sqlite")
        let created = try ShiplogBinary(database: database).json(["tokens", "create", "--name", "ci", "--scope", "builds:write"])
        let token = try #require((created as? [String: Any])?["token"] as? String)
        let server = try ServerProcess(database: database, arguments: ["--checkpoint-interval", "1"])
        let remote = ShiplogBinary(database: directory.path("unused.sqlite"), environment: ["SHIPLOG_SERVER": server.url, "SHIPLOG_TOKEN": token])
        func record(_ byte: String) throws {
            let result = try remote.run(["build", "record", "--service", "api", "--image", "ghcr.io/acme/api:\(byte)",
                                         "--digest", "sha256:" + String(repeating: byte, count: 64)])
            #expect(result.status == 0, "\(result.stderr)")
        }
        try record("a")
        var sizes = try Self.sizes(database)
        for _ in 0 ..< 50 where sizes.checkpoint != sizes.log {
            Thread.sleep(forTimeInterval: 0.1)
            sizes = try Self.sizes(database)
        }
        #expect(sizes.log == 1 && sizes.checkpoint == 1, "signed within the interval, asked by no one: \(sizes)")
        try record("b")
        let (status, log) = server.stop()
        #expect(status == 0, "\(log)")
        sizes = try Self.sizes(database)
        #expect(sizes.log == 2 && sizes.checkpoint == 2, "the last write is covered once the server has stopped: \(sizes)")
    }
}
