import ShiplogCore

extension PostgresLedger: TrustStore {
    package func add(_ key: TrustedKey, verifying verifies: (StoredSignature) -> Bool) throws(LedgerError) -> TrustedKey {
        try write { session, log throws(LedgerError) in
            if let existing = try Self.key(id: key.keyID, session) { return existing }
            if try session.row("SELECT key_id FROM key WHERE name = $1", [.text(key.name)]) != nil {
                throw .invalidInput(InvalidInput(field: "name", value: key.name, reason: "another key already has this name"))
            }
            try session.execute("INSERT INTO key (key_id, name, algorithm, public_key_pem, added_at) VALUES ($1, $2, $3, $4, $5)",
                                [.text(key.keyID), .text(key.name), .text(key.algorithm), .text(key.publicKeyPEM), .text(key.addedAt.description)])
            try log?.append(.keyAdded(key), at: key.addedAt)
            // Signatures recorded before their key was trusted count from now on.
            for signature in try session.rows("SELECT * FROM signature ORDER BY id").map(Self.storedSignature(from:)) where verifies(signature) {
                try session.execute("""
                    INSERT INTO signature_verification (signature_id, key_id, verified_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING
                    """, [.integer(signature.id), .text(key.keyID), .text(key.addedAt.description)])
            }
            return key
        }
    }

    package func keys() throws(LedgerError) -> [TrustedKey] {
        try single { session throws(LedgerError) in try session.rows("SELECT * FROM key ORDER BY added_at, name").map(Self.trustedKey(from:)) }
    }

    package func revokeKey(id: String, at time: Timestamp, reason: String?) throws(LedgerError) -> TrustedKey {
        try write { session, log throws(LedgerError) in
            guard let key = try Self.key(id: id, session) else { throw .notFound("no key \(id) in the trust store") }
            if key.isRevoked { return key }
            try session.execute("UPDATE key SET revoked_at = $1, revoked_reason = $2 WHERE key_id = $3", [.text(time.description), .text(reason), .text(id)])
            try log?.append(.keyRevoked(keyID: id, at: time, reason: reason), at: time)
            guard let revoked = try Self.key(id: id, session) else { throw .notFound("no key \(id) in the trust store") }
            return revoked
        }
    }

    package func record(_ signatures: [NewSignature], at time: Timestamp) throws(LedgerError) -> [(signature: StoredSignature, isNew: Bool)] {
        try write { session, log throws(LedgerError) in
            var recorded: [(signature: StoredSignature, isNew: Bool)] = []
            for signature in signatures {
                let image: [SQLValue] = [.text(signature.repository.name), .text(signature.digest.description), .bytes(signature.signature)]
                let inserted = try session.row("""
                    INSERT INTO signature (repository, digest, signature, payload, signer_key_id, source, recorded_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7)
                    ON CONFLICT (repository, digest, signature) DO NOTHING RETURNING id
                    """, image + [.bytes(signature.payload), .text(signature.signerKeyID), .text(signature.source), .text(time.description)])
                if let inserted { try log?.append(.signature(id: try inserted.integer("id"), signature, at: time), at: time) }
                guard let row = try session.row("SELECT * FROM signature WHERE repository = $1 AND digest = $2 AND signature = $3", image) else {
                    throw .storage("signature was not recorded")
                }
                let stored = try Self.storedSignature(from: row)
                for keyID in signature.verifiedKeyIDs {
                    try session.execute("""
                        INSERT INTO signature_verification (signature_id, key_id, verified_at)
                        SELECT $1, key_id, $2 FROM key WHERE key_id = $3 ON CONFLICT DO NOTHING
                        """, [.integer(stored.id), .text(time.description), .text(keyID)])
                }
                recorded.append((stored, inserted != nil))
            }
            return recorded
        }
    }

    package func trustedSignatures(repository: Repository, digest: Digest) throws(LedgerError) -> [TrustedSignature] {
        try single { session throws(LedgerError) in
            try session.rows("""
                SELECT signature_id, key_id FROM trusted_signature WHERE repository = $1 AND digest = $2 ORDER BY signature_id, key_id
                """, [.text(repository.name), .text(digest.description)]).map(Self.trustedSignature(from:))
        }
    }

    package func firstTrustedSigners(of images: [(repository: String, digest: String)]) throws(LedgerError) -> [String: String] {
        guard !images.isEmpty else { return [:] }
        return try single { session throws(LedgerError) in
            var found: [String: String] = [:]
            let rows = try session.rows("""
                SELECT t.repository, t.digest, t.key_id FROM unnest($1::text[], $2::text[]) AS w (repository, digest)
                JOIN trusted_signature t ON t.repository = w.repository AND t.digest = w.digest
                ORDER BY t.signature_id, t.key_id
                """, [.texts(images.map(\.repository)), .texts(images.map(\.digest))])
            for row in rows {
                let image = try row.text("repository") + "@" + row.text("digest")
                if found[image] == nil { found[image] = try row.text("key_id") }
            }
            return found
        }
    }

    package func allSignatures() throws(LedgerError) -> [StoredSignature] {
        try single { session throws(LedgerError) in try session.rows("SELECT * FROM signature ORDER BY id").map(Self.storedSignature(from:)) }
    }

    package func signatureVerifications() throws(LedgerError) -> [TrustedSignature] {
        try single { session throws(LedgerError) in
            try session.rows("SELECT signature_id, key_id FROM signature_verification ORDER BY signature_id, key_id").map(Self.trustedSignature(from:))
        }
    }

    package func signatures(repository: Repository, digest: Digest) throws(LedgerError) -> [StoredSignature] {
        try single { session throws(LedgerError) in
            try session.rows("SELECT * FROM signature WHERE repository = $1 AND digest = $2 ORDER BY id", [.text(repository.name), .text(digest.description)])
                .map(Self.storedSignature(from:))
        }
    }

    static func key(id: String, _ session: PostgresSession) throws(LedgerError) -> TrustedKey? {
        try session.row("SELECT * FROM key WHERE key_id = $1", [.text(id)]).map(trustedKey(from:))
    }

    static func trustedKey(from row: SQLRow) throws(LedgerError) -> TrustedKey {
        TrustedKey(keyID: try row.text("key_id"), name: try row.text("name"), algorithm: try row.text("algorithm"),
                   publicKeyPEM: try row.text("public_key_pem"), addedAt: try time(try row.text("added_at")),
                   revokedAt: try time(try row.optionalText("revoked_at")), revokedReason: try row.optionalText("revoked_reason"))
    }

    static func storedSignature(from row: SQLRow) throws(LedgerError) -> StoredSignature {
        let recorded = NewSignature(repository: Repository(validated: try row.text("repository")), digest: Digest(validated: try row.text("digest")),
                                    payload: try row.bytes("payload"), signature: try row.bytes("signature"),
                                    signerKeyID: try row.optionalText("signer_key_id"), source: try row.text("source"))
        return StoredSignature(id: try row.integer("id"), recorded, recordedAt: try time(try row.text("recorded_at")))
    }

    static func trustedSignature(from row: SQLRow) throws(LedgerError) -> TrustedSignature {
        (signatureID: try row.integer("signature_id"), keyID: try row.text("key_id"))
    }
}
