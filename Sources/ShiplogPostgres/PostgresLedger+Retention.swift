import ShiplogCore

extension PostgresLedger: RetentionStore {
    package func retainedManifests() throws(LedgerError) -> [String: [RetainedManifest]] {
        try read { session throws(LedgerError) in
            var manifests: [String: [String: RetainedManifest]] = [:]
            // The last time each digest was pushed or tagged: builds, registry pushes (tags) and their history.
            for row in try session.rows("""
                SELECT repository, digest, max(t) AS pushed FROM (
                    SELECT repository, digest, recorded_at AS t FROM build
                    UNION ALL SELECT repository, digest, since FROM tag
                    UNION ALL SELECT repository, digest, valid_from FROM tag_history
                ) AS pushes GROUP BY repository, digest
                """) {
                let digest = try row.text("digest")
                manifests[try row.text("repository"), default: [:]][digest] = RetainedManifest(
                    digest: digest, tags: [], pushedAt: try row.optionalText("pushed").flatMap { try? Timestamp(rfc3339: $0) })
            }
            for row in try session.rows("SELECT repository, digest, tag FROM tag ORDER BY repository, tag") {
                let digest = try row.text("digest")
                manifests[try row.text("repository"), default: [:]][digest, default: RetainedManifest(digest: digest, tags: [], pushedAt: nil)]
                    .tags.append(try row.text("tag"))
            }
            // Deleted and not tagged since: gone from the registry.
            for row in try session.rows("SELECT DISTINCT repository, digest FROM manifest_deletion") {
                let repository = try row.text("repository")
                let digest = try row.text("digest")
                if manifests[repository]?[digest]?.tags.isEmpty == true { manifests[repository]?[digest] = nil }
            }
            return manifests.mapValues { Array($0.values) }
        }
    }

    package func inProgressDeploys() throws(LedgerError) -> [Deploy] {
        try single { session throws(LedgerError) in
            try session.rows("SELECT * FROM deploy d WHERE state = 'in_progress' ORDER BY id").map(Self.deploy(from:))
        }
    }

    package func manifestDeletions() throws(LedgerError) -> [ManifestDeletion] {
        try single { session throws(LedgerError) in
            try session.rows("SELECT * FROM manifest_deletion ORDER BY id").map { row throws(LedgerError) in
                ManifestDeletion(repository: Repository(validated: try row.text("repository")), digest: Digest(validated: try row.text("digest")),
                                 reason: try row.text("reason"), deletedAt: try Self.time(try row.text("deleted_at")))
            }
        }
    }

    package func record(_ deletions: [ManifestDeletion], at time: Timestamp) throws(LedgerError) {
        guard !deletions.isEmpty else { return }
        let now = time.description
        try write { session, log throws(LedgerError) in
            for deletion in deletions {
                guard let inserted = try session.row("INSERT INTO manifest_deletion (repository, digest, reason, deleted_at) VALUES ($1, $2, $3, $4) RETURNING id",
                                                     [.text(deletion.repository.name), .text(deletion.digest.description), .text(deletion.reason), .text(now)])
                else { throw .storage("the deletion was not recorded") }
                try log?.append(.manifestDeleted(id: try inserted.integer("id"), deletion, at: time), at: time)
                for removed in try PostgresTagHistory.remove(session, repository: deletion.repository.name, tag: nil,
                                                             digest: deletion.digest.description, time: now) {
                    try log?.append(.tagRemoved(repository: deletion.repository.name, tag: removed.tag, digest: removed.digest, at: now), at: time)
                }
            }
        }
    }
}
