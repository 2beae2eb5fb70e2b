extension KeyedDecodingContainer {
    /// CI tools write run ids both as JSON strings and as numbers; both mean the same run.
    func decodeStringOrNumberIfPresent(forKey key: Key) throws -> String? {
        if let text = try? decodeIfPresent(String.self, forKey: key) { return text }
        if let number = try? decodeIfPresent(Int64.self, forKey: key) { return String(number) }
        return try decodeIfPresent(String.self, forKey: key)  // rethrows the type mismatch with its path
    }

    /// A positive count given as a number or a numeric string (`GITHUB_RUN_ATTEMPT` is text).
    func decodeAttemptIfPresent(forKey key: Key) throws -> Int? {
        // A fraction or an exponent (1.5, 1e-300) is a number, but no attempt: say so rather than "expected a string".
        if (try? decodeIfPresent(Int64.self, forKey: key)) == nil, let number = try? decodeIfPresent(Double.self, forKey: key) {
            throw ValueError(value: "\(number)", reason: "run attempt must be a whole number from 1").decodingError(at: codingPath + [key])
        }
        guard let text = try decodeStringOrNumberIfPresent(forKey: key) else { return nil }
        guard let value = Int(text), value >= 1 else {
            throw ValueError(value: text, reason: "run attempt must be a whole number from 1")
                .decodingError(at: codingPath + [key])
        }
        return value
    }
}
