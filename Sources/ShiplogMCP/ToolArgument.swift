import MCP

/// One argument a tool takes, named as the contract names the field (`environment`, `image`, `from`).
struct ToolArgument: Sendable {
    enum Kind: String, Sendable { case string, integer, boolean }

    let name: String
    let kind: Kind
    let description: String
    var required = false
    /// The only values it takes (a period), listed in the schema so a model picks one.
    var choices: [String] = []

    static func required(_ name: String, _ description: String) -> ToolArgument {
        ToolArgument(name: name, kind: .string, description: description, required: true)
    }

    static func optional(_ name: String, _ description: String, kind: Kind = .string, choices: [String] = []) -> ToolArgument {
        ToolArgument(name: name, kind: kind, description: description, choices: choices)
    }

    /// Its JSON Schema, as `tools/list` gives it.
    var schema: Value {
        var schema: [String: Value] = ["type": .string(kind.rawValue), "description": .string(description)]
        if !choices.isEmpty { schema["enum"] = .array(choices.map(Value.string)) }
        if kind == .integer { schema["minimum"] = .int(1) }
        return .object(schema)
    }
}
