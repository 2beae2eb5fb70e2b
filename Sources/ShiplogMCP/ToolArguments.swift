import MCP
import ShiplogCore

/// A call's arguments, held to the tool's declared ones: an unknown name, a wrong type or a missing
/// required argument is an input error naming the argument, as a bad flag is on the CLI.
struct ToolArguments: Sendable {
    private let values: [String: Value]

    init(_ values: [String: Value]?, declared: [ToolArgument]) throws(LedgerError) {
        let values = values ?? [:]
        for name in values.keys.sorted() where !declared.contains(where: { $0.name == name }) {
            let known = declared.map(\.name).joined(separator: ", ")
            throw .invalidInput(InvalidInput(field: name, reason: "unknown argument (this tool takes: \(known.isEmpty ? "none" : known))"))
        }
        for argument in declared {
            guard let value = values[argument.name], value != .null else {
                if argument.required { throw .invalidInput(InvalidInput(field: argument.name, reason: "required")) }
                continue
            }
            switch (argument.kind, value) {
            case (.string, .string(let text)):
                if !argument.choices.isEmpty, !argument.choices.contains(text) {
                    throw .invalidInput(InvalidInput(field: argument.name, value: text,
                                                     reason: "expected one of \(argument.choices.joined(separator: ", "))"))
                }
            case (.integer, .int(let number)) where number >= 1: break
            case (.integer, .double(let number)) where number >= 1 && number == number.rounded() && number < 1e15: break
            case (.boolean, .bool): break
            default:
                throw .invalidInput(InvalidInput(field: argument.name, value: Self.text(of: value),
                                                 reason: argument.kind == .integer ? "expected a whole number of at least 1" : "expected a \(argument.kind.rawValue)"))
            }
        }
        self.values = values
    }

    func string(_ name: String) -> String? {
        if case let .string(text)? = values[name] { return text }
        return nil
    }

    /// A required string: `init` has already refused a call without it.
    func required(_ name: String) -> String { string(name) ?? "" }

    func integer(_ name: String) -> Int? {
        switch values[name] {
        case let .int(number)?: number
        case let .double(number)?: Int(number)
        default: nil
        }
    }

    func flag(_ name: String) -> Bool {
        if case let .bool(value)? = values[name] { return value }
        return false
    }

    private static func text(of value: Value) -> String {
        switch value {
        case let .string(text): text
        case let .int(number): String(number)
        case let .double(number): String(number)
        case let .bool(flag): String(flag)
        case .null: "null"
        case .array: "an array"
        case .object: "an object"
        case .data: "data"
        }
    }
}
