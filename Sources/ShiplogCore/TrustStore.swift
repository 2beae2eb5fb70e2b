/// The trust store (public keys) and the signatures recorded over images.
package protocol TrustReading: Sendable {
    /// Every key, oldest first.
    func keys() throws(LedgerError) -> [TrustedKey]
    /// The signatures recorded for an image, oldest first.
    func signatures(repository: Repository, digest: Digest) throws(LedgerError) -> [StoredSignature]
    /// Every recorded signature, oldest first.
    func allSignatures() throws(LedgerError) -> [StoredSignature]
    /// The recorded signatures over this image that verified with a trusted key not revoked, oldest
    /// first: the one answer to "is this digest signed by a key we trust?", which the deploy gate, `verify`
    /// and goodness all read.
    func trustedSignatures(repository: Repository, digest: Digest) throws(LedgerError) -> [TrustedSignature]
    /// For each image (as `repository@digest`), the first trusted, unrevoked key that signed it (one read for a page).
    func firstTrustedSigners(of images: [(repository: String, digest: String)]) throws(LedgerError) -> [String: String]
    /// Every recorded verification, revoked keys included, by signature then key (for `log verify`).
    func signatureVerifications() throws(LedgerError) -> [TrustedSignature]
}

package protocol TrustStore: TrustReading {
    /// Adds a key and, in the same transaction, records which signatures already in the ledger it verifies
    /// (`verifies` is asked of each); adding the same key again returns the stored one. A name names one key.
    func add(_ key: TrustedKey, verifying verifies: (StoredSignature) -> Bool) throws(LedgerError) -> TrustedKey
    /// Revokes a key from `time` on; its signatures no longer count. Revoking twice keeps the first time.
    func revokeKey(id: String, at time: Timestamp, reason: String?) throws(LedgerError) -> TrustedKey
    /// Records signatures in one transaction, each with the trusted keys it verified with; the same signature
    /// over the same image is recorded once (`isNew` false: the first record is returned).
    func record(_ signatures: [NewSignature], at time: Timestamp) throws(LedgerError) -> [(signature: StoredSignature, isNew: Bool)]
}

extension TrustStore {
    /// Records one signature (see `record(_:at:)` for a batch).
    package func record(_ signature: NewSignature, at time: Timestamp) throws(LedgerError) -> StoredSignature {
        guard let first = try record([signature], at: time).first else { throw .storage("signature was not recorded") }
        return first.signature
    }
}

/// A recorded signature that verified with a trusted key which is not revoked.
package typealias TrustedSignature = (signatureID: Int64, keyID: String)
