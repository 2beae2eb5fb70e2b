import COpenSSL

/// What went wrong in a cryptographic operation, with OpenSSL's own error text where it has one.
package enum CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a PEM or DER key OpenSSL can read.
    case malformedKey(detail: String)
    /// A private key was given where a public key is expected.
    case privateKeyGivenForPublic
    /// A public key was given where a private key is expected.
    case publicKeyGivenForPrivate
    /// An EC key on another curve than P-256, or a key type shiplog does not sign with.
    case unsupportedKey(String)
    /// An RSA key shorter than 2048 bits.
    case rsaKeyTooShort(bits: Int)
    /// The private key is encrypted and no passphrase was given.
    case passphraseRequired
    /// The passphrase does not decrypt the private key.
    case wrongPassphrase
    /// The bytes are not a signature of this key's kind (bad DER, wrong length).
    case malformedSignature(String)
    /// OpenSSL failed where it should not (allocation, an internal error).
    case openssl(operation: String, detail: String)

    package var description: String {
        switch self {
        case let .malformedKey(detail): "not a PEM or DER key (\(detail))"
        case .privateKeyGivenForPublic: "this is a private key; give the public key (PEM 'PUBLIC KEY')"
        case .publicKeyGivenForPrivate: "this is a public key; signing needs the private key"
        case let .unsupportedKey(what): "unsupported key: \(what); use ECDSA P-256, Ed25519 or RSA of 2048 bits or more"
        case let .rsaKeyTooShort(bits): "RSA key has \(bits) bits; at least 2048 are required"
        case .passphraseRequired: "the private key is encrypted; set SHIPLOG_KEY_PASSPHRASE"
        case .wrongPassphrase: "wrong passphrase for the private key"
        case let .malformedSignature(detail): "not a valid signature: \(detail)"
        case let .openssl(operation, detail): "OpenSSL \(operation) failed: \(detail)"
        }
    }

    /// Drains OpenSSL's thread-local error queue into one line (and leaves it empty for the next call).
    static func drainErrors() -> String {
        var messages: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        while case let code = ERR_get_error(), code != 0 {
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(filledBuffer: buffer))
        }
        return messages.isEmpty ? "no detail from OpenSSL" : messages.joined(separator: "; ")
    }

    static func openssl(_ operation: String) -> CryptoError {
        .openssl(operation: operation, detail: drainErrors())
    }
}

extension String {
    /// The text of a NUL-terminated C buffer that OpenSSL filled in.
    init(filledBuffer buffer: [CChar]) {
        self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
