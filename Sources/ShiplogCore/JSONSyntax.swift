import Foundation

/// A strict RFC 8259 reading of a document before it is decoded.
///
/// Foundation's JSONDecoder keeps the first of two equal keys (jq and Python keep the last: two readers
/// of one file would disagree), and it reports an overflowing number, invalid UTF-8, a lone surrogate
/// and deep nesting all as "not valid JSON" with no place. This pass refuses each of them, naming the
/// field and the line and column. It allocates nothing for a valid document but a stack of its keys.
package enum JSONSyntax {
    /// Deeper documents are refused: none of the formats shiplog reads nests past a dozen levels.
    package static let maximumDepth = 64

    package struct Failure: Error, Sendable, Equatable {
        /// The JSON path of the value being read, such as `services[2].digest`.
        package var path: String?
        package var line: Int
        package var column: Int
        package var reason: String
    }

    package static func check(_ bytes: UnsafeRawBufferPointer) throws(Failure) {
        var scanner = Scanner(bytes: bytes.bindMemory(to: UInt8.self))
        try scanner.document()
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0
        /// Per open container: the key (its byte range, for an object) or the index being read.
        var steps: [Step] = []
        /// Where the keys that hold escapes start: the rest compare as bytes.
        var escapedKeys: Set<Int> = []
        /// Whether the last string read held an escape.
        var lastStringEscaped = false
        /// The keys already seen in the open objects, as byte ranges into `bytes`, innermost last: one
        /// buffer for the whole document, so that an object's keys cost no allocation of their own.
        var keys: [Range<Int>] = []
        /// Per open object: where its keys start in `keys`, and, once it has many (a bake file's top level has
        /// one per target, thousands), its keys by hash.
        var objects: [(firstKey: Int, byHash: [Int: [Range<Int>]]?)] = []

        enum Step {
            /// Between an object's members: the path is the object's.
            case between
            case key(Range<Int>)
            case index(Int)
        }

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        mutating func document() throws(Failure) {
            // A UTF-8 byte order mark is no part of JSON, but editors write one and JSONDecoder skips it.
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
            try value(depth: 0)
            skipWhitespace()
            if position < bytes.count { throw syntax("unexpected text after the document") }
        }

        mutating func value(depth: Int) throws(Failure) {
            skipWhitespace()
            guard position < bytes.count else { throw syntax("the document ends early") }
            switch bytes[position] {
            case UInt8(ascii: "{"): try object(depth: depth + 1)
            case UInt8(ascii: "["): try array(depth: depth + 1)
            case UInt8(ascii: "\""): _ = try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0") ... UInt8(ascii: "9"): try number()
            default: throw syntax("unexpected \(shown(bytes[position])) where a value belongs")
            }
        }

        mutating func object(depth: Int) throws(Failure) {
            guard depth <= JSONSyntax.maximumDepth else { throw fail("nested deeper than \(JSONSyntax.maximumDepth) levels") }
            position += 1
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                position += 1
                return
            }
            objects.append((keys.count, nil))
            defer { keys.removeSubrange(objects.removeLast().firstKey...) }
            steps.append(.index(0))
            defer { steps.removeLast() }
            while true {
                steps[steps.count - 1] = .between
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw syntax("expected a key in quotes") }
                let key = try string()
                if lastStringEscaped { escapedKeys.insert(key.lowerBound) }
                if let earlier = earlierKey(equalTo: key) {
                    steps[steps.count - 1] = .key(earlier)
                    throw fail("the key appears twice in one object (readers disagree on which one counts)")
                }
                steps[steps.count - 1] = .key(key)
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw syntax("expected ':' after the key") }
                position += 1
                try value(depth: depth)
                skipWhitespace()
                guard position < bytes.count else { throw syntax("the document ends early: an object is not closed") }
                if bytes[position] == UInt8(ascii: ",") {
                    position += 1
                } else if bytes[position] == UInt8(ascii: "}") {
                    position += 1
                    return
                } else {
                    throw syntax("expected ',' or '}' but found \(shown(bytes[position]))")
                }
            }
        }

        mutating func array(depth: Int) throws(Failure) {
            guard depth <= JSONSyntax.maximumDepth else { throw fail("nested deeper than \(JSONSyntax.maximumDepth) levels") }
            position += 1
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                position += 1
                return
            }
            steps.append(.index(0))
            defer { steps.removeLast() }
            var index = 0
            while true {
                steps[steps.count - 1] = .index(index)
                try value(depth: depth)
                skipWhitespace()
                guard position < bytes.count else { throw syntax("the document ends early: an array is not closed") }
                if bytes[position] == UInt8(ascii: ",") {
                    position += 1
                    index += 1
                } else if bytes[position] == UInt8(ascii: "]") {
                    position += 1
                    return
                } else {
                    throw syntax("expected ',' or ']' but found \(shown(bytes[position]))")
                }
            }
        }

        /// Reads a string; returns the range of its contents (between the quotes).
        mutating func string() throws(Failure) -> Range<Int> {
            position += 1
            let start = position
            lastStringEscaped = false
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    position += 1
                    return start ..< position - 1
                } else if byte == UInt8(ascii: "\\") {
                    lastStringEscaped = true
                    try escape()
                } else if byte < 0x20 {
                    throw syntax("a control character (\(hex(UInt32(byte)))) inside a string must be escaped")
                } else if byte < 0x80 {
                    position += 1
                } else {
                    try multibyte()
                }
            }
            throw syntax("the document ends early: a string is not closed")
        }

        mutating func escape() throws(Failure) {
            guard position + 1 < bytes.count else { throw syntax("the document ends early: a string is not closed") }
            switch bytes[position + 1] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                 UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                position += 2
            case UInt8(ascii: "u"):
                let unit = try hexUnit(at: position + 2)
                position += 6
                if (0xDC00 ... 0xDFFF).contains(unit) { throw syntax("a lone surrogate (\\u\(hex4(unit))) is not a character") }
                if (0xD800 ... 0xDBFF).contains(unit) {
                    // A high surrogate must be followed at once by a low one: together they are one character.
                    guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u"),
                          let low = try? hexUnit(at: position + 2), (0xDC00 ... 0xDFFF).contains(low) else {
                        throw syntax("a lone surrogate (\\u\(hex4(unit))) is not a character")
                    }
                    position += 6
                }
            default:
                throw syntax("\\\(Character(Unicode.Scalar(bytes[position + 1]))) is not an escape JSON knows")
            }
        }

        func hexUnit(at offset: Int) throws(Failure) -> UInt32 {
            guard offset + 4 <= bytes.count else { throw syntax("the document ends early: a \\u escape needs four hex digits") }
            var unit: UInt32 = 0
            for byte in bytes[offset ..< offset + 4] {
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0") ... UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a") ... UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A") ... UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw syntax("a \\u escape needs four hex digits")
                }
                unit = unit << 4 | digit
            }
            return unit
        }

        /// One UTF-8 sequence of two to four bytes: no overlong forms, no surrogates, nothing past U+10FFFF.
        mutating func multibyte() throws(Failure) {
            let lead = bytes[position]
            let length: Int
            var scalar: UInt32
            switch lead {
            case 0xC2 ... 0xDF: length = 2; scalar = UInt32(lead & 0x1F)
            case 0xE0 ... 0xEF: length = 3; scalar = UInt32(lead & 0x0F)
            case 0xF0 ... 0xF4: length = 4; scalar = UInt32(lead & 0x07)
            default: throw fail("not valid UTF-8 (byte 0x\(String(lead, radix: 16, uppercase: true)))")
            }
            guard position + length <= bytes.count else { throw fail("not valid UTF-8 (a character is cut off)") }
            for offset in 1 ..< length {
                let byte = bytes[position + offset]
                guard byte & 0xC0 == 0x80 else { throw fail("not valid UTF-8 (byte 0x\(String(byte, radix: 16, uppercase: true)))") }
                scalar = scalar << 6 | UInt32(byte & 0x3F)
            }
            let smallest: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
            guard scalar >= smallest, scalar <= 0x10FFFF, !(0xD800 ... 0xDFFF).contains(scalar) else {
                throw fail("not valid UTF-8 (an overlong form, a surrogate or a value past U+10FFFF)")
            }
            position += length
        }

        mutating func number() throws(Failure) {
            let start = position
            if bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard position < bytes.count, isDigit(bytes[position]) else { throw syntax("a number needs a digit after '-'") }
            if bytes[position] == UInt8(ascii: "0") {
                position += 1
                if position < bytes.count, isDigit(bytes[position]) { throw syntax("a number may not start with 0") }
            } else {
                while position < bytes.count, isDigit(bytes[position]) { position += 1 }
            }
            var isWhole = true
            if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
                isWhole = false
                position += 1
                guard position < bytes.count, isDigit(bytes[position]) else { throw syntax("a number needs a digit after '.'") }
                while position < bytes.count, isDigit(bytes[position]) { position += 1 }
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
                isWhole = false
                position += 1
                if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
                guard position < bytes.count, isDigit(bytes[position]) else { throw syntax("a number needs a digit in its exponent") }
                while position < bytes.count, isDigit(bytes[position]) { position += 1 }
            }
            // Whole numbers of up to 18 digits always fit; anything else is measured as a Double.
            if isWhole, position - start <= 18 { return }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start ..< position]), as: UTF8.self)
            guard let parsed = Double(text), parsed.isFinite else {
                throw fail("the number \(text.prefix(40)) is out of range (beyond ±1.8e308)")
            }
        }

        mutating func literal(_ word: StaticString) throws(Failure) {
            let count = word.utf8CodeUnitCount
            let expected = UnsafeBufferPointer(start: word.utf8Start, count: count)
            guard position + count <= bytes.count, bytes[position ..< position + count].elementsEqual(expected) else {
                throw syntax("unexpected \(shown(bytes[position])) where a value belongs")
            }
            position += count
        }

        mutating func skipWhitespace() {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x0A, 0x0D, 0x09: position += 1
                default: return
                }
            }
        }

        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        /// The same key seen before in the innermost open object, or nil (and then `key` is remembered).
        mutating func earlierKey(equalTo key: Range<Int>) -> Range<Int>? {
            let last = objects.count - 1
            let first = objects[last].firstKey
            if objects[last].byHash == nil {
                for index in first ..< keys.count where sameKey(keys[index], key) { return keys[index] }
                keys.append(key)
                if keys.count - first > 16 {
                    var table: [Int: [Range<Int>]] = [:]
                    for range in keys[first...] { table[keyHash(range), default: []].append(range) }
                    objects[last].byHash = table
                }
                return nil
            }
            let hash = keyHash(key)
            if let earlier = objects[last].byHash?[hash]?.first(where: { sameKey($0, key) }) { return earlier }
            objects[last].byHash?[hash, default: []].append(key)
            return nil
        }

        func keyHash(_ range: Range<Int>) -> Int {
            var hasher = Hasher()
            let raw = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[range])
            if escapedKeys.contains(range.lowerBound) {
                // Hashed as the bytes of its text, as a key without escapes is.
                Array(decodedKey(range).utf8).withUnsafeBytes { hasher.combine(bytes: $0) }
            } else {
                hasher.combine(bytes: raw)
            }
            return hasher.finalize()
        }

        /// Two keys are the same when they decode to the same text; most have no escapes and compare as bytes.
        func sameKey(_ one: Range<Int>, _ other: Range<Int>) -> Bool {
            if escapedKeys.isEmpty || (!escapedKeys.contains(one.lowerBound) && !escapedKeys.contains(other.lowerBound)) {
                return one.count == other.count && bytes[one].elementsEqual(bytes[other])
            }
            return decodedKey(one) == decodedKey(other)
        }

        /// A key's text, escapes resolved (only for keys that have some).
        func decodedKey(_ range: Range<Int>) -> String {
            let quoted = "\"" + String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) + "\""
            return (try? JSONDecoder().decode(String.self, from: Data(quoted.utf8))) ?? quoted
        }

        func syntax(_ reason: String) -> Failure { fail("not valid JSON: " + reason) }

        func fail(_ reason: String) -> Failure {
            var line = 1
            var lineStart = 0
            for index in 0 ..< min(position, bytes.count) where bytes[index] == 0x0A {
                line += 1
                lineStart = index + 1
            }
            return Failure(path: path(), line: line, column: position - lineStart + 1, reason: reason)
        }

        func path() -> String? {
            var text = ""
            for step in steps {
                switch step {
                case .between: break
                case let .index(index): text += "[\(index)]"
                case let .key(range): text += (text.isEmpty ? "" : ".") + decodedKey(range)
                }
            }
            return text.isEmpty ? nil : text
        }

        func shown(_ byte: UInt8) -> String {
            byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16, uppercase: true))"
        }

        func hex(_ value: UInt32) -> String { "U+" + hex4(value) }

        func hex4(_ value: UInt32) -> String {
            let digits = String(value, radix: 16, uppercase: true)
            return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        }
    }
}
