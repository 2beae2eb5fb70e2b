import ShiplogCore

/// A signature to record: made here by `sign` or elsewhere by cosign or openssl.
package struct SignatureUpload: Sendable {
    package var repository: Repository
    package var digest: Digest
    package var payload: [UInt8]
    package var payloadSource: String
    package var signature: [UInt8]
    package var signatureSource: String
    /// The public key (PEM) that made it, when the signer says so.
    package var signerPEM: String?
    /// `sign` when shiplog made it, else `import`.
    package var origin: String

    package init(repository: Repository, digest: Digest, payload: [UInt8], payloadSource: String, signature: [UInt8],
                signatureSource: String, signerPEM: String?, origin: String = "import") {
        self.repository = repository
        self.digest = digest
        self.payload = payload
        self.payloadSource = payloadSource
        self.signature = signature
        self.signatureSource = signatureSource
        self.signerPEM = signerPEM
        self.origin = origin
    }
}
