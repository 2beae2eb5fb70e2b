import Foundation

/// Decoding of user-supplied JSON with errors that name the source, the field path and the value.
package enum JSONInput {
    package static func decode<T: Decodable>(_ type: T.Type, from data: Data, source: String) throws(InvalidInput) -> T {
        try checkSyntax(data, source: source)
        return try decodeChecked(type, from: data, source: source)
    }

    /// `decode` for input a caller already held to `checkSyntax` (a reader that tries a fast shape first).
    package static func decodeChecked<T: Decodable>(_ type: T.Type, from data: Data, source: String) throws(InvalidInput) -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty && context.underlyingError == nil {
            // The syntax is sound, so this is a number that does not fit its field (1.5 or 1e30 for a whole
            // number), which JSONDecoder reports with no path: the document's numbers that are not whole say where.
            let value = (try? JSONDecoder().decode(JSONValue.self, from: data)) ?? .null
            let candidates = numbersThatAreNotWhole(in: value, at: "")
            guard let first = candidates.first else { throw InvalidInput(source: source, reason: "not valid JSON") }
            let others = candidates.count > 1 ? " (or one of the \(candidates.count - 1) other numbers that are not whole)" : ""
            throw InvalidInput(source: source, field: first.path, value: first.text,
                               reason: "this field cannot hold the number: a whole number, or a decimal from 1e-128 to 1e127, is expected\(others)")
        } catch let error as DecodingError {
            throw invalidInput(from: error, source: source)
        } catch {
            throw InvalidInput(source: source, reason: "not valid JSON")
        }
    }

    /// Holds `data` to ``JSONSyntax`` (strict JSON, unique keys, bounded depth and numbers) before any
    /// decoder reads it, so every reader of the input sees the same document.
    package static func checkSyntax(_ data: Data, source: String) throws(InvalidInput) {
        let failure: JSONSyntax.Failure? = data.withUnsafeBytes { bytes in
            do throws(JSONSyntax.Failure) {
                try JSONSyntax.check(bytes)
                return nil
            } catch {
                return error
            }
        }
        if let failure {
            throw InvalidInput(source: source, field: failure.path, reason: "\(failure.reason) (line \(failure.line), column \(failure.column))")
        }
    }

    /// Parses any JSON document, reporting syntax errors as ``InvalidInput``.
    package static func value(from data: Data, source: String) throws(InvalidInput) -> JSONValue {
        try decode(JSONValue.self, from: data, source: source)
    }

    static func numbersThatAreNotWhole(in value: JSONValue, at path: String) -> [(path: String, text: String)] {
        switch value {
        case let .number(number): [(path, "\(number)")]
        case let .array(items): items.enumerated().flatMap { numbersThatAreNotWhole(in: $1, at: "\(path)[\($0)]") }
        case let .object(members):
            members.keys.sorted().flatMap { numbersThatAreNotWhole(in: members[$0]!, at: path.isEmpty ? $0 : "\(path).\($0)") }
        default: []
        }
    }

    /// `services[2].digest` from a coding path.
    package static func path(_ codingPath: [any CodingKey]) -> String? {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text.isEmpty ? nil : text
    }

    static func invalidInput(from error: DecodingError, source: String) -> InvalidInput {
        switch error {
        case let .dataCorrupted(context):
            if let invalid = context.underlyingError as? ValueError {
                return invalid.at(path(context.codingPath) ?? "(document)", in: source)
            }
            if context.codingPath.isEmpty, context.underlyingError != nil || context.debugDescription.contains("JSON") {
                let detail = (context.underlyingError.map { "\($0)" } ?? context.debugDescription)
                return InvalidInput(source: source, reason: "not valid JSON (\(Self.firstLine(of: detail)))")
            }
            return InvalidInput(source: source, field: path(context.codingPath), reason: context.debugDescription)
        case let .keyNotFound(key, context):
            let field = path(context.codingPath + [key])
            return InvalidInput(source: source, field: field, reason: "required field is missing")
        case let .typeMismatch(type, context):
            return InvalidInput(source: source, field: path(context.codingPath), reason: "expected \(Self.jsonName(of: type))")
        case let .valueNotFound(type, context):
            return InvalidInput(source: source, field: path(context.codingPath), reason: "expected \(Self.jsonName(of: type)), got null")
        @unknown default:
            return InvalidInput(source: source, reason: "\(error)")
        }
    }

    static func jsonName(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Double.Type: "a number"
        case is Bool.Type: "a boolean"
        default:
            "\(type)".hasPrefix("Array") ? "an array" : "\(type)".hasPrefix("Dictionary") ? "an object" : "a \(type)"
        }
    }

    private static func firstLine(of text: String) -> String {
        String(text.split(separator: "\n").first ?? "")
    }
}

extension ValueError {
    /// The same failure as a `DecodingError`, so `Decodable` types can validate with it and keep the path.
    package func decodingError(at codingPath: [any CodingKey]) -> DecodingError {
        .dataCorrupted(.init(codingPath: codingPath, debugDescription: description, underlyingError: self))
    }
}
