import ShiplogCore
import ShiplogCrypto

/// A recorded signature as `sign --json` and `signature import --json` print it: base64 signature, payload text.
package struct SignatureDocument: Sendable, Encodable {
    package var id: Int64
    package var repository: String
    package var digest: String
    package var signature: String
    package var payload: String
    package var source: String
    @Nullable package var keyID: String?
    package var recordedAt: Timestamp

    package init(record: StoredSignature) {
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

/// `signature fetch`: the signatures an image's registry holds, and how many the ledger did not have.
package struct SignatureImportSummary: Sendable, Encodable {
    package var source: String
    package var found: Int
    package var recorded: Int
    package var alreadyRecorded: Int
    package var signatures: [SignatureDocument]
}

/// `image mark-bad`: what was marked, and why.
package struct BadMarkDocument: Sendable, Encodable {
    package var repository: String
    package var digest: String
    package var reason: String
}

/// `tokens create`: the secret, shown this once.
package struct IssuedToken: Sendable, Encodable {
    package var name: String
    package var scopes: [String]
    package var token: String
}

/// `log public-key`: the checkpoint key, as PEM (for openssl) and as a signed-note verifier key.
package struct LogPublicKey: Sendable, Encodable {
    package var origin: String
    package var keyID: String
    package var publicKeyPEM: String
    package var noteVerifierKey: String

    init(_ signer: LogSigner) {
        origin = signer.origin
        keyID = signer.publicKey.keyID
        publicKeyPEM = signer.publicKey.pem
        noteVerifierKey = signer.noteVerifierKey
    }
}

/// `attestation list`: an image's attestations, judged now.
package struct AttestationList: Sendable, Encodable {
    package var attestations: [AttestationRecord]
}

/// `image` over every repository holding a digest.
struct ImagesDocument: Sendable, Encodable {
    var images: [ImageHistory]
}
