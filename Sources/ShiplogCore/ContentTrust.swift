/// A public key in the trust store.
public struct TrustedKey: Sendable, Hashable, Encodable {
    /// `sha256:<hex of SHA-256 over the DER SubjectPublicKeyInfo>`.
    public var keyID: String
    public var name: String
    /// `ecdsa-p256`, `ed25519` or `rsa`.
    public var algorithm: String
    public var publicKeyPEM: String
    public var addedAt: Timestamp
    @Nullable public var revokedAt: Timestamp? { didSet { revoked = revokedAt != nil } }
    @Nullable public var revokedReason: String?
    /// Whether the key's signatures stopped counting; written out for scripts.
    public private(set) var revoked: Bool

    public init(keyID: String, name: String, algorithm: String, publicKeyPEM: String, addedAt: Timestamp,
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

    public var isRevoked: Bool { revoked }
}

/// A signature to record over an image's simple-signing payload.
public struct NewSignature: Sendable, Hashable {
    public var repository: Repository
    public var digest: Digest
    public var payload: [UInt8]
    public var signature: [UInt8]
    /// The key that made it, when known (shiplog signed it, or it verified against a trusted key on import).
    public var signerKeyID: String?
    /// `sign` or `import`.
    public var source: String
    /// Trusted keys this signature verified with, over a payload naming `digest`.
    public var verifiedKeyIDs: [String]

    public init(repository: Repository, digest: Digest, payload: [UInt8], signature: [UInt8], signerKeyID: String?, source: String,
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
public struct StoredSignature: Sendable, Hashable {
    public var id: Int64
    public var repository: String
    public var digest: String
    public var payload: [UInt8]
    public var signature: [UInt8]
    public var signerKeyID: String?
    public var source: String
    public var recordedAt: Timestamp

    public init(id: Int64, repository: String, digest: String, payload: [UInt8], signature: [UInt8], signerKeyID: String?,
                source: String, recordedAt: Timestamp) {
        self.id = id
        self.repository = repository
        self.digest = digest
        self.payload = payload
        self.signature = signature
        self.signerKeyID = signerKeyID
        self.source = source
        self.recordedAt = recordedAt
    }
}

/// The answer to "is this digest signed by a key we trust?", one distinct reason each.
public enum VerificationReason: String, Sendable, Encodable, Comparable {
    case valid
    case keyRevoked = "key-revoked"
    case digestMismatch = "payload-names-another-digest"
    case signatureInvalid = "signature-invalid"
    case keyUnknown = "key-unknown"
    case noSignature = "no-signature"

    /// When several signatures fail differently, the most specific reason is reported.
    var rank: Int {
        switch self {
        case .valid: 0
        case .keyRevoked: 1
        case .digestMismatch: 2
        case .signatureInvalid: 3
        case .keyUnknown: 4
        case .noSignature: 5
        }
    }

    public static func < (lhs: VerificationReason, rhs: VerificationReason) -> Bool { lhs.rank < rhs.rank }
}

/// The result of verifying one image.
public struct Verification: Sendable, Hashable, Encodable {
    public var repository: String
    public var digest: String
    public var reason: VerificationReason { didSet { verified = reason == .valid } }
    @Nullable public var keyID: String?
    @Nullable public var keyName: String?
    /// When the deciding signature was recorded.
    @Nullable public var signedAt: Timestamp?
    @Nullable public var signatureID: Int64?
    public var detail: String
    /// A trusted key's valid signature decided it; written out for scripts.
    public private(set) var verified: Bool

    public init(repository: String, digest: String, reason: VerificationReason, keyID: String? = nil, keyName: String? = nil,
                signedAt: Timestamp? = nil, signatureID: Int64? = nil, detail: String) {
        self.repository = repository
        self.digest = digest
        self.reason = reason
        self.keyID = keyID
        self.keyName = keyName
        self.signedAt = signedAt
        self.signatureID = signatureID
        self.detail = detail
        verified = reason == .valid
    }
}
