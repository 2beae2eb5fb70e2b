import Foundation
import GRDB
import ShiplogCore

extension SQLiteLedger {
    package func record(_ builds: [NewBuild], at time: Timestamp) throws(LedgerError) -> [RecordedBuild] {
        let now = time.description
        return try write { db in
            let insert = try BulkStatement(db, sql: """
                INSERT INTO build (service, repository, tag, digest, commit_sha, ref, run_id, run_attempt, run_url,
                                   builder, built_at, labels, recorded_at, moved_tag, committed_at, written_by)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,
                        -- as the tag pointer below will find it: new, or naming another digest
                        coalesce((SELECT digest IS NOT ?4 FROM tag WHERE repository = ?2 AND tag = ?3), 1), ?14, ?15)
                ON CONFLICT (repository, digest, tag, run_id) DO NOTHING
                """)
            let existing = try BulkStatement(db, sql: """
                SELECT id FROM build WHERE repository = ? AND digest = ? AND tag = ? AND run_id = ?
                """)
            let tags = try TagHistory.Pointer(db)
            let log = try logAppender(db, time: time)
            var recorded: [RecordedBuild] = []
            recorded.reserveCapacity(builds.count)
            var lastBuiltAt: (time: Timestamp, text: String)?  // a report's builds mostly share one time
            // New builds' log events, appended after the loop in one go (see LogAppender.append(count:_:)).
            var events: [(build: Int, id: Int64, builtAt: String, movedTag: Bool)] = []
            for (position, build) in builds.enumerated() {
                var builtAt = now
                if let time = build.builtAt {
                    if lastBuiltAt?.time != time { lastBuiltAt = (time, time.description) }
                    builtAt = lastBuiltAt?.text ?? now
                }
                let repository = build.repository.name
                let digest = build.digest.description
                let runID = build.runID ?? ""
                insert.bind(1, build.service)
                insert.bind(2, repository)
                insert.bind(3, build.tag)
                insert.bind(4, digest)
                insert.bind(5, build.commit)
                insert.bind(6, build.ref)
                insert.bind(7, runID)
                insert.bind(8, build.runAttempt)
                insert.bind(9, build.runURL)
                insert.bind(10, build.builder)
                insert.bind(11, builtAt)
                insert.bind(12, CanonicalJSON.object(build.labels))
                insert.bind(13, now)
                insert.bind(14, build.committedAt?.description)
                insert.bind(15, build.writtenBy?.canonicalJSON)
                if try insert.execute() == 1 {
                    let id = insert.lastInsertedRowID
                    recorded.append((id: id, isNew: true))
                    // Only a new build moves its tag: re-ingesting an old report must not move it back.
                    let moved = try tags.point(repository: repository, tag: build.tag, at: digest, time: now)
                    events.append((position, id, builtAt, moved))
                } else {
                    existing.bind(1, repository)
                    existing.bind(2, digest)
                    existing.bind(3, build.tag)
                    existing.bind(4, runID)
                    guard let id = try existing.firstInteger() else {
                        throw LedgerError.storage("build conflicted but was not found")
                    }
                    recorded.append((id: id, isNew: false))
                }
            }
            try log?.append(count: events.count) { [events] index in
                let event = events[index]
                return .build(id: event.id, builds[event.build], builtAt: event.builtAt, recordedAt: now, movedTag: event.movedTag)
            }
            return recorded
        }
    }

    package func builds(matching query: BuildQuery) throws(LedgerError) -> [Build] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let service = query.service {
            conditions.append("service = ?")
            arguments += [service]
        }
        if let since = query.since {
            conditions.append("built_at >= ?")
            arguments += [since.description]
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments += [query.limit]
        return try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM build \(filter) ORDER BY built_at DESC, id DESC LIMIT ?", arguments: arguments)
                .map(Self.build(from:))
        }
    }

    package func images(digest: Digest, repository: Repository?) throws(LedgerError) -> [ImageHistory] {
        try read { db in
            let repositories: [String]
            if let repository {
                repositories = [repository.name]
            } else {
                repositories = try String.fetchAll(db, sql: """
                    SELECT repository FROM build WHERE digest = ?
                    UNION SELECT repository FROM tag WHERE digest = ?
                    UNION SELECT repository FROM tag_history WHERE digest = ?
                    UNION SELECT repository FROM signature WHERE digest = ?
                    UNION SELECT repository FROM deploy WHERE digest = ?
                    UNION SELECT repository FROM image_pulls WHERE digest = ?
                    ORDER BY repository
                    """, arguments: StatementArguments(Array(repeating: digest.description, count: 6)))
            }
            return try repositories.compactMap { name in
                let builds = try Row.fetchAll(db, sql: """
                    SELECT * FROM build WHERE repository = ? AND digest = ? ORDER BY built_at DESC, id DESC
                    """, arguments: [name, digest.description]).map(Self.build(from:))
                let tags = try TagHistory.intervals(repository: name, digest: digest.description, db)
                let arguments: StatementArguments = [name, digest.description]
                let signatures = try Row.fetchAll(db, sql: """
                    SELECT id, signer_key_id, source, recorded_at FROM signature WHERE repository = ? AND digest = ? ORDER BY id
                    """, arguments: arguments).map { row in
                    ImageHistory.SignatureEntry(id: row["id"], keyID: row["signer_key_id"], source: row["source"],
                                                recordedAt: try Timestamp(rfc3339: row["recorded_at"]))
                }
                let deploys = try Row.fetchAll(db, sql: "SELECT \(Self.deployColumns) FROM deploy d WHERE repository = ? AND digest = ? ORDER BY id DESC",
                                               arguments: arguments).map(Self.deploy(from:))
                let bad = try Row.fetchOne(db, sql: "SELECT reason, marked_at FROM bad_image WHERE repository = ? AND digest = ?",
                                           arguments: arguments).map { row in
                    ImageHistory.BadMark(reason: row["reason"], markedAt: try Timestamp(rfc3339: row["marked_at"]))
                }
                let pulls = try Row.fetchOne(db, sql: "SELECT pulls, bytes, last_pulled_at FROM image_pulls WHERE digest = ? AND repository = ?",
                                             arguments: [digest.description, name]).map { row in
                    ImageHistory.Pulls(count: row["pulls"], bytes: row["bytes"], lastPulledAt: try Timestamp(rfc3339: row["last_pulled_at"]))
                }
                guard !builds.isEmpty || !tags.isEmpty || !signatures.isEmpty || !deploys.isEmpty || bad != nil || pulls != nil else { return nil }
                return ImageHistory(repository: name, digest: digest.description, builds: builds, tags: tags, signatures: signatures,
                                    deploys: deploys, markedBad: bad, pulls: pulls ?? ImageHistory.Pulls())
            }
        }
    }

    static func build(from row: Row) throws -> Build {
        let labelsText: String = row["labels"]
        let labels = (try? JSONDecoder().decode([String: String].self, from: Data(labelsText.utf8))) ?? [:]
        let runID: String = row["run_id"]
        // Values as stored, validated when they were recorded.
        var build = NewBuild(
            service: row["service"], repository: Repository(validated: row["repository"]), tag: row["tag"], digest: Digest(validated: row["digest"]),
            commit: row["commit_sha"], ref: row["ref"], runID: runID.isEmpty ? nil : runID, runAttempt: row["run_attempt"],
            runURL: row["run_url"], builder: row["builder"], labels: labels,
            committedAt: try (row["committed_at"] as String?).map { text throws(ValueError) in try Timestamp(rfc3339: text) })
        build.writtenBy = (row["written_by"] as String?).flatMap(WorkloadIdentity.init(canonical:))
        return Build(id: row["id"], build, builtAt: try Timestamp(rfc3339: row["built_at"]))
    }
}

extension SQLiteLedger {
    package func build(id: Int64) throws(LedgerError) -> Build {
        let found = try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM build WHERE id = ?", arguments: [id]).map(Self.build(from:))
        }
        guard let found else { throw .notFound("no build with id \(id)") }
        return found
    }
}
