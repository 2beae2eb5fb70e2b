import Foundation
import GRDB
import ShiplogCore

extension SQLiteLedger {
    package func retainedManifests() throws(LedgerError) -> [String: [RetainedManifest]] {
        try read { db in
            var manifests: [String: [String: RetainedManifest]] = [:]
            // The last time each digest was pushed or tagged: builds, registry pushes (tags) and their history.
            let rows = try Row.fetchCursor(db, sql: """
                SELECT repository, digest, MAX(t) AS pushed FROM (
                    SELECT repository, digest, recorded_at AS t FROM build
                    UNION ALL SELECT repository, digest, since FROM tag
                    UNION ALL SELECT repository, digest, valid_from FROM tag_history
                ) GROUP BY repository, digest
                """)
            while let row = try rows.next() {
                let repository: String = row[0]
                let digest: String = row[1]
                let pushed: String? = row[2]
                manifests[repository, default: [:]][digest] = RetainedManifest(
                    digest: digest, tags: [], pushedAt: pushed.flatMap { try? Timestamp(rfc3339: $0) })
            }
            for row in try Row.fetchAll(db, sql: "SELECT repository, digest, tag FROM tag") {
                manifests[row[0], default: [:]][row[1], default: RetainedManifest(digest: row[1], tags: [], pushedAt: nil)].tags.append(row[2])
            }
            // Deleted and not tagged since: gone from the registry.
            for row in try Row.fetchAll(db, sql: "SELECT DISTINCT repository, digest FROM manifest_deletion") {
                let repository: String = row[0]
                let digest: String = row[1]
                if manifests[repository]?[digest]?.tags.isEmpty == true { manifests[repository]?[digest] = nil }
            }
            return manifests.mapValues { Array($0.values) }
        }
    }

    package func inProgressDeploys() throws(LedgerError) -> [Deploy] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM deploy WHERE state = 'in_progress' ORDER BY id").map(Self.deploy(from:))
        }
    }

    package func manifestDeletions() throws(LedgerError) -> [ManifestDeletion] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM manifest_deletion ORDER BY id").map { row in
                ManifestDeletion(repository: Repository(validated: row["repository"]), digest: Digest(validated: row["digest"]),
                                 reason: row["reason"], deletedAt: try Timestamp(rfc3339: row["deleted_at"]))
            }
        }
    }

    package func record(_ deletions: [ManifestDeletion], at time: Timestamp) throws(LedgerError) {
        guard !deletions.isEmpty else { return }
        let now = time.description
        try write { db in
            let log = try logAppender(db, time: time)
            for deletion in deletions {
                try db.execute(sql: "INSERT INTO manifest_deletion (repository, digest, reason, deleted_at) VALUES (?, ?, ?, ?)",
                               arguments: [deletion.repository.name, deletion.digest.description, deletion.reason, now])
                try log?.append(.manifestDeleted(id: db.lastInsertedRowID, deletion, at: time))
                for removed in try TagHistory.remove(repository: deletion.repository.name, tag: nil, digest: deletion.digest.description,
                                                     time: now, db) {
                    try log?.append(.tagRemoved(repository: deletion.repository.name, tag: removed.tag, digest: removed.digest, at: now))
                }
            }
        }
    }
}
