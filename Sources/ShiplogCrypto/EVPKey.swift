import COpenSSL

/// Owns one `EVP_PKEY` and frees it exactly once.
///
/// `@unchecked Sendable`: OpenSSL 3 documents EVP_PKEY objects as safe for concurrent use once they are
/// no longer modified, and shiplog never modifies a key after loading or generating it.
final class EVPKey: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }

    deinit { EVP_PKEY_free(pointer) }

    /// The key OpenSSL read, or why not: `mistake` names a likelier cause than OpenSSL's own error (a key of
    /// the other kind, a wrong passphrase), asked only after OpenSSL's error queue was drained.
    static func read(_ key: OpaquePointer?, mistake: () -> CryptoError?) throws(CryptoError) -> EVPKey {
        guard let key else {
            let detail = CryptoError.drainErrors()
            throw mistake() ?? .malformedKey(detail: detail)
        }
        return EVPKey(key)
    }

    /// The algorithm, after checking the key is one shiplog accepts (P-256, Ed25519, RSA ≥ 2048).
    func algorithm() throws(CryptoError) -> KeyAlgorithm {
        switch EVP_PKEY_get_base_id(pointer) {
        case NID_X9_62_id_ecPublicKey:
            var name = [CChar](repeating: 0, count: 64)
            var length = 0
            guard EVP_PKEY_get_group_name(pointer, &name, name.count, &length) == 1 else {
                throw CryptoError.openssl("EVP_PKEY_get_group_name")
            }
            let curve = String(filledBuffer: name)
            guard curve == "prime256v1" || curve == "P-256" else { throw .unsupportedKey("EC curve \(curve)") }
            return .ecdsaP256
        case NID_ED25519:
            return .ed25519
        case NID_rsaEncryption, NID_rsassaPss:
            let bits = Int(EVP_PKEY_get_bits(pointer))
            guard bits >= 2048 else { throw .rsaKeyTooShort(bits: bits) }
            return .rsa
        case let other:
            let name = OBJ_nid2sn(other).map { String(cString: $0) } ?? "NID \(other)"
            throw .unsupportedKey(name)
        }
    }

    /// The DER SubjectPublicKeyInfo.
    func publicKeyDER() throws(CryptoError) -> [UInt8] {
        let length = i2d_PUBKEY(pointer, nil)
        guard length > 0 else { throw CryptoError.openssl("i2d_PUBKEY") }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_PUBKEY(pointer, &cursor)
        }
        guard written == length else { throw CryptoError.openssl("i2d_PUBKEY") }
        return der
    }
}

/// A memory BIO, freed on every path.
final class MemoryBIO {
    let pointer: OpaquePointer

    init() throws(CryptoError) {
        guard let bio = BIO_new(BIO_s_mem()) else { throw CryptoError.openssl("BIO_new") }
        pointer = bio
    }

    init(_ bytes: [UInt8]) throws(CryptoError) {
        guard let bio = bytes.withUnsafeBytes({ BIO_new_mem_buf($0.baseAddress, Int32($0.count)) }) else {
            throw CryptoError.openssl("BIO_new_mem_buf")
        }
        // BIO_new_mem_buf does not copy: keep the bytes alive as long as the BIO.
        storage = bytes
        pointer = bio
    }

    private var storage: [UInt8] = []

    deinit { BIO_free(pointer) }

    /// Whether `parse` reads a key from `bytes`; the key is freed and OpenSSL's error queue left empty.
    static func parsesAsKey(_ bytes: [UInt8], _ parse: (OpaquePointer) -> OpaquePointer?) -> Bool {
        guard let bio = try? MemoryBIO(bytes), let key = parse(bio.pointer) else {
            ERR_clear_error()
            return false
        }
        EVP_PKEY_free(key)
        return true
    }

    var contents: [UInt8] {
        var data: UnsafeMutablePointer<CChar>?
        let length = shiplog_BIO_get_mem_data(pointer, &data)
        guard let data, length > 0 else { return [] }
        return data.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }
}
