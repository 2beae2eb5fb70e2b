/// A migration file split into its statements: PostgresNIO speaks only the extended query protocol, which takes one
/// statement at a time. Splits at `;` outside quotes, dollar-quoted bodies (`$$ … $$`, `$tag$ … $tag$`) and comments.
enum SQLScript {
    static func statements(_ script: String) -> [String] {
        let text = Array(script.utf8)
        var statements: [String] = []
        var start = 0
        var index = 0
        func at(_ offset: Int) -> UInt8? { index + offset < text.count ? text[index + offset] : nil }
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: "-"), at(1) == UInt8(ascii: "-") {
                while index < text.count, text[index] != UInt8(ascii: "\n") { index += 1 }
            } else if byte == UInt8(ascii: "'") {
                index += 1
                while index < text.count {
                    if text[index] == UInt8(ascii: "'") {
                        if at(1) == UInt8(ascii: "'") { index += 2; continue }
                        break
                    }
                    index += 1
                }
                index += 1
            } else if byte == UInt8(ascii: "$"), let close = text[(index + 1)...].firstIndex(of: UInt8(ascii: "$")),
                      text[(index + 1) ..< close].allSatisfy({ $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0) || (0x41...0x5a).contains($0 & 0xdf) }) {
                let tag = Array(text[index ... close])
                index = close + 1
                while index < text.count, !text[index...].starts(with: tag) { index += 1 }
                index += tag.count
            } else if byte == UInt8(ascii: ";") {
                append(text[start ..< index])
                start = index + 1
                index += 1
            } else {
                index += 1
            }
        }
        append(text[min(start, text.count)...])
        return statements

        func append(_ bytes: ArraySlice<UInt8>) {
            let statement = String(decoding: bytes, as: UTF8.self)
            // A piece with nothing but comments and blank lines is no statement.
            let meaningful = statement.split(separator: "\n").contains { line in
                let trimmed = line.drop { $0 == " " || $0 == "\t" || $0 == "\r" }
                return !trimmed.isEmpty && !trimmed.hasPrefix("--")
            }
            if meaningful { statements.append(statement) }
        }
    }
}
