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
public struct Digest: Sendable, Hashable, CustomStringConvertible, Codable {
    public let algorithm: String
    public let encoded: String
    /// The digest as written, kept whole: it is bound into every statement that names the image.
    public let description: String

    /// A digest the ledger validated when it was recorded; for reading rows back in bulk.
    package init(validated text: String) {
        let colon = text.firstIndex(of: ":") ?? text.endIndex
        algorithm = String(text[..<colon])
        encoded = colon == text.endIndex ? "" : String(text[text.index(after: colon)...])
        description = text
    }

    public init(parsing text: String) throws(ValueError) {
        func fail(_ reason: String) -> ValueError { ValueError(value: text, reason: reason) }
        let bytes = text.utf8
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else {
            throw fail("not a digest: expected algorithm:encoded, such as sha256:<64 hex>")
        }
        let algorithm = bytes[bytes.startIndex ..< colon]
        let encoded = bytes[bytes.index(after: colon)...]
        guard !algorithm.isEmpty else { throw fail("digest has no algorithm before ':'") }
        guard !encoded.isEmpty else { throw fail("digest has nothing after '\(String(decoding: algorithm, as: UTF8.self)):'") }

        var previousWasSeparator = true  // a separator may not lead, trail or repeat
        for byte in algorithm {
            if Self.isLowerAlphanumeric(byte) {
                previousWasSeparator = false
            } else if Self.isAlgorithmSeparator(byte), !previousWasSeparator {
                previousWasSeparator = true
            } else {
                throw fail("digest algorithm must be lowercase letters and digits joined by one of + . _ -")
            }
        }
        guard !previousWasSeparator else {
            throw fail("digest algorithm must not end with a separator")
        }
        for byte in encoded where !Self.isEncodedCharacter(byte) {
            throw fail("digest encoding may contain only letters, digits, '=', '_' and '-'")
        }

        let algorithmText = String(decoding: algorithm, as: UTF8.self)
        if let hexLength = Self.registeredHexLengths[algorithmText] {
            guard encoded.allSatisfy(Self.isLowerHex) else {
                throw fail("\(algorithmText) digest must be lowercase hex")
            }
            guard encoded.count == hexLength else {
                throw fail("\(algorithmText) digest needs \(hexLength) hex characters, got \(encoded.count)")
            }
        }
        self.algorithm = algorithmText
        self.encoded = String(decoding: encoded, as: UTF8.self)
        self.description = text
    }

    /// Registered algorithms whose encoded part is fixed-length lowercase hex.
    static let registeredHexLengths = ["sha256": 64, "sha512": 128]

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

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw error.decodingError(at: decoder.codingPath)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
