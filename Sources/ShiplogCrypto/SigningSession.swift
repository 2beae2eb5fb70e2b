import COpenSSL

/// A private key set up once for many signatures, as `openssl speed` does: ECDSA and RSA hash the
/// message with SHA-256 and sign the digest with one prepared EVP_PKEY_CTX; Ed25519 reuses one
/// prepared EVP_MD_CTX for its one-shot signatures. Setting up a context costs about as much as an
/// ECDSA signature, so signing in bulk (or in a benchmark) keeps a session.
///
/// Not Sendable: a session's OpenSSL contexts are used by one thread at a time.
package final class SigningSession {
    private let key: PrivateKey
    private let keyContext: OpaquePointer?
    private let digestContext: OpaquePointer?
    private let maximumLength: Int

    package init(_ key: PrivateKey, rsaPadding: RSAPadding = .pkcs1v15) throws(CryptoError) {
        self.key = key
        maximumLength = Int(EVP_PKEY_get_size(key.key.pointer))
        if key.algorithm == .ed25519 {
            guard let context = EVP_MD_CTX_new() else { throw CryptoError.openssl("EVP_MD_CTX_new") }
            guard EVP_DigestSignInit(context, nil, nil, nil, key.key.pointer) == 1 else {
                EVP_MD_CTX_free(context)
                throw CryptoError.openssl("EVP_DigestSignInit")
            }
            digestContext = context
            keyContext = nil
        } else {
            guard let context = EVP_PKEY_CTX_new_from_pkey(nil, key.key.pointer, nil) else {
                throw CryptoError.openssl("EVP_PKEY_CTX_new_from_pkey")
            }
            guard EVP_PKEY_sign_init(context) == 1, EVP_PKEY_CTX_set_signature_md(context, FetchedDigest.sha256) == 1,
                  key.algorithm != .rsa || SignatureContext.configure(context, rsaPadding: rsaPadding, verifying: false)
            else {
                EVP_PKEY_CTX_free(context)
                throw CryptoError.openssl("EVP_PKEY_sign_init")
            }
            keyContext = context
            digestContext = nil
        }
    }

    deinit {
        EVP_PKEY_CTX_free(keyContext)
        EVP_MD_CTX_free(digestContext)
    }

    /// Signs `message`: DER ECDSA over SHA-256, raw Ed25519, or RSA with SHA-256.
    package func sign(_ message: [UInt8]) throws(CryptoError) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: maximumLength)
        var length = maximumLength
        if let digestContext {
            guard EVP_DigestSign(digestContext, &signature, &length, message, message.count) == 1 else {
                throw CryptoError.openssl("EVP_DigestSign")
            }
        } else {
            let hash = SHA256.hash(message)
            guard EVP_PKEY_sign(keyContext, &signature, &length, hash, hash.count) == 1 else {
                throw CryptoError.openssl("EVP_PKEY_sign")
            }
        }
        signature.removeLast(maximumLength - length)
        return signature
    }
}
