import Foundation
import ShiplogCore

extension PostgresLedger: BuildStore {
    package func record(_ builds: [NewBuild], at time: Timestamp) throws(LedgerError) -> [RecordedBuild] {
        let now = time.description
        return try write { session, log throws(LedgerError) in
            var recorded: [RecordedBuild] = []
            recorded.reserveCapacity(builds.count)
            for build in builds {
                let builtAt = build.builtAt?.description ?? now
                let repository = build.repository.name
                let digest = build.digest.description
                let runID = build.runID ?? ""
                let inserted = try session.row("""
                    INSERT INTO build (service, repository, tag, digest, commit_sha, ref, run_id, run_attempt, run_url,
                                       builder, built_at, labels, recorded_at, moved_tag, committed_at, written_by)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
                            -- as the tag pointer below will find it: new, or naming another digest
                            coalesce((SELECT CASE WHEN t.digest IS DISTINCT FROM $4 THEN 1 ELSE 0 END FROM tag t
                                      WHERE t.repository = $2 AND t.tag = $3), 1), $14, $15)
                    ON CONFLICT (repository, digest, tag, run_id) DO NOTHING
                    RETURNING id
                    """, [.text(build.service), .text(repository), .text(build.tag), .text(digest), .text(build.commit), .text(build.ref),
                          .text(runID), .int(build.runAttempt), .text(build.runURL), .text(build.builder), .text(builtAt),
                          .text(CanonicalJSON.object(build.labels)), .text(now), .text(build.committedAt?.description),
                          .text(build.writtenBy?.canonicalJSON)])
                if let inserted {
                    let id = try inserted.integer("id")
                    recorded.append((id: id, isNew: true))
                    // Only a new build moves its tag: re-ingesting an old report must not move it back.
                    let moved = try PostgresTagHistory.point(session, repository: repository, tag: build.tag, at: digest, time: now)
                    log?.append(.build(id: id, build, builtAt: builtAt, recordedAt: now, movedTag: moved), at: time)
                } else {
                    guard let existing = try session.row("SELECT id FROM build WHERE repository = $1 AND digest = $2 AND tag = $3 AND run_id = $4",
                                                         [.text(repository), .text(digest), .text(build.tag), .text(runID)]) else {
                        throw .storage("build conflicted but was not found")
                    }
                    recorded.append((id: try existing.integer("id"), isNew: false))
                }
            }
            return recorded
        }
    }

    package func build(id: Int64) throws(LedgerError) -> Build {
        let found = try single { session throws(LedgerError) in
            try session.row("SELECT * FROM build WHERE id = $1", [.integer(id)]).map(Self.build(from:))
        }
        guard let found else { throw .notFound("no build with id \(id)") }
        return found
    }

    package func builds(matching query: BuildQuery) throws(LedgerError) -> [Build] {
        var conditions: [String] = []
        var values: [SQLValue] = []
        if let service = query.service {
            values.append(.text(service))
            conditions.append("service = $\(values.count)")
        }
        if let since = query.since {
            values.append(.text(since.description))
            conditions.append("built_at >= $\(values.count)")
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        values.append(.int(query.limit))
        return try single { session throws(LedgerError) in
            try session.rows("SELECT * FROM build \(filter) ORDER BY built_at DESC, id DESC LIMIT $\(values.count)", values).map(Self.build(from:))
        }
    }

    package func currentDigest(repository: Repository, tag: String) throws(LedgerError) -> Digest? {
        try single { session throws(LedgerError) in
            try session.row("SELECT digest FROM tag WHERE repository = $1 AND tag = $2", [.text(repository.name), .text(tag)])
                .map { row throws(LedgerError) in Digest(validated: try row.text("digest")) }
        }
    }

    package func images(digest: Digest, repository: Repository?) throws(LedgerError) -> [ImageHistory] {
        try read { session throws(LedgerError) in
            let repositories: [String]
            if let repository {
                repositories = [repository.name]
            } else {
                repositories = try session.rows("""
                    SELECT repository FROM build WHERE digest = $1
                    UNION SELECT repository FROM tag WHERE digest = $1
                    UNION SELECT repository FROM tag_history WHERE digest = $1
                    UNION SELECT repository FROM signature WHERE digest = $1
                    UNION SELECT repository FROM deploy WHERE digest = $1
                    UNION SELECT repository FROM image_pulls WHERE digest = $1
                    ORDER BY repository
                    """, [.text(digest.description)]).map { row throws(LedgerError) in try row.text("repository") }
            }
            var histories: [ImageHistory] = []
            for name in repositories {
                let image: [SQLValue] = [.text(name), .text(digest.description)]
                let builds = try session.rows("SELECT * FROM build WHERE repository = $1 AND digest = $2 ORDER BY built_at DESC, id DESC", image)
                    .map(Self.build(from:))
                let tags = try PostgresTagHistory.intervals(session, repository: name, digest: digest.description)
                let signatures = try session.rows("""
                    SELECT id, signer_key_id, source, recorded_at FROM signature WHERE repository = $1 AND digest = $2 ORDER BY id
                    """, image).map { row throws(LedgerError) in
                    ImageHistory.SignatureEntry(id: try row.integer("id"), keyID: try row.optionalText("signer_key_id"), source: try row.text("source"),
                                                recordedAt: try Self.time(try row.text("recorded_at")))
                }
                let deploys = try session.rows("SELECT \(Self.deployColumns) FROM deploy d WHERE repository = $1 AND digest = $2 ORDER BY id DESC", image)
                    .map(Self.deploy(from:))
                let bad = try session.row("SELECT reason, marked_at FROM bad_image WHERE repository = $1 AND digest = $2", image)
                    .map { row throws(LedgerError) in ImageHistory.BadMark(reason: try row.text("reason"), markedAt: try Self.time(try row.text("marked_at"))) }
                let pulls = try session.row("SELECT pulls, bytes, last_pulled_at FROM image_pulls WHERE repository = $1 AND digest = $2", image)
                    .map { row throws(LedgerError) in
                        ImageHistory.Pulls(count: try row.integer("pulls"), bytes: try row.integer("bytes"),
                                           lastPulledAt: try Self.time(try row.text("last_pulled_at")))
                    }
                guard !builds.isEmpty || !tags.isEmpty || !signatures.isEmpty || !deploys.isEmpty || bad != nil || pulls != nil else { continue }
                histories.append(ImageHistory(repository: name, digest: digest.description, builds: builds, tags: tags, signatures: signatures,
                                              deploys: deploys, markedBad: bad, pulls: pulls ?? ImageHistory.Pulls()))
            }
            return histories
        }
    }

    package func buildEvents(afterID: Int64, limit: Int) throws(LedgerError) -> [(id: Int64, event: [UInt8], moved: TagPointer?)] {
        try single { session throws(LedgerError) in
            try session.rows("SELECT * FROM build WHERE id > $1 ORDER BY id LIMIT $2", [.integer(afterID), .int(limit)]).map { row throws(LedgerError) in
                let id = try row.integer("id")
                let build = try Self.newBuild(from: row)
                let recordedAt = try row.text("recorded_at")
                let movedTag = try row.bool("moved_tag")
                // The event is built from the stored values exactly as `record` built it.
                let event = LedgerEvent.build(id: id, build, builtAt: try row.text("built_at"), recordedAt: recordedAt, movedTag: movedTag)
                return (id, event.canonicalJSON, movedTag ? (build.repository.name, build.tag, build.digest.description, recordedAt) : nil)
            }
        }
    }

    package func currentTags() throws(LedgerError) -> [TagPointer] {
        try single { session throws(LedgerError) in
            try session.rows("SELECT repository, tag, digest, since FROM tag").map { row throws(LedgerError) -> TagPointer in
                (try row.text("repository"), try row.text("tag"), try row.text("digest"), try row.text("since"))
            }
        }
    }

    package func closedTagIntervals() throws(LedgerError) -> [ClosedTagInterval] {
        try single { session throws(LedgerError) in
            try session.rows("SELECT repository, tag, digest, valid_from, valid_to FROM tag_history ORDER BY id").map { row throws(LedgerError) in
                (try row.text("repository"), try row.text("tag"), try row.text("digest"), try row.text("valid_from"), try row.text("valid_to"))
            }
        }
    }
}
