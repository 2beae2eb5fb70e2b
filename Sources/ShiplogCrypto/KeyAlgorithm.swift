/// The signature algorithms shiplog signs and verifies with.
package enum KeyAlgorithm: String, Sendable, CaseIterable, Codable {
    /// ECDSA on NIST P-256 with SHA-256, DER signatures (cosign's default).
    case ecdsaP256 = "ecdsa-p256"
    /// Ed25519 (PureEdDSA over the payload).
    case ed25519
    /// RSA of 2048 bits or more with SHA-256, PKCS#1 v1.5 or PSS.
    case rsa
}

/// How an RSA signature is padded. Verification accepts either.
package enum RSAPadding: String, Sendable, CaseIterable {
    case pkcs1v15 = "pkcs1"
    case pss
}
