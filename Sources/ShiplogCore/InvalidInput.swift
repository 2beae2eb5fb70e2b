/// Bad input, with what a user needs to fix it: where it came from, which field, and the offending value.
///
/// The CLI prints `description` as its one-line reason and exits 65; the server answers 4xx with it.
package struct InvalidInput: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (or `-` for standard input, or `request body`) the value came from.
    package var source: String?
    /// A JSON path such as `services[2].digest`, or a flag such as `--digest`.
    package var field: String?
    /// The offending value, as given.
    package var value: String?
    package var reason: String

    package init(source: String? = nil, field: String? = nil, value: String? = nil, reason: String) {
        self.source = source
        self.field = field
        self.value = value
        self.reason = reason
    }

    /// The same input error with its field named as a door names it (the CLI's flags). A field of a file
    /// (an error with a source) keeps the file's own name.
    package func naming(_ names: [String: String]) -> InvalidInput {
        var renamed = self
        if source == nil, let field, let name = names[field] { renamed.field = name }
        return renamed
    }

    package var description: String {
        var parts: [String] = []
        if let source { parts.append(source) }
        if let field { parts.append(Self.shortened(field)) }
        var text = parts.joined(separator: ": ")
        if let value {
            text += (text.isEmpty ? "" : ": ") + Self.quote(value)
        }
        return text.isEmpty ? reason : "\(text): \(reason)"
    }

    /// Values are shortened so one bad field never floods a terminal or a log line, and quoted as a JSON
    /// string (control characters escaped), so what is shown can be pasted back.
    static func quote(_ value: String) -> String {
        CanonicalJSON.string(shortened(value))
    }

    /// At most 80 characters of a value or a field name (a bake target's name is part of its fields' names).
    static func shortened(_ text: String) -> String {
        let limit = 80
        // Counting stops at the limit: a 50 MB value costs no more than a short one.
        guard let cut = text.index(text.startIndex, offsetBy: limit, limitedBy: text.endIndex), cut != text.endIndex else { return text }
        return String(text[..<cut]) + "…"
    }
}

/// A validation failure of a single domain value, before it is known where the value came from.
/// Callers turn it into an ``InvalidInput`` with the file and field.
package struct ValueError: Error, Sendable, Equatable, CustomStringConvertible {
    package var value: String
    package var reason: String

    package init(value: String, reason: String) {
        self.value = value
        self.reason = reason
    }

    package var description: String { "\(InvalidInput.quote(value)): \(reason)" }

    package func at(_ field: String, in source: String? = nil) -> InvalidInput {
        InvalidInput(source: source, field: field, value: value, reason: reason)
    }
}
