import Foundation

/// Standard base64 (RFC 4648 §4), strict on input: padding required, no whitespace inside.
package enum Base64 {
    package static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    package static func decode(_ text: String) -> [UInt8]? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.utf8.count % 4 == 0, let data = Data(base64Encoded: trimmed) else { return nil }
        return Array(data)
    }
}
