/// A content digest in the OCI grammar, `algorithm:encoded`.
///
/// ```
/// digest              ::= algorithm ":" encoded
/// algorithm           ::= algorithm-component (algorithm-separator algorithm-component)*
/// algorithm-component ::= [a-z0-9]+
/// algorithm-separator ::= [+._-]
/// encoded             ::= [a-zA-Z0-9=_-]+
/// ```
/// The registered algorithms are checked strictly: `sha256` needs 64 and `sha512` 128 lowercase hex.
package struct Digest: Sendable, Hashable, TextCodable {
    /// The digest as written, kept whole: it is bound into every statement that names the image.
    package let description: String

    package var algorithm: String { String(description[..<colon]) }
    package var encoded: String { String(description[description.index(after: colon)...]) }
    private var colon: String.Index { description.firstIndex(of: ":") ?? description.endIndex }

    /// A digest the ledger validated when it was recorded; for reading rows back in bulk.
    package init(validated text: String) {
        description = text
    }

    package init(parsing text: String) throws(ValueError) {
        // Bulk ingest parses one per build: checking the UTF-8 buffer is several times faster than the view.
        var bytes = text
        if let problem = bytes.withUTF8(Self.problem(in:)) { throw ValueError(value: text, reason: problem) }
        description = text
    }

    /// Why the bytes are not a digest, or nil when they are one.
    static func problem(in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else {
            return "not a digest: expected algorithm:encoded, such as sha256:<64 hex>"
        }
        let algorithm = bytes[..<colon]
        let encoded = bytes[(colon + 1)...]
        guard !algorithm.isEmpty else { return "digest has no algorithm before ':'" }
        guard !encoded.isEmpty else { return "digest has nothing after '\(String(decoding: algorithm, as: UTF8.self)):'" }

        var previousWasSeparator = true  // a separator may not lead, trail or repeat
        for byte in algorithm {
            if isLowerAlphanumeric(byte) {
                previousWasSeparator = false
            } else if isAlgorithmSeparator(byte), !previousWasSeparator {
                previousWasSeparator = true
            } else {
                return "digest algorithm must be lowercase letters and digits joined by one of + . _ -"
            }
        }
        guard !previousWasSeparator else { return "digest algorithm must not end with a separator" }
        guard encoded.allSatisfy(isEncodedCharacter) else {
            return "digest encoding may contain only letters, digits, '=', '_' and '-'"
        }
        if let (name, hexLength) = registeredHexLengths.first(where: { algorithm.elementsEqual($0.name.utf8) }) {
            guard encoded.allSatisfy(isLowerHex) else { return "\(name) digest must be lowercase hex" }
            guard encoded.count == hexLength else {
                return "\(name) digest needs \(hexLength) hex characters, got \(encoded.count)"
            }
        }
        return nil
    }

    /// Registered algorithms whose encoded part is fixed-length lowercase hex.
    static let registeredHexLengths: [(name: String, hexLength: Int)] = [("sha256", 64), ("sha512", 128)]

    static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
    }

    static func isAlgorithmSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    static func isEncodedCharacter(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
            || byte == UInt8(ascii: "=") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    static func isLowerHex(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66)
    }

}
