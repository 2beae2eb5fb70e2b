import COpenSSL

/// SHA-256 through OpenSSL's EVP digest API.
public enum SHA256 {
    public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
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

    public static func hex(_ bytes: some Collection<UInt8>) -> String {
        hash(bytes).map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
        }.joined()
    }
}
