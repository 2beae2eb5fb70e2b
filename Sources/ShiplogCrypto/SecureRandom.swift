import COpenSSL

/// Secrets (API tokens) from OpenSSL's CSPRNG, and comparing secrets without leaking where they differ.
package enum SecureRandom {
    package static func bytes(_ count: Int) throws(CryptoError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&output, Int32(count)) == 1 else { throw CryptoError.openssl(operation: "RAND_bytes", detail: CryptoError.drainErrors()) }
        return output
    }
}

package enum ConstantTime {
    /// Equal length and equal bytes, in time that depends only on the length (OpenSSL's CRYPTO_memcmp).
    package static func equal(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.withUnsafeBytes { a in rhs.withUnsafeBytes { b in CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) == 0 } }
    }
}
