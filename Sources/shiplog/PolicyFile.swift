import Foundation
import ShiplogApp
import ShiplogCore
import Yams

/// A policy file as a person writes it: JSON, or YAML read as YAML 1.2's core schema (`yes`, `on` and dates stay
/// strings; only `true`/`false` are booleans), with no aliases. Converted to the JSON form the application reads.
enum PolicyFile {
    static func read(_ path: String, global: GlobalOptions) throws(LedgerError) -> JSONValue {
        let data = try global.read(path)
        let source = path == "-" ? "-" : path
        let first = data.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        if first == UInt8(ascii: "{") {
            do { return try JSONInput.value(from: data, source: source) } catch { throw .invalidInput(error) }
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .invalidInput(InvalidInput(source: source, reason: "not UTF-8 text"))
        }
        let node: Node?
        do { node = try Yams.compose(yaml: text, try resolver()) } catch {
            throw .invalidInput(InvalidInput(source: source, reason: "not YAML or JSON: \(Self.firstLine(of: error))"))
        }
        guard let node else { throw .invalidInput(InvalidInput(source: source, reason: "the file is empty")) }
        do { return try value(node, at: "") } catch { throw .invalidInput(InvalidInput(source: source, field: error.field, reason: error.reason)) }
    }

    struct Unsupported: Error {
        var field: String?
        var reason: String
    }

    static func value(_ node: Node, at path: String) throws(Unsupported) -> JSONValue {
        switch node {
        case let .scalar(scalar):
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null: return .null
            case .bool: return .bool(node.bool ?? false)
            case .int:
                guard let number = Int64(scalar.string.replacingOccurrences(of: "_", with: "")) else {
                    throw Unsupported(field: path.isEmpty ? nil : path, reason: "\(scalar.string) is not a whole number shiplog can hold")
                }
                return .integer(number)
            case .float: return .number(node.float ?? 0)
            default: return .string(scalar.string)
            }
        case let .mapping(mapping):
            var members: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard case let .scalar(name) = key else { throw Unsupported(field: path.isEmpty ? nil : path, reason: "a key must be a plain string") }
                let place = path.isEmpty ? name.string : "\(path).\(name.string)"
                guard members[name.string] == nil else { throw Unsupported(field: place, reason: "the key is given twice") }
                members[name.string] = try Self.value(value, at: place)
            }
            return .object(members)
        case let .sequence(sequence):
            var items: [JSONValue] = []
            for (index, item) in sequence.enumerated() { items.append(try value(item, at: "\(path)[\(index)]")) }
            return .array(items)
        case .alias:
            throw Unsupported(field: path.isEmpty ? nil : path, reason: "YAML aliases are not supported in a policy")
        }
    }

    /// YAML 1.2's core schema: booleans are only true/false, and no timestamps or merge keys.
    static func resolver() throws -> Resolver {
        try Resolver.default.removing(.timestamp).removing(.merge).removing(.value)
            .replacing(.bool, with: "^(?:true|True|TRUE|false|False|FALSE)$")
    }

    static func firstLine(of error: any Error) -> String {
        String(String(describing: error).split(separator: "\n").first ?? "")
    }
}
