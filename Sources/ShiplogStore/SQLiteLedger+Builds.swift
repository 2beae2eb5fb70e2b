import Foundation
import GRDB
import ShiplogCore

extension SQLiteLedger {
    public func record(_ builds: [NewBuild], at time: Timestamp) throws(LedgerError) -> [RecordedBuild] {
        let now = time.description
        return try write { db in
            let insert = try db.cachedStatement(sql: """
                INSERT INTO build (service, repository, tag, digest, commit_sha, ref, run_id, run_attempt, run_url,
                                   builder, built_at, labels, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (repository, digest, tag, run_id) DO NOTHING
                RETURNING id
                """)
            let existing = try db.cachedStatement(sql: """
                SELECT id FROM build WHERE repository = ? AND digest = ? AND tag = ? AND run_id = ?
                """)
            var recorded: [RecordedBuild] = []
            recorded.reserveCapacity(builds.count)
            for build in builds {
                let repository = build.repository.name
                let digest = build.digest.description
                let runID = build.runID ?? ""
                insert.setUncheckedArguments([
                    build.service, repository, build.tag, digest, build.commit, build.ref, runID, build.runAttempt,
                    build.runURL, build.builder, build.builtAt?.description ?? now, CanonicalJSON.object(build.labels), now,
                ])
                if let id = try Int64.fetchOne(insert) {
                    recorded.append(RecordedBuild(id: id, isNew: true))
                    // Only a new build moves its tag: re-ingesting an old report must not move it back.
                    try TagHistory.point(repository: repository, tag: build.tag, at: digest, time: now, db)
                } else {
                    existing.setUncheckedArguments([repository, digest, build.tag, runID])
                    guard let id = try Int64.fetchOne(existing) else {
                        throw LedgerError.storage("build conflicted but was not found")
                    }
                    recorded.append(RecordedBuild(id: id, isNew: false))
                }
            }
            return recorded
        }
    }

    public func builds(matching query: BuildQuery) throws(LedgerError) -> [Build] {
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

    public func images(digest: Digest, repository: Repository?) throws(LedgerError) -> [ImageHistory] {
        try read { db in
            let repositories: [String]
            if let repository {
                repositories = [repository.name]
            } else {
                repositories = try String.fetchAll(db, sql: """
                    SELECT repository FROM build WHERE digest = ?
                    UNION SELECT repository FROM tag_history WHERE digest = ?
                    ORDER BY repository
                    """, arguments: [digest.description, digest.description])
            }
            return try repositories.compactMap { name in
                let builds = try Row.fetchAll(db, sql: """
                    SELECT * FROM build WHERE repository = ? AND digest = ? ORDER BY built_at DESC, id DESC
                    """, arguments: [name, digest.description]).map(Self.build(from:))
                let tags = try TagHistory.intervals(repository: name, digest: digest.description, db)
                guard !builds.isEmpty || !tags.isEmpty else { return nil }
                return ImageHistory(repository: name, digest: digest.description, builds: builds, tags: tags)
            }
        }
    }

    static func build(from row: Row) throws -> Build {
        let labelsText: String = row["labels"]
        let labels = (try? JSONDecoder().decode([String: String].self, from: Data(labelsText.utf8))) ?? [:]
        let runID: String = row["run_id"]
        return Build(
            id: row["id"], service: row["service"], repository: row["repository"], tag: row["tag"], digest: row["digest"],
            commit: row["commit_sha"], ref: row["ref"], runID: runID.isEmpty ? nil : runID, runAttempt: row["run_attempt"],
            runURL: row["run_url"], builder: row["builder"], builtAt: try Timestamp(rfc3339: row["built_at"]), labels: labels
        )
    }
}

extension SQLiteLedger {
    public func build(id: Int64) throws(LedgerError) -> Build {
        let found = try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM build WHERE id = ?", arguments: [id]).map(Self.build(from:))
        }
        guard let found else { throw .notFound("no build with id \(id)") }
        return found
    }
}
