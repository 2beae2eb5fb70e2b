/// An attestation to record: an in-toto statement about one image, with the DSSE envelope that signed it
/// (nil for buildx's provenance, which arrives unsigned).
package struct NewAttestation: Sendable, Hashable {
    package var repository: Repository
    package var digest: Digest
    package var predicateType: String
    /// The statement's exact bytes (the envelope's payload).
    package var statement: [UInt8]
    /// The envelope as it arrived, byte for byte; nil when unsigned.
    package var envelope: [UInt8]?
    /// The trusted key it verified with when recorded, if any.
    package var signerKeyID: String?
    /// `attest`, `import` (a file, the API or the registry) or `buildx`.
    package var source: String
    /// What makes two records the same attestation: SHA-256 of the envelope (of the statement when unsigned).
    package var fingerprint: String

    package init(repository: Repository, digest: Digest, predicateType: String, statement: [UInt8], envelope: [UInt8]?,
                signerKeyID: String?, source: String, fingerprint: String) {
        self.repository = repository
        self.digest = digest
        self.predicateType = predicateType
        self.statement = statement
        self.envelope = envelope
        self.signerKeyID = signerKeyID
        self.source = source
        self.fingerprint = fingerprint
    }
}

/// An attestation as the ledger holds it.
package struct StoredAttestation: Sendable, Hashable {
    package var id: Int64
    package var attestation: NewAttestation
    package var recordedAt: Timestamp

    package init(id: Int64, _ attestation: NewAttestation, recordedAt: Timestamp) {
        self.id = id
        self.attestation = attestation
        self.recordedAt = recordedAt
    }
}

package protocol AttestationReading: Sendable {
    /// The attestations of an image, oldest first.
    func attestations(repository: Repository, digest: Digest) throws(LedgerError) -> [StoredAttestation]
    /// The attestations of a digest in every repository, oldest first.
    func attestations(digest: Digest) throws(LedgerError) -> [StoredAttestation]
    /// Every attestation, oldest first (for `log verify`).
    func allAttestations() throws(LedgerError) -> [StoredAttestation]
}

package protocol AttestationStore: AttestationReading {
    /// Records the attestations in one transaction; one already recorded (same image, same fingerprint) is
    /// kept as it was. Returns how many were new.
    func record(_ attestations: [NewAttestation], at time: Timestamp) throws(LedgerError) -> Int
}

/// An attestation as the contract writes it: `{"id","repository","digest","predicate_type","key_id","key_name",
/// "valid","reason","recorded_at","statement"}`, judged against the trust store when asked.
package struct AttestationRecord: Sendable, Hashable, Encodable {
    /// Why an attestation counts or not; `valid` only for a signature by a trusted, unrevoked key over a
    /// statement naming the image.
    package enum Reason: String, Sendable, Hashable, Encodable {
        case valid, unsigned
        case keyUnknown = "key-unknown"
        case keyRevoked = "key-revoked"
        case subjectMismatch = "subject-names-another-digest"
    }

    package var id: Int64
    package var repository: String
    package var digest: String
    package var predicateType: String
    @Nullable package var keyID: String?
    @Nullable package var keyName: String?
    package var valid: Bool
    package var reason: Reason
    package var source: String
    package var recordedAt: Timestamp
    /// The statement as recorded (its exact bytes are in the ledger).
    package var statement: JSONValue

    package init(_ stored: StoredAttestation, reason: Reason, keyID: String?, keyName: String?, statement: JSONValue) {
        id = stored.id
        repository = stored.attestation.repository.name
        digest = stored.attestation.digest.description
        predicateType = stored.attestation.predicateType
        self.keyID = keyID
        self.keyName = keyName
        valid = reason == .valid
        self.reason = reason
        source = stored.attestation.source
        recordedAt = stored.recordedAt
        self.statement = statement
    }
}

/// `attestation verify`: is there an attestation of this type, naming this digest, signed by a trusted key?
package struct AttestationVerification: Sendable, Hashable, Encodable {
    package var repository: String
    package var digest: String
    @Nullable package var predicateType: String?
    package var verified: Bool
    package var reason: String
    package var detail: String
    @Nullable package var attestationID: Int64?
    @Nullable package var keyID: String?
    @Nullable package var keyName: String?

    package init(repository: String, digest: String, predicateType: String?, verified: Bool, reason: String, detail: String,
                attestationID: Int64? = nil, keyID: String? = nil, keyName: String? = nil) {
        self.repository = repository
        self.digest = digest
        self.predicateType = predicateType
        self.verified = verified
        self.reason = reason
        self.detail = detail
        self.attestationID = attestationID
        self.keyID = keyID
        self.keyName = keyName
    }
}

/// What an attestation import recorded.
package struct AttestationImportSummary: Sendable, Hashable, Encodable {
    package var source: String
    /// Envelopes read (each may name several images).
    package var envelopes: Int
    /// Attestations recorded now; the rest were already in the ledger.
    package var recorded: Int
    package var alreadyRecorded: Int
    package var attestations: [AttestationRecord]

    package init(source: String, envelopes: Int, recorded: Int, alreadyRecorded: Int, attestations: [AttestationRecord]) {
        self.source = source
        self.envelopes = envelopes
        self.recorded = recorded
        self.alreadyRecorded = alreadyRecorded
        self.attestations = attestations
    }
}
