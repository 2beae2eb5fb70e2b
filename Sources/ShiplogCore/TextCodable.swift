/// A domain value written in JSON as one string (its description) and read back through its parse
/// rule, so that a bad value in any input names its field: digests, repositories, image references, times.
package protocol TextCodable: Codable, CustomStringConvertible {
    init(parsing text: String) throws(ValueError)
}

extension TextCodable {
    package init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(parsing: text) } catch { throw error.decodingError(at: decoder.codingPath) }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
