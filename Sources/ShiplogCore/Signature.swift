/// A signature to record over an image's simple-signing payload.
package struct NewSignature: Sendable, Hashable {
    package var repository: Repository
    package var digest: Digest
    package var payload: [UInt8]
    package var signature: [UInt8]
    /// The key that made it, when known (shiplog signed it, or it verified against a trusted key on import).
    package var signerKeyID: String?
    /// `sign` or `import`.
    package var source: String
    /// Trusted keys this signature verified with, over a payload naming `digest`.
    package var verifiedKeyIDs: [String]

    package init(repository: Repository, digest: Digest, payload: [UInt8], signature: [UInt8], signerKeyID: String?, source: String,
                verifiedKeyIDs: [String] = []) {
        self.repository = repository
        self.digest = digest
        self.payload = payload
        self.signature = signature
        self.signerKeyID = signerKeyID
        self.source = source
        self.verifiedKeyIDs = verifiedKeyIDs
    }
}

/// A signature as the ledger holds it.
package struct StoredSignature: Sendable, Hashable {
    package var id: Int64
    package var repository: String
    package var digest: String
    package var payload: [UInt8]
    package var signature: [UInt8]
    package var signerKeyID: String?
    package var source: String
    package var recordedAt: Timestamp

    /// A new signature as recorded under `id` at `recordedAt`.
    package init(id: Int64, _ signature: NewSignature, recordedAt: Timestamp) {
        self.id = id
        (repository, digest) = (signature.repository.name, signature.digest.description)
        (payload, self.signature) = (signature.payload, signature.signature)
        (signerKeyID, source) = (signature.signerKeyID, signature.source)
        self.recordedAt = recordedAt
    }
}
