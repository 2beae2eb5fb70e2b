import Foundation
import GRDB
import ShiplogCore

extension SQLiteLedger {
    package func add(_ key: TrustedKey, verifying verifies: (StoredSignature) -> Bool) throws(LedgerError) -> TrustedKey {
        try write { db in
            if let existing = try Self.key(id: key.keyID, db) { return existing }
            if try String.fetchOne(db, sql: "SELECT key_id FROM key WHERE name = ?", arguments: [key.name]) != nil {
                throw LedgerError.invalidInput(InvalidInput(field: "name", value: key.name, reason: "another key already has this name"))
            }
            try db.execute(sql: """
                INSERT INTO key (key_id, name, algorithm, public_key_pem, added_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [key.keyID, key.name, key.algorithm, key.publicKeyPEM, key.addedAt.description])
            try logAppender(db, time: key.addedAt)?.append(.keyAdded(key))
            // Signatures recorded before their key was trusted count from now on.
            for signature in try Row.fetchAll(db, sql: "SELECT * FROM signature ORDER BY id").map(Self.storedSignature(from:))
            where verifies(signature) {
                try db.execute(sql: """
                    INSERT INTO signature_verification (signature_id, key_id, verified_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING
                    """, arguments: [signature.id, key.keyID, key.addedAt.description])
            }
            return key
        }
    }

    package func keys() throws(LedgerError) -> [TrustedKey] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM key ORDER BY added_at, name").map(Self.trustedKey(from:)) }
    }

    package func revokeKey(id: String, at time: Timestamp, reason: String?) throws(LedgerError) -> TrustedKey {
        try write { db in
            guard let key = try Self.key(id: id, db) else { throw LedgerError.notFound("no key \(id) in the trust store") }
            if key.isRevoked { return key }
            try db.execute(sql: "UPDATE key SET revoked_at = ?, revoked_reason = ? WHERE key_id = ?",
                           arguments: [time.description, reason, id])
            try logAppender(db, time: time)?.append(.keyRevoked(keyID: id, at: time, reason: reason))
            guard let revoked = try Self.key(id: id, db) else { throw LedgerError.notFound("no key \(id) in the trust store") }
            return revoked
        }
    }

    package func record(_ signatures: [NewSignature], at time: Timestamp) throws(LedgerError) -> [(signature: StoredSignature, isNew: Bool)] {
        try write { db in
            let log = try logAppender(db, time: time)
            return try signatures.map { signature in try Self.record(signature, at: time, db, log) }
        }
    }

    private static func record(
        _ signature: NewSignature, at time: Timestamp, _ db: Database, _ log: LogAppender?
    ) throws -> (signature: StoredSignature, isNew: Bool) {
            try db.execute(sql: """
                INSERT INTO signature (repository, digest, payload, signature, signer_key_id, source, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (repository, digest, signature) DO NOTHING
                """, arguments: [signature.repository.name, signature.digest.description, Data(signature.payload),
                                 Data(signature.signature), signature.signerKeyID, signature.source, time.description])
            let isNew = db.changesCount == 1
            if isNew { try log?.append(.signature(id: db.lastInsertedRowID, signature, at: time)) }
            let row = try Row.fetchOne(db, sql: "SELECT * FROM signature WHERE repository = ? AND digest = ? AND signature = ?",
                                       arguments: [signature.repository.name, signature.digest.description, Data(signature.signature)])
            guard let row else { throw LedgerError.storage("signature was not recorded") }
            let stored = try Self.storedSignature(from: row)
            for keyID in signature.verifiedKeyIDs {
                try db.execute(sql: """
                    INSERT INTO signature_verification (signature_id, key_id, verified_at)
                    SELECT ?, key_id, ? FROM key WHERE key_id = ? ON CONFLICT DO NOTHING
                    """, arguments: [stored.id, time.description, keyID])
            }
            return (stored, isNew)
    }

    package func trustedSignatures(repository: Repository, digest: Digest) throws(LedgerError) -> [TrustedSignature] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT signature_id, key_id FROM trusted_signature WHERE repository = ? AND digest = ? ORDER BY signature_id, key_id
                """, arguments: [repository.name, digest.description]).map { row in
                (signatureID: row[0], keyID: row[1])
            }
        }
    }

    package func firstTrustedSigners(of images: [(repository: String, digest: String)]) throws(LedgerError) -> [String: String] {
        guard !images.isEmpty else { return [:] }
        return try read { db in
            var found: [String: String] = [:]
            // In chunks: SQLite binds at most 32,766 values per statement.
            for start in stride(from: 0, to: images.count, by: 500) {
                let chunk = images[start ..< min(start + 500, images.count)]
                let pairs = Array(repeating: "(?, ?)", count: chunk.count).joined(separator: ", ")
                let rows = try Row.fetchAll(db, sql: """
                    WITH wanted (repository, digest) AS (VALUES \(pairs))
                    SELECT t.repository, t.digest, t.key_id FROM wanted w JOIN trusted_signature t ON t.repository = w.repository AND t.digest = w.digest
                    ORDER BY t.signature_id, t.key_id
                    """, arguments: StatementArguments(chunk.flatMap { [$0.repository, $0.digest] }))
                for row in rows {
                    let image = (row[0] as String) + "@" + (row[1] as String)
                    if found[image] == nil { found[image] = row[2] }
                }
            }
            return found
        }
    }

    package func allSignatures() throws(LedgerError) -> [StoredSignature] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM signature ORDER BY id").map(Self.storedSignature(from:)) }
    }

    package func signatureVerifications() throws(LedgerError) -> [TrustedSignature] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT signature_id, key_id FROM signature_verification ORDER BY signature_id, key_id").map { row in
                (signatureID: row[0], keyID: row[1])
            }
        }
    }

    package func signatures(repository: Repository, digest: Digest) throws(LedgerError) -> [StoredSignature] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM signature WHERE repository = ? AND digest = ? ORDER BY id",
                             arguments: [repository.name, digest.description]).map(Self.storedSignature(from:))
        }
    }

    static func key(id: String, _ db: Database) throws -> TrustedKey? {
        try Row.fetchOne(db, sql: "SELECT * FROM key WHERE key_id = ?", arguments: [id]).map(trustedKey(from:))
    }

    static func trustedKey(from row: Row) throws -> TrustedKey {
        let revokedAt: String? = row["revoked_at"]
        return TrustedKey(
            keyID: row["key_id"], name: row["name"], algorithm: row["algorithm"], publicKeyPEM: row["public_key_pem"],
            addedAt: try Timestamp(rfc3339: row["added_at"]),
            revokedAt: try revokedAt.map { text throws(ValueError) in try Timestamp(rfc3339: text) },
            revokedReason: row["revoked_reason"])
    }

    static func storedSignature(from row: Row) throws -> StoredSignature {
        let payload: Data = row["payload"]
        let signature: Data = row["signature"]
        // Values as stored, validated when they were recorded.
        let recorded = NewSignature(repository: Repository(validated: row["repository"]), digest: Digest(validated: row["digest"]),
                                    payload: Array(payload), signature: Array(signature), signerKeyID: row["signer_key_id"], source: row["source"])
        return StoredSignature(id: row["id"], recorded, recordedAt: try Timestamp(rfc3339: row["recorded_at"]))
    }
}
