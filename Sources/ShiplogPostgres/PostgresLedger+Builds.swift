import Foundation
import ShiplogCore

extension PostgresLedger: BuildStore {
    /// A batch (the server's group commit) is a handful of statements, not a few per build: the builds already there and
    /// the tags they name are read at once, new ids taken from the sequence, and the tag moves worked out here in order,
    /// as one build at a time would make them; then the builds, the tag moves and the log go out with COMMIT.
    package func record(_ builds: [NewBuild], at time: Timestamp) throws(LedgerError) -> [RecordedBuild] {
        guard !builds.isEmpty else { return [] }
        let now = time.description
        return try write { session, log throws(LedgerError) in
            let keys = builds.map { BuildKey(repository: $0.repository.name, digest: $0.digest.description, tag: $0.tag, runID: $0.runID ?? "") }
            let answers = try session.pipeline([
                ("""
                 SELECT b.id, b.repository, b.digest, b.tag, b.run_id FROM build b
                 JOIN unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS k (repository, digest, tag, run_id)
                   ON b.repository = k.repository AND b.digest = k.digest AND b.tag = k.tag AND b.run_id = k.run_id
                 """, [.texts(keys.map(\.repository)), .texts(keys.map(\.digest)), .texts(keys.map(\.tag)), .texts(keys.map(\.runID))]),
                ("""
                 SELECT t.repository, t.tag, t.digest FROM tag t
                 JOIN unnest($1::text[], $2::text[]) AS k (repository, tag) ON t.repository = k.repository AND t.tag = k.tag
                 """, [.texts(keys.map(\.repository)), .texts(keys.map(\.tag))]),
                ("SELECT nextval(pg_get_serial_sequence('build', 'id')) AS id FROM generate_series(1, $1)", [.int(builds.count)]),
            ])
            var known: [BuildKey: Int64] = [:]
            for row in answers[0] {
                known[BuildKey(repository: try row.text("repository"), digest: try row.text("digest"), tag: try row.text("tag"),
                               runID: try row.text("run_id"))] = try row.integer("id")
            }
            var tags: [TagName: String] = [:]
            for row in answers[1] { tags[TagName(repository: try row.text("repository"), tag: try row.text("tag"))] = try row.text("digest") }
            var ids = try answers[2].map { row throws(LedgerError) in try row.integer("id") }.sorted().makeIterator()

            var recorded: [RecordedBuild] = []
            var rows: [String] = []
            var moves = TagMoves()
            for (build, key) in zip(builds, keys) {
                if let id = known[key] {
                    recorded.append((id: id, isNew: false))
                    continue
                }
                guard let id = ids.next() else { throw .storage("the build sequence gave too few ids") }
                known[key] = id
                let name = TagName(repository: key.repository, tag: key.tag)
                // Only a new build moves its tag, and only when the tag names another digest (or none) at that point.
                let moved = tags[name] != key.digest
                if moved {
                    moves.add(name, digest: key.digest, isNew: tags[name] == nil)
                    tags[name] = key.digest
                }
                let builtAt = build.builtAt?.description ?? now
                rows.append(Self.json([.integer(id), .text(build.service), .text(key.repository), .text(key.tag), .text(key.digest),
                                       .text(build.commit), .text(build.ref), .text(key.runID), .int(build.runAttempt), .text(build.runURL),
                                       .text(build.builder), .text(builtAt), .text(CanonicalJSON.object(build.labels)), .text(now),
                                       .integer(moved ? 1 : 0), .text(build.committedAt?.description), .text(build.writtenBy?.canonicalJSON)]))
                recorded.append((id: id, isNew: true))
                try log?.append(.build(id: id, build, builtAt: builtAt, recordedAt: now, movedTag: moved), at: time)
            }
            guard !rows.isEmpty else { return recorded }
            var statements: [(sql: String, values: [SQLValue])] = [("""
                INSERT INTO build (id, service, repository, tag, digest, commit_sha, ref, run_id, run_attempt, run_url,
                                   builder, built_at, labels, recorded_at, moved_tag, committed_at, written_by)
                SELECT (r->>0)::bigint, r->>1, r->>2, r->>3, r->>4, r->>5, r->>6, r->>7, (r->>8)::bigint, r->>9, r->>10, r->>11, r->>12, r->>13,
                       (r->>14)::int, r->>15, r->>16
                FROM jsonb_array_elements($1::jsonb) AS r ORDER BY (r->>0)::bigint
                """, [.text("[" + rows.joined(separator: ",") + "]")])]
            statements += moves.statements(time: now)
            _ = try session.pipeline(statements)
            return recorded
        }
    }

    struct BuildKey: Hashable {
        var repository: String
        var digest: String
        var tag: String
        var runID: String
    }

    struct TagName: Hashable {
        var repository: String
        var tag: String
    }

    /// The tag moves of a batch, in rounds: a tag's first move is an insert (a new tag) or an update; a later move of
    /// the same tag waits for the next round, so each update closes the interval the one before opened (the trigger
    /// writes it to tag_history), as moving one build at a time would.
    struct TagMoves {
        private var rounds: [(inserts: [String], updates: [String])] = []
        private var moved: [TagName: Int] = [:]

        mutating func add(_ name: TagName, digest: String, isNew: Bool) {
            let round = moved[name, default: -1] + 1
            moved[name] = round
            while rounds.count <= round { rounds.append(([], [])) }
            let row = PostgresLedger.json([.text(name.repository), .text(name.tag), .text(digest)])
            if isNew && round == 0 { rounds[round].inserts.append(row) } else { rounds[round].updates.append(row) }
        }

        func statements(time: String) -> [(sql: String, values: [SQLValue])] {
            rounds.flatMap { round -> [(sql: String, values: [SQLValue])] in
                var statements: [(sql: String, values: [SQLValue])] = []
                if !round.inserts.isEmpty {
                    statements.append(("""
                        INSERT INTO tag (repository, tag, digest, since)
                        SELECT r->>0, r->>1, r->>2, $2 FROM jsonb_array_elements($1::jsonb) AS r
                        """, [.text("[" + round.inserts.joined(separator: ",") + "]"), .text(time)]))
                }
                if !round.updates.isEmpty {
                    statements.append(("""
                        UPDATE tag SET digest = r->>2, since = greatest($2, tag.since) FROM jsonb_array_elements($1::jsonb) AS r
                        WHERE tag.repository = r->>0 AND tag.tag = r->>1
                        """, [.text("[" + round.updates.joined(separator: ",") + "]"), .text(time)]))
                }
                return statements
            }
        }
    }

    /// A JSON array of values, for `jsonb_array_elements` (nulls included, which PostgresNIO's arrays cannot carry).
    static func json(_ values: [SQLValue]) -> String {
        "[" + values.map { value -> String in
            switch value {
            case let .text(text): text.map { CanonicalJSON.string($0) } ?? "null"
            case let .integer(number): number.map(String.init) ?? "null"
            default: "null"
            }
        }.joined(separator: ",") + "]"
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
