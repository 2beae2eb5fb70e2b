/// A deployable unit's name: `[a-z0-9][a-z0-9._-]{0,62}`.
package enum ServiceName {
    package static func validate(_ text: String) throws(ValueError) -> String {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, Digest.isLowerAlphanumeric(first), bytes.count <= 63,
              bytes.allSatisfy({ Digest.isLowerAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") })
        else {
            throw ValueError(value: text, reason: "service name must match [a-z0-9][a-z0-9._-]{0,62}")
        }
        return text
    }
}
