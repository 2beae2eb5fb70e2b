import Foundation

/// The one way the contract's JSON documents are written, by every door: keys in snake_case from the
/// Swift names (`keyID` → `key_id`, `publicKeyPEM` → `public_key_pem`), sorted, slashes unescaped.
/// Dictionary keys (labels, buildx keys) are data and stay as they are. Absent values are `null`
/// through ``Nullable``.
///
/// Decoding has no key strategy: the formats shiplog reads name their keys in their own styles, and a
/// strategy would also rewrite the keys of free-form objects. Input types name multi-word keys in
/// `CodingKeys`.
package enum ContractJSON {
    /// For the API and for scripts' pipes.
    package static let compact = encoder([.sortedKeys, .withoutEscapingSlashes])
    /// For `--json` on a terminal.
    package static let pretty = encoder([.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])

    private static func encoder(_ formatting: JSONEncoder.OutputFormatting) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = formatting
        return encoder
    }
}
