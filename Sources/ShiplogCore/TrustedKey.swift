/// A public key in the trust store.
package struct TrustedKey: Sendable, Hashable, Encodable {
    /// `sha256:<hex of SHA-256 over the DER SubjectPublicKeyInfo>`.
    package var keyID: String
    package var name: String
    /// `ecdsa-p256`, `ed25519` or `rsa`.
    package var algorithm: String
    package var publicKeyPEM: String
    package var addedAt: Timestamp
    @Nullable package var revokedAt: Timestamp? { didSet { revoked = revokedAt != nil } }
    @Nullable package var revokedReason: String?
    /// Whether the key's signatures stopped counting; written out for scripts.
    package private(set) var revoked: Bool

    package init(keyID: String, name: String, algorithm: String, publicKeyPEM: String, addedAt: Timestamp,
                revokedAt: Timestamp? = nil, revokedReason: String? = nil) {
        self.keyID = keyID
        self.name = name
        self.algorithm = algorithm
        self.publicKeyPEM = publicKeyPEM
        self.addedAt = addedAt
        self.revokedAt = revokedAt
        self.revokedReason = revokedReason
        revoked = revokedAt != nil
    }

    package var isRevoked: Bool { revoked }
}
