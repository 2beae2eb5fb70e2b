import COpenSSL

/// Keys from an OIDC issuer's key set (RFC 7517 JWKs) and JWS signatures over them (RFC 7518: RS256, ES256).
extension PublicKey {
    /// An RSA key from its JWK `n` and `e` (big-endian bytes); shorter than 2048 bits is refused, as everywhere.
    package init(rsaModulus modulus: [UInt8], exponent: [UInt8]) throws(CryptoError) {
        try self.init(key: Self.fromData(type: "RSA") { builder in
            guard let n = BN_bin2bn(modulus, Int32(modulus.count), nil), let e = BN_bin2bn(exponent, Int32(exponent.count), nil) else { return [] }
            guard OSSL_PARAM_BLD_push_BN(builder, shiplog_PARAM_RSA_N(), n) == 1,
                  OSSL_PARAM_BLD_push_BN(builder, shiplog_PARAM_RSA_E(), e) == 1 else {
                BN_free(n)
                BN_free(e)
                return []
            }
            return [n, e]
        })
    }

    /// A P-256 key from its JWK `x` and `y` coordinates (32 bytes each).
    package init(p256X x: [UInt8], y: [UInt8]) throws(CryptoError) {
        guard x.count == 32, y.count == 32 else { throw .malformedKey(detail: "a P-256 JWK has 32-byte x and y") }
        // SEC 1 uncompressed point; the builder keeps its address until the key is built, so it lives in a buffer of its own.
        let point: [UInt8] = [0x04] + x + y
        let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: point.count)
        pointer.initialize(from: point, count: point.count)
        defer { pointer.deallocate() }
        try self.init(key: Self.fromData(type: "EC") { builder in
            guard OSSL_PARAM_BLD_push_utf8_string(builder, shiplog_PARAM_GROUP_NAME(), shiplog_CURVE_P256(), 0) == 1,
                  OSSL_PARAM_BLD_push_octet_string(builder, shiplog_PARAM_PUB_KEY(), pointer, point.count) == 1 else { return [] }
            return []
        })
    }

    /// A JWS signature: RS256 is RSASSA-PKCS1-v1_5 with SHA-256 (not PSS), ES256 is ECDSA P-256 with SHA-256 given as
    /// raw `r || s` (64 bytes, as RFC 7518 §3.4 requires; DER is not accepted there).
    package func isValidJWS(_ signature: [UInt8], for signingInput: [UInt8], es256: Bool) -> Bool {
        switch (algorithm, es256) {
        case (.rsa, false): return verify(signature, signingInput, rsaPadding: .pkcs1v15)
        case (.ecdsaP256, true):
            guard signature.count == 64, let der = SignatureShape.derFromRawECDSA(signature) else { return false }
            return verify(der, signingInput, rsaPadding: nil)
        default: return false
        }
    }

    /// `EVP_PKEY_fromdata` over the parameters `fill` pushes (it returns the BIGNUMs to free after the build).
    private static func fromData(type: String, _ fill: (OpaquePointer) -> [OpaquePointer]) throws(CryptoError) -> EVPKey {
        ERR_clear_error()
        guard let builder = OSSL_PARAM_BLD_new() else { throw CryptoError.openssl("OSSL_PARAM_BLD_new") }
        defer { OSSL_PARAM_BLD_free(builder) }
        let numbers = fill(builder)
        defer { numbers.forEach { BN_free($0) } }
        guard let parameters = OSSL_PARAM_BLD_to_param(builder) else { throw CryptoError.malformedKey(detail: "the JWK's parameters do not build a key") }
        defer { OSSL_PARAM_free(parameters) }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, type, nil) else { throw CryptoError.openssl("EVP_PKEY_CTX_new_from_name") }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_fromdata_init(context) == 1, EVP_PKEY_fromdata(context, &key, shiplog_EVP_PKEY_PUBLIC_KEY(), parameters) == 1, let key else {
            throw CryptoError.malformedKey(detail: "OpenSSL refused the JWK's \(type) parameters: \(CryptoError.drainErrors())")
        }
        return EVPKey(key)
    }
}
