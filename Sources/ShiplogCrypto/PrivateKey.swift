import COpenSSL

/// A private signing key. It lives in a file (mode 0600), never in the ledger.
package struct PrivateKey: Sendable {
    let key: EVPKey
    package let algorithm: KeyAlgorithm

    init(key: EVPKey) throws(CryptoError) {
        self.key = key
        self.algorithm = try key.algorithm()
    }

    /// A new key pair. RSA keys are 3072 bits unless `rsaBits` says otherwise (at least 2048).
    package static func generate(_ algorithm: KeyAlgorithm, rsaBits: Int = 3072) throws(CryptoError) -> PrivateKey {
        let name = switch algorithm {
        case .ecdsaP256: "EC"
        case .ed25519: "ED25519"
        case .rsa: "RSA"
        }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, name, nil) else { throw CryptoError.openssl("EVP_PKEY_CTX_new_from_name") }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1 else { throw CryptoError.openssl("EVP_PKEY_keygen_init") }
        switch algorithm {
        case .ecdsaP256:
            guard EVP_PKEY_CTX_set_group_name(context, "P-256") == 1 else { throw CryptoError.openssl("EVP_PKEY_CTX_set_group_name") }
        case .rsa:
            guard rsaBits >= 2048 else { throw .rsaKeyTooShort(bits: rsaBits) }
            guard EVP_PKEY_CTX_set_rsa_keygen_bits(context, Int32(rsaBits)) == 1 else {
                throw CryptoError.openssl("EVP_PKEY_CTX_set_rsa_keygen_bits")
            }
        case .ed25519:
            break
        }
        var generated: OpaquePointer?
        guard EVP_PKEY_generate(context, &generated) == 1, let generated else { throw CryptoError.openssl("EVP_PKEY_generate") }
        return try PrivateKey(key: EVPKey(generated))
    }

    /// Reads a PEM (PKCS#8, SEC1 or PKCS#1, encrypted or not) or DER private key.
    package init(encoded bytes: [UInt8], passphrase: String?) throws(CryptoError) {
        ERR_clear_error()
        let isPEM = PEMText.looksLikePEM(bytes)
        if isPEM {
            guard PEMText.isPrivateKey(bytes) else {
                throw String(decoding: bytes.prefix(4096), as: UTF8.self).contains("PUBLIC KEY")
                    ? .publicKeyGivenForPrivate : .malformedKey(detail: "no PRIVATE KEY block")
            }
            if PEMText.isEncrypted(bytes), passphrase == nil { throw .passphraseRequired }
        }
        let bio = try MemoryBIO(bytes)
        // A non-NULL passphrase argument keeps OpenSSL from ever prompting on a terminal.
        let loaded = (passphrase ?? "").withCString { secret -> OpaquePointer? in
            let user = UnsafeMutableRawPointer(mutating: secret)
            return isPEM ? PEM_read_bio_PrivateKey(bio.pointer, nil, nil, user) : d2i_PrivateKey_bio(bio.pointer, nil)
        }
        try self.init(key: EVPKey.read(loaded) {
            if isPEM, PEMText.isEncrypted(bytes) { return .wrongPassphrase }
            return !isPEM && PublicKey.isDERPublicKey(bytes) ? .publicKeyGivenForPrivate : nil
        })
    }

    /// Whether `bytes` parse as an unencrypted DER private key (only the raw parse; see `PublicKey.isDERPublicKey`).
    static func isDERPrivateKey(_ bytes: [UInt8]) -> Bool {
        MemoryBIO.parsesAsKey(bytes) { d2i_PrivateKey_bio($0, nil) }
    }

    package var publicKey: PublicKey {
        get throws(CryptoError) { try PublicKey(key: key) }
    }

    /// PKCS#8 PEM; encrypted with AES-256-CBC under `passphrase` when one is given.
    package func pem(passphrase: String?) throws(CryptoError) -> String {
        let bio = try MemoryBIO()
        let written: Int32
        if let passphrase {
            written = passphrase.withCString { secret in
                PEM_write_bio_PKCS8PrivateKey(bio.pointer, key.pointer, EVP_aes_256_cbc(), secret, Int32(strlen(secret)), nil, nil)
            }
        } else {
            written = PEM_write_bio_PKCS8PrivateKey(bio.pointer, key.pointer, nil, nil, 0, nil, nil)
        }
        guard written == 1 else { throw CryptoError.openssl("PEM_write_bio_PKCS8PrivateKey") }
        return String(decoding: bio.contents, as: UTF8.self)
    }

    /// Signs `message`: DER ECDSA over SHA-256, raw Ed25519, or RSA with SHA-256 (see ``SigningSession`` for many).
    package func sign(_ message: [UInt8], rsaPadding: RSAPadding = .pkcs1v15) throws(CryptoError) -> [UInt8] {
        try SigningSession(self, rsaPadding: rsaPadding).sign(message)
    }
}
