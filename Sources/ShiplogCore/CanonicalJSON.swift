/// One place for the canonical text of small JSON values the ledger stores: compact, keys sorted by
/// their UTF-8 bytes, strings escaped minimally. The same input always yields the same bytes.
package enum CanonicalJSON {
    package static func object(_ members: [String: String]) -> String {
        if members.isEmpty { return "{}" }
        var writer = CanonicalWriter(capacity: members.reduce(2) { $0 + $1.key.utf8.count + $1.value.utf8.count + 6 })
        writer.write(.object(members.map { ($0.key, .string($0.value)) }))
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// A JSON string literal. `htmlSafe` also escapes `<`, `>`, `&`, U+2028 and U+2029 as Go's
    /// `encoding/json` does (cosign's payload bytes depend on it).
    package static func string(_ value: String, htmlSafe: Bool = false) -> String {
        // Nearly every value is plain text: no quote, backslash or control character to escape.
        if !htmlSafe, !needsEscaping(value) {
            return "\"" + value + "\""
        }
        var text = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case _ where htmlSafe && Self.htmlSensitive.contains(scalar):
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\u{08}": text += "\\b"
            case "\u{0C}": text += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        return text + "\""
    }

    static let htmlSensitive: Set<Unicode.Scalar> = ["<", ">", "&", "\u{2028}", "\u{2029}"]

    /// True when the text holds a quote, a backslash or a control character.
    static func needsEscaping(_ value: String) -> Bool {
        // Over the UTF-8 buffer: several times faster than the view, and this runs per string written.
        var bytes = value
        return bytes.withUTF8 { $0.contains(where: needsEscaping) }
    }

    static func needsEscaping(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }
}
