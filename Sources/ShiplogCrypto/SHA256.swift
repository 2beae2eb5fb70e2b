import COpenSSL

/// SHA-256 through OpenSSL's EVP digest API.
package enum SHA256 {
    package static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = bytes.withContiguousStorageIfAvailable { buffer in
            EVP_Digest(buffer.baseAddress, buffer.count, &output, &length, FetchedDigest.sha256, nil)
        } ?? Array(bytes).withUnsafeBufferPointer { buffer in
            EVP_Digest(buffer.baseAddress, buffer.count, &output, &length, FetchedDigest.sha256, nil)
        }
        // EVP_Digest with SHA-256 only fails when OpenSSL cannot allocate; there is no result to return then.
        precondition(ok == 1 && length == 32, "EVP_Digest(SHA-256) failed: \(CryptoError.drainErrors())")
        return output
    }

    package static func hex(_ bytes: some Collection<UInt8>) -> String {
        hash(bytes).map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
        }.joined()
    }
}

/// SHA-256 of a one-byte prefix followed by the parts, as RFC 6962 hashes leaves and nodes, with one
/// OpenSSL context reused from hash to hash and no copy of the parts into one buffer: the log hashes a
/// leaf and, on average, one node for every ledger write.
///
/// Not thread-safe: one owner at a time (the log appender lives on the store's writer queue).
package final class PrefixedHasher {
    private let context: OpaquePointer?

    package init() { context = EVP_MD_CTX_new() }

    deinit { EVP_MD_CTX_free(context) }

    package func hash(prefix: UInt8, _ bytes: some Collection<UInt8>) -> [UInt8] {
        hash(prefix: prefix) { update in
            bytes.withContiguousStorageIfAvailable(update) ?? Array(bytes).withUnsafeBufferPointer(update)
        }
    }

    package func hash(prefix: UInt8, _ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        hash(prefix: prefix) { update in left.withUnsafeBufferPointer(update) && right.withUnsafeBufferPointer(update) }
    }

    private func hash(prefix: UInt8, parts: ((UnsafeBufferPointer<UInt8>) -> Bool) -> Bool) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let context = context
        let update = { (part: UnsafeBufferPointer<UInt8>) in EVP_DigestUpdate(context, part.baseAddress, part.count) == 1 }
        // Initialising a context that last ran SHA-256 reuses its state instead of allocating a new one.
        let ok = context != nil && EVP_DigestInit_ex(context, FetchedDigest.sha256, nil) == 1
            && withUnsafeBytes(of: prefix) { update($0.bindMemory(to: UInt8.self)) }
            && parts(update)
            && EVP_DigestFinal_ex(context, &output, &length) == 1
        // As in SHA256.hash: only an allocation failure makes these fail.
        precondition(ok && length == 32, "SHA-256 failed: \(CryptoError.drainErrors())")
        return output
    }
}
