/// The answer to "is this digest signed by a key we trust?", one distinct reason each.
package enum VerificationReason: String, Sendable, Encodable, Comparable {
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

    package static func < (lhs: VerificationReason, rhs: VerificationReason) -> Bool { lhs.rank < rhs.rank }
}

/// The result of verifying one image.
package struct Verification: Sendable, Hashable, Encodable {
    package var repository: String
    package var digest: String
    package var reason: VerificationReason { didSet { verified = reason == .valid } }
    @Nullable package var keyID: String?
    @Nullable package var keyName: String?
    /// When the deciding signature was recorded.
    @Nullable package var signedAt: Timestamp?
    @Nullable package var signatureID: Int64?
    package var detail: String
    /// A trusted key's valid signature decided it; written out for scripts.
    package private(set) var verified: Bool

    package init(repository: String, digest: String, reason: VerificationReason, keyID: String? = nil, keyName: String? = nil,
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
