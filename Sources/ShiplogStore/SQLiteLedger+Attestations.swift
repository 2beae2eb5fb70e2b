import Foundation
import GRDB
import ShiplogCore

extension SQLiteLedger {
    package func record(_ attestations: [NewAttestation], at time: Timestamp) throws(LedgerError) -> Int {
        guard !attestations.isEmpty else { return 0 }
        return try write { db in
            var added = 0
            let log = try logAppender(db, time: time)
            for attestation in attestations {
                try db.execute(sql: """
                    INSERT INTO attestation (repository, digest, predicate_type, statement, envelope, signer_key_id, source,
                                             fingerprint, recorded_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (repository, digest, fingerprint) DO NOTHING
                    """, arguments: [attestation.repository.name, attestation.digest.description, attestation.predicateType,
                                     Data(attestation.statement), attestation.envelope.map { Data($0) }, attestation.signerKeyID,
                                     attestation.source, attestation.fingerprint, time.description])
                guard db.changesCount == 1 else { continue }
                added += 1
                _ = try log?.append(.attestation(id: db.lastInsertedRowID, attestation, at: time))
            }
            return added
        }
    }

    package func attestations(repository: Repository, digest: Digest) throws(LedgerError) -> [StoredAttestation] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM attestation WHERE digest = ? AND repository = ? ORDER BY id",
                             arguments: [digest.description, repository.name]).map(Self.storedAttestation(from:))
        }
    }

    package func attestations(digest: Digest) throws(LedgerError) -> [StoredAttestation] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM attestation WHERE digest = ? ORDER BY id", arguments: [digest.description])
                .map(Self.storedAttestation(from:))
        }
    }

    package func allAttestations() throws(LedgerError) -> [StoredAttestation] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM attestation ORDER BY id").map(Self.storedAttestation(from:)) }
    }

    static func storedAttestation(from row: Row) throws -> StoredAttestation {
        let statement: Data = row["statement"]
        let envelope: Data? = row["envelope"]
        // Values as stored, validated when they were recorded.
        let recorded = NewAttestation(
            repository: Repository(validated: row["repository"]), digest: Digest(validated: row["digest"]),
            predicateType: row["predicate_type"], statement: Array(statement), envelope: envelope.map(Array.init),
            signerKeyID: row["signer_key_id"], source: row["source"], fingerprint: row["fingerprint"])
        return StoredAttestation(id: row["id"], recorded, recordedAt: try Timestamp(rfc3339: row["recorded_at"]))
    }
}
