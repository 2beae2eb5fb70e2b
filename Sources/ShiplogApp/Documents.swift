import ShiplogCore
import ShiplogCrypto

/// A recorded signature as `sign --json` and `signature import --json` print it: base64 signature, payload text.
public struct SignatureDocument: Sendable, Encodable {
    public var record: StoredSignature

    public init(record: StoredSignature) { self.record = record }

    enum CodingKeys: String, CodingKey {
        case id, repository, digest, signature, payload, source
        case keyID = "key_id", recordedAt = "recorded_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(record.id, forKey: .id)
        try container.encode(record.repository, forKey: .repository)
        try container.encode(record.digest, forKey: .digest)
        try container.encode(Base64.encode(record.signature), forKey: .signature)
        try container.encode(String(decoding: record.payload, as: UTF8.self), forKey: .payload)
        try container.encode(record.source, forKey: .source)
        try container.encode(record.signerKeyID, forKey: .keyID)
        try container.encode(record.recordedAt, forKey: .recordedAt)
    }
}

/// `image mark-bad`: what was marked, and why.
public struct BadMarkDocument: Sendable, Encodable {
    public var repository: String
    public var digest: String
    public var reason: String
}

/// `tokens create`: the secret, shown this once.
public struct IssuedToken: Sendable, Encodable {
    public var name: String
    public var scopes: [String]
    public var token: String
}

/// `log public-key`: the checkpoint key, as PEM (for openssl) and as a signed-note verifier key.
public struct LogPublicKey: Sendable, Encodable {
    public var origin: String
    public var keyID: String
    public var publicKeyPEM: String
    public var noteVerifierKey: String

    init(_ signer: LogSigner) {
        origin = signer.origin
        keyID = signer.publicKey.keyID
        publicKeyPEM = signer.publicKey.pem
        noteVerifierKey = signer.noteVerifierKey
    }

    enum CodingKeys: String, CodingKey {
        case origin
        case keyID = "key_id", publicKeyPEM = "public_key_pem", noteVerifierKey = "note_verifier_key"
    }
}

/// `image` over every repository holding a digest.
struct ImagesDocument: Sendable, Encodable {
    var images: [ImageHistory]
}
