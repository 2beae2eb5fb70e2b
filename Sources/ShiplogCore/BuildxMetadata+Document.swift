import CcJSON
import Foundation

extension BuildxMetadata {
    /// A metadata file as read: the top-level members that are objects (bake targets), and the rest.
    /// Members are kept as read, in lists: a bake file has thousands of targets of a few members each,
    /// and building a dictionary of each costs more than the few lookups made in it.
    struct Document: Decodable {
        var objects: [(name: String, value: Object)] = []
        var rest = Object()

        /// The whole top level as one build result (the single-build form).
        var asResult: Object {
            var result = rest
            result.others += objects.map { ($0.name, $0.value.jsonValue) }
            return result
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: MemberName.self)
            // In name order, so that of several bad members the error names the same one every time (the
            // decoder's order is its dictionary's); allKeys builds the array anew at each call.
            let keys = container.allKeys.sorted { $0.stringValue < $1.stringValue }
            objects.reserveCapacity(keys.count)
            for key in keys {
                // Nearly every member of a bake file is a target object, so that is tried first (each
                // failed attempt of Codable's builds an error value).
                if let members = try? container.nestedContainer(keyedBy: MemberName.self, forKey: key) {
                    objects.append((key.stringValue, try Object(members)))
                } else {
                    rest.add(try container.decode(JSONValue.self, forKey: key), named: key.stringValue)
                }
            }
        }
    }

    /// A JSON object's members with the string values apart: nearly every member of a build result is a
    /// string, and reading those straight as strings halves the cost of a bake file of many targets.
    /// Member names are unique: the decoder keeps one value per name.
    struct Object {
        var strings: [(name: String, value: String)] = []
        var others: [(name: String, value: JSONValue)] = []

        init() {}

        init(_ container: KeyedDecodingContainer<MemberName>) throws {
            let keys = container.allKeys.sorted { $0.stringValue < $1.stringValue }  // as in Document
            strings.reserveCapacity(keys.count)
            for key in keys {
                if let text = try? container.decode(String.self, forKey: key) {
                    strings.append((key.stringValue, text))
                } else {
                    others.append((key.stringValue, try container.decode(JSONValue.self, forKey: key)))
                }
            }
        }

        mutating func add(_ value: JSONValue, named name: String) {
            if case let .string(text) = value { strings.append((name, text)) } else { others.append((name, value)) }
        }

        func string(_ name: String) -> String? { strings.first { $0.name == name }?.value }

        func other(_ name: String) -> JSONValue? { others.first { $0.name == name }?.value }

        subscript(name: String) -> JSONValue? { string(name).map(JSONValue.string) ?? other(name) }

        var jsonValue: JSONValue {
            .object(Dictionary(strings.map { ($0.name, JSONValue.string($0.value)) } + others) { first, _ in first })
        }
    }
}

// MARK: - Reading with cJSON

extension BuildxMetadata.Document {
    /// Reads the file with cJSON, which builds its tree of a 10,000-target bake file in a few
    /// milliseconds where JSONDecoder's containers take fifty.
    ///
    /// JSONDecoder still scans the file first (decoding a type that reads nothing), and what its scan
    /// leaves to decoding each value is checked here (UTF-8, control characters and escapes in strings,
    /// number syntax), so cJSON never accepts what JSONDecoder refuses; a test damages files at random to
    /// hold it to that. Nil wherever the two could read a valid file differently, and the caller decodes
    /// it with JSONDecoder instead: a `\u0000` escape (cJSON's strings end at NUL), a name repeated in one
    /// object (which one wins is the decoder's business), or a number where it could become a label
    /// (cJSON keeps only a double).
    init?(cJSON data: Data) {
        guard (try? JSONDecoder().decode(Scanned.self, from: data)) != nil else { return nil }
        guard let document = ParseArena.parsing({ Self(reading: data) }) else { return nil }
        self = document
    }

    /// The reading itself, inside a parse arena: cJSON's tree is freed with it.
    private init?(reading data: Data) {
        let root: UnsafeMutablePointer<cJSON>? = data.withUnsafeBytes { buffer in
            let bytes = buffer.bindMemory(to: UInt8.self)
            guard let base = bytes.baseAddress, String(validating: bytes, as: UTF8.self) != nil,
                  Self.passesLateChecks(bytes) else { return nil }
            return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { cJSON_ParseWithLength($0, bytes.count) }
        }
        guard let root, root.pointee.type & 0xFF == cJSON_Object else { return nil }

        var member = root.pointee.child
        while let node = member {
            member = node.pointee.next
            guard let name = Self.name(of: node), rest[name] == nil else { return nil }
            if node.pointee.type & 0xFF == cJSON_Object {
                guard let object = BuildxMetadata.Object(cJSON: node) else { return nil }
                objects.append((name, object))
            } else {
                guard let value = Self.value(of: node, depth: 1) else { return nil }
                rest.add(value, named: name)
            }
        }
        // Targets in name order, as the builds are made; a repeated name shows as two neighbours.
        objects.sort { $0.name < $1.name }
        guard zip(objects, objects.dropFirst()).allSatisfy({ $0.name != $1.name }),
              !objects.contains(where: { rest[$0.name] != nil }) else { return nil }
    }

    /// Decodes nothing: JSONDecoder scans and checks the whole document before any `init(from:)` runs.
    private struct Scanned: Decodable {
        init(from decoder: any Decoder) {}
    }

    /// One pass over the text for what JSONDecoder's scan lets through and refuses only when it decodes the
    /// value, and cJSON reads (found by damaging files at random, `BuildxReadersTests`): a control character
    /// inside a string, an escape other than JSON's (cJSON reads `\u` and four non-hex characters as NUL),
    /// and a number outside JSON's grammar (`06`, `1.`, `-01`, `1.e5`). And a `\u0000` escape, which
    /// cJSON cannot hold. Surrogates, literals and the structure are the scan's and cJSON's to refuse.
    static func passesLateChecks(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        let escapes = Array(#""\/bfnrt"#.utf8)
        var inString = false
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if byte == backslash {
                    guard index + 1 < bytes.count else { return false }
                    if bytes[index + 1] == UInt8(ascii: "u") {
                        let hex = bytes[min(index + 2, bytes.count) ..< min(index + 6, bytes.count)]
                        guard hex.count == 4, hex.allSatisfy(isHexDigit), !hex.allSatisfy({ $0 == UInt8(ascii: "0") }) else { return false }
                        index += 6
                    } else {
                        guard escapes.contains(bytes[index + 1]) else { return false }
                        index += 2  // past the escaped character, which may be a quote or a backslash
                    }
                    continue
                }
                if byte == quote { inString = false } else if byte < 0x20 { return false }
            } else if byte == quote {
                inString = true
            } else if byte == UInt8(ascii: "-") || isDigit(byte) {
                guard let end = numberEnd(bytes, from: index) else { return false }
                index = end
                continue
            }
            index += 1
        }
        return true
    }

    /// Where the number starting at `start` ends, or nil when it is not `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    /// followed by something that is not part of a number.
    static func numberEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start
        func at(_ test: (UInt8) -> Bool) -> Bool { index < bytes.count && test(bytes[index]) }
        func digits() -> Bool {
            guard at(isDigit) else { return false }
            while at(isDigit) { index += 1 }
            return true
        }
        if at({ $0 == UInt8(ascii: "-") }) { index += 1 }
        if at({ $0 == UInt8(ascii: "0") }) { index += 1 } else if !digits() { return nil }
        if at({ $0 == UInt8(ascii: ".") }) {
            index += 1
            guard digits() else { return nil }
        }
        if at({ $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            index += 1
            if at({ $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }) { index += 1 }
            guard digits() else { return nil }
        }
        let partOfNumber: (UInt8) -> Bool = { isDigit($0) || Array("+-.eE".utf8).contains($0) }
        return at(partOfNumber) ? nil : index
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }

    static func name(of node: UnsafeMutablePointer<cJSON>) -> String? {
        node.pointee.string.map { String(cString: $0) }
    }

    /// A node as a JSONValue; nil where cJSON's reading may differ from JSONDecoder's (see above).
    /// `depth` 1 is a top-level member: numbers there and one level down may become labels.
    static func value(of node: UnsafeMutablePointer<cJSON>, depth: Int) -> JSONValue? {
        switch node.pointee.type & 0xFF {
        case cJSON_NULL: return .null
        case cJSON_False: return .bool(false)
        case cJSON_True: return .bool(true)
        case cJSON_String: return node.pointee.valuestring.map { .string(String(cString: $0)) }
        case cJSON_Number:
            // Deeper numbers (a descriptor's size) are never read, only carried.
            let number = node.pointee.valuedouble
            guard depth > 2, number.isFinite else { return nil }  // JSONDecoder refuses 1e400
            return number.rounded() == number && abs(number) < 0x1p53 ? .integer(Int64(number)) : .number(number)
        case cJSON_Array:
            var values: [JSONValue] = []
            var element = node.pointee.child
            while let item = element {
                element = item.pointee.next
                guard let value = value(of: item, depth: depth + 1) else { return nil }
                values.append(value)
            }
            return .array(values)
        case cJSON_Object:
            var members: [String: JSONValue] = [:]
            var element = node.pointee.child
            while let item = element {
                element = item.pointee.next
                guard let name = name(of: item), members[name] == nil, let value = value(of: item, depth: depth + 1) else { return nil }
                members[name] = value
            }
            return .object(members)
        default: return nil
        }
    }
}

extension BuildxMetadata.Object {
    /// A top-level object's members (a bake target's result); nil as for ``BuildxMetadata/Document/init(cJSON:)``.
    init?(cJSON node: UnsafeMutablePointer<cJSON>) {
        // A result has a handful of members, where a scan beats hashing; a set keeps a huge one linear.
        var names = Set<String>()
        var member = node.pointee.child
        while let item = member {
            member = item.pointee.next
            guard let name = BuildxMetadata.Document.name(of: item) else { return nil }
            let count = strings.count + others.count
            if count == 16 { names = Set(strings.map(\.name) + others.map(\.name)) }
            let repeated = count < 16 ? strings.contains { $0.name == name } || others.contains { $0.name == name }
                                      : !names.insert(name).inserted
            guard !repeated else { return nil }
            if item.pointee.type & 0xFF == cJSON_String, let text = item.pointee.valuestring {
                strings.append((name, String(cString: text)))
            } else {
                guard let value = BuildxMetadata.Document.value(of: item, depth: 2) else { return nil }
                others.append((name, value))
            }
        }
    }
}

extension BuildxMetadata {
    /// Whether the cJSON path reads this file, for the tests of where it must decline.
    package static func cJSONReads(_ data: Data) -> Bool { Document(cJSON: data) != nil }
}
