import ShiplogCore
import ShiplogCrypto

/// A recorded signature as `sign --json` and `signature import --json` print it: base64 signature, payload text.
public struct SignatureDocument: Sendable, Encodable {
    public var id: Int64
    public var repository: String
    public var digest: String
    public var signature: String
    public var payload: String
    public var source: String
    @Nullable public var keyID: String?
    public var recordedAt: Timestamp

    public init(record: StoredSignature) {
        id = record.id
        repository = record.repository
        digest = record.digest
        signature = Base64.encode(record.signature)
        payload = String(decoding: record.payload, as: UTF8.self)
        source = record.source
        keyID = record.signerKeyID
        recordedAt = record.recordedAt
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
}

/// `image` over every repository holding a digest.
struct ImagesDocument: Sendable, Encodable {
    var images: [ImageHistory]
}
