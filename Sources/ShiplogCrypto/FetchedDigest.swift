import COpenSSL

/// Message digests fetched from OpenSSL's default provider once. `EVP_sha256()` makes every
/// DigestSign/VerifyInit fetch the implementation again, which costs as much as hashing the payload.
enum FetchedDigest {
    /// Kept for the life of the process (never freed, like the provider that owns it).
    nonisolated(unsafe) static let sha256: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil) ?? EVP_sha256()
}
