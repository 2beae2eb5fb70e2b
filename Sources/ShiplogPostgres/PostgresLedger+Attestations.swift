import ShiplogCore

extension PostgresLedger: AttestationStore {
    package func record(_ attestations: [NewAttestation], at time: Timestamp) throws(LedgerError) -> Int {
        guard !attestations.isEmpty else { return 0 }
        return try write { session, log throws(LedgerError) in
            var added = 0
            for attestation in attestations {
                guard let inserted = try session.row("""
                    INSERT INTO attestation (repository, digest, predicate_type, statement, envelope, signer_key_id, source, fingerprint, recorded_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                    ON CONFLICT (repository, digest, fingerprint) DO NOTHING RETURNING id
                    """, [.text(attestation.repository.name), .text(attestation.digest.description), .text(attestation.predicateType),
                          .bytes(attestation.statement), .bytes(attestation.envelope), .text(attestation.signerKeyID), .text(attestation.source),
                          .text(attestation.fingerprint), .text(time.description)]) else { continue }
                added += 1
                try log?.append(.attestation(id: try inserted.integer("id"), attestation, at: time), at: time)
            }
            return added
        }
    }

    package func attestations(repository: Repository, digest: Digest) throws(LedgerError) -> [StoredAttestation] {
        try single { session throws(LedgerError) in
            try session.rows("SELECT * FROM attestation WHERE digest = $1 AND repository = $2 ORDER BY id",
                             [.text(digest.description), .text(repository.name)]).map(Self.storedAttestation(from:))
        }
    }

    package func attestations(digest: Digest) throws(LedgerError) -> [StoredAttestation] {
        try single { session throws(LedgerError) in
            try session.rows("SELECT * FROM attestation WHERE digest = $1 ORDER BY id", [.text(digest.description)]).map(Self.storedAttestation(from:))
        }
    }

    package func allAttestations() throws(LedgerError) -> [StoredAttestation] {
        try single { session throws(LedgerError) in try session.rows("SELECT * FROM attestation ORDER BY id").map(Self.storedAttestation(from:)) }
    }

    static func storedAttestation(from row: SQLRow) throws(LedgerError) -> StoredAttestation {
        let recorded = NewAttestation(
            repository: Repository(validated: try row.text("repository")), digest: Digest(validated: try row.text("digest")),
            predicateType: try row.text("predicate_type"), statement: try row.bytes("statement"), envelope: try row.optionalBytes("envelope"),
            signerKeyID: try row.optionalText("signer_key_id"), source: try row.text("source"), fingerprint: try row.text("fingerprint"))
        return StoredAttestation(id: try row.integer("id"), recorded, recordedAt: try time(try row.text("recorded_at")))
    }
}
