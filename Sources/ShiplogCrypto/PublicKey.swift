import COpenSSL

/// A public key shiplog trusts or checks signatures with: ECDSA P-256, Ed25519 or RSA ≥ 2048 bits.
package struct PublicKey: Sendable {
    let key: EVPKey
    package let algorithm: KeyAlgorithm
    /// DER SubjectPublicKeyInfo.
    package let der: [UInt8]

    /// `sha256:<hex of SHA-256 over the DER SubjectPublicKeyInfo>`, the key id of the contract.
    package var keyID: String { "sha256:" + SHA256.hex(der) }

    init(key: EVPKey) throws(CryptoError) {
        self.key = key
        self.algorithm = try key.algorithm()
        self.der = try key.publicKeyDER()
    }

    /// Reads a PEM (`PUBLIC KEY`) or DER SubjectPublicKeyInfo. A private key is refused with its own error.
    package init(encoded bytes: [UInt8]) throws(CryptoError) {
        ERR_clear_error()
        let isPEM = PEMText.looksLikePEM(bytes)
        if isPEM, PEMText.isPrivateKey(bytes) { throw .privateKeyGivenForPublic }
        let bio = try MemoryBIO(bytes)
        let loaded = isPEM ? PEM_read_bio_PUBKEY(bio.pointer, nil, nil, nil) : d2i_PUBKEY_bio(bio.pointer, nil)
        try self.init(key: EVPKey.read(loaded) { !isPEM && PrivateKey.isDERPrivateKey(bytes) ? .privateKeyGivenForPublic : nil })
    }

    /// Whether `bytes` parse as a DER SubjectPublicKeyInfo (to name the mistake when a private key was wanted).
    /// Only the raw parse: falling back to the other key kind here would recurse forever on garbage.
    static func isDERPublicKey(_ bytes: [UInt8]) -> Bool {
        MemoryBIO.parsesAsKey(bytes) { d2i_PUBKEY_bio($0, nil) }
    }

    /// The key as PEM `PUBLIC KEY`.
    package var pem: String {
        let body = Base64.encode(der)
        var lines = ["-----BEGIN PUBLIC KEY-----"]
        var index = body.startIndex
        while index < body.endIndex {
            let end = body.index(index, offsetBy: 64, limitedBy: body.endIndex) ?? body.endIndex
            lines.append(String(body[index ..< end]))
            index = end
        }
        lines.append("-----END PUBLIC KEY-----")
        return lines.joined(separator: "\n") + "\n"
    }

    /// True when `signature` is a valid signature of `message` by this key: DER ECDSA over SHA-256,
    /// raw Ed25519, or RSA with SHA-256 (PKCS#1 v1.5 or PSS, either accepted).
    package func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        switch algorithm {
        case .rsa:
            return RSAPadding.allCases.contains { verify(signature, message, rsaPadding: $0) }
        case .ed25519:
            return verify(signature, message, rsaPadding: nil)
        case .ecdsaP256:
            if verify(signature, message, rsaPadding: nil) { return true }
            // DSSE allows any signature encoding; its test vector (and Web Crypto) use raw r||s, 32 bytes each.
            guard signature.count == 64, let der = SignatureShape.derFromRawECDSA(signature) else { return false }
            return verify(der, message, rsaPadding: nil)
        }
    }

    func verify(_ signature: [UInt8], _ message: [UInt8], rsaPadding: RSAPadding?) -> Bool {
        defer { ERR_clear_error() }  // a bad signature leaves decoding errors behind; they are the answer, not a fault
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer?
        let digest = algorithm == .ed25519 ? nil : FetchedDigest.sha256
        guard EVP_DigestVerifyInit(context, &keyContext, digest, nil, key.pointer) == 1 else { return false }
        if let rsaPadding, let keyContext {
            guard SignatureContext.configure(keyContext, rsaPadding: rsaPadding, verifying: true) else { return false }
        }
        return EVP_DigestVerify(context, signature, signature.count, message, message.count) == 1
    }

    /// Checks that `signature` is shaped like this key's signatures (DER ECDSA-Sig-Value, 64 bytes, or
    /// the RSA modulus length), so garbage is reported as such rather than as "does not verify".
    package func checkShape(of signature: [UInt8]) throws(CryptoError) {
        switch algorithm {
        case .ecdsaP256:
            try SignatureShape.checkECDSA(signature)
        case .ed25519:
            guard signature.count == 64 else {
                throw .malformedSignature("an Ed25519 signature has 64 bytes, got \(signature.count)")
            }
        case .rsa:
            let expected = Int(EVP_PKEY_get_size(key.pointer))
            guard signature.count == expected else {
                throw .malformedSignature("an RSA signature of this key has \(expected) bytes, got \(signature.count)")
            }
        }
    }
}

enum SignatureShape {
    /// The DER ECDSA-Sig-Value of a raw `r || s` signature (OpenSSL encodes it; shiplog only hands over the halves).
    static func derFromRawECDSA(_ raw: [UInt8]) -> [UInt8]? {
        let half = raw.count / 2
        guard let value = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(value) }
        let r = raw.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, Int32(half), nil) }
        let s = raw.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress.map { $0 + half }, Int32(half), nil) }
        guard let r, let s else {
            BN_free(r)
            BN_free(s)
            return nil
        }
        guard ECDSA_SIG_set0(value, r, s) == 1 else {
            BN_free(r)
            BN_free(s)
            return nil
        }
        let length = i2d_ECDSA_SIG(value, nil)
        guard length > 0 else { return nil }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_ECDSA_SIG(value, &cursor)
        }
        return written == length ? der : nil
    }

    /// A DER ECDSA-Sig-Value, with nothing after it.
    static func checkECDSA(_ signature: [UInt8]) throws(CryptoError) {
        guard !signature.isEmpty else { throw .malformedSignature("the signature is empty") }
        let parsed = signature.withUnsafeBufferPointer { buffer -> (OpaquePointer?, Int) in
            guard let start = buffer.baseAddress else { return (nil, 0) }
            var cursor: UnsafePointer<UInt8>? = start
            let value = d2i_ECDSA_SIG(nil, &cursor, buffer.count)
            return (value, cursor.map { $0 - start } ?? 0)
        }
        ERR_clear_error()
        guard let value = parsed.0 else { throw .malformedSignature("not a DER ECDSA signature") }
        ECDSA_SIG_free(value)
        guard parsed.1 == signature.count else { throw .malformedSignature("trailing bytes after the DER ECDSA signature") }
    }
}

enum SignatureContext {
    static func configure(_ keyContext: OpaquePointer, rsaPadding: RSAPadding, verifying: Bool) -> Bool {
        switch rsaPadding {
        case .pkcs1v15:
            return shiplog_EVP_PKEY_CTX_set_rsa_padding(keyContext, shiplog_RSA_PKCS1_PADDING()) > 0
        case .pss:
            // Sign with salt = digest length (what cosign and Go use); accept any salt when verifying.
            let salt = verifying ? shiplog_RSA_PSS_SALTLEN_AUTO() : shiplog_RSA_PSS_SALTLEN_DIGEST()
            return shiplog_EVP_PKEY_CTX_set_rsa_padding(keyContext, shiplog_RSA_PKCS1_PSS_PADDING()) > 0
                && shiplog_EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, salt) > 0
        }
    }
}

/// Recognises PEM armour without parsing it, to give precise errors.
enum PEMText {
    static func looksLikePEM(_ bytes: [UInt8]) -> Bool {
        String(decoding: bytes.prefix(4096), as: UTF8.self).contains("-----BEGIN ")
    }

    static func isPrivateKey(_ bytes: [UInt8]) -> Bool {
        String(decoding: bytes.prefix(4096), as: UTF8.self).contains("PRIVATE KEY-----")
    }

    static func isEncrypted(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes.prefix(4096), as: UTF8.self)
        return text.contains("BEGIN ENCRYPTED PRIVATE KEY") || text.contains("Proc-Type: 4,ENCRYPTED")
    }
}

/// Checks on signature bytes that need no key.
package enum PublicKeyShape {
    /// Throws unless the bytes are one DER ECDSA-Sig-Value.
    package static func checkECDSA(_ signature: [UInt8]) throws(CryptoError) { try SignatureShape.checkECDSA(signature) }
}
