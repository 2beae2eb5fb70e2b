/// Any JSON value, for formats whose keys are not known ahead (buildx metadata, labels, descriptors).
package enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    package init(from decoder: any Decoder) throws {
        // Codable cannot peek at a value's type, and every failed attempt builds an error: try the
        // types in the order they are common in the files shiplog reads (strings and objects first).
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
            return
        }
        let string = Result { try container.decode(String.self) }
        if case let .success(value) = string {
            self = .string(value)
        } else if let members = try? decoder.container(keyedBy: MemberName.self) {
            // In name order, so that of several bad members the error names the same one every time (the
            // decoder's order is its dictionary's); allKeys builds the array anew at each call.
            let keys = members.allKeys.sorted { $0.stringValue < $1.stringValue }
            var object: [String: JSONValue] = [:]
            object.reserveCapacity(keys.count)
            for key in keys { object[key.stringValue] = try members.decode(JSONValue.self, forKey: key) }
            self = .object(object)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else {
            do {
                self = .number(try container.decode(Double.self))
            } catch {
                // A string the decoder cannot read fails as every other type too, and "expected a number"
                // would mislead: its own failure is not a type mismatch (Foundation's, for bytes that are not
                // UTF-8, is an internal JSONError without the field).
                if case let .failure(failure) = string {
                    if let mismatch = failure as? DecodingError, case .typeMismatch = mismatch { throw error }
                    throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                            debugDescription: "the string is not valid UTF-8", underlyingError: failure))
                }
                throw error
            }
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case let .bool(value): try container.encode(value)
        case let .integer(value): try container.encode(value)
        case let .number(value): try container.encode(value)
        case let .string(value): try container.encode(value)
        case let .array(value): try container.encode(value)
        case let .object(value): try container.encode(value)
        }
    }

    package subscript(key: String) -> JSONValue? {
        if case let .object(members) = self { return members[key] }
        return nil
    }

    package var stringValue: String? {
        if case let .string(value) = self { return value }
        return nil
    }

    package var objectValue: [String: JSONValue]? {
        if case let .object(value) = self { return value }
        return nil
    }

    package var arrayValue: [JSONValue]? {
        if case let .array(value) = self { return value }
        return nil
    }

    /// The array under `key`; empty when it is absent or not an array (reading the contract's documents).
    package func items(_ key: String) -> [JSONValue] { self[key]?.arrayValue ?? [] }

    /// A field as plain text for a table or a summary: `missing` when absent, null or a container.
    package func text(_ key: String, missing: String = "-") -> String {
        switch self[key] {
        case let .string(value)?: value
        case let .integer(value)?: String(value)
        case let .number(value)?: String(value)
        case let .bool(value)?: value ? "yes" : "no"
        default: missing
        }
    }

    /// The JSON type's name, for error messages ("expected a string, got number").
    package var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer, .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// A short rendering of the value for error messages.
    package var shortText: String {
        switch self {
        case .null: "null"
        case let .bool(value): String(value)
        case let .integer(value): String(value)
        case let .number(value): String(value)
        case let .string(value): value
        case .array: "[…]"
        case .object: "{…}"
        }
    }
}

/// An object member's name as a coding key. Decoding through it rather than as `[String: T]` spares the
/// standard library's dictionary key, which tries to read every name as an integer first.
struct MemberName: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
