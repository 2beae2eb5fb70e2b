import Foundation

/// Bytes that the contract's JSON writes as standard base64 (hashes, proofs, signatures), as checkpoints do.
@propertyWrapper
package struct Base64Encoded: Sendable, Hashable, Encodable {
    package var wrappedValue: [UInt8]

    package init(wrappedValue: [UInt8]) { self.wrappedValue = wrappedValue }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Data(wrappedValue).base64EncodedString())
    }
}

/// A list of byte strings (a Merkle proof's hashes), each written as standard base64.
@propertyWrapper
package struct Base64EncodedList: Sendable, Hashable, Encodable {
    package var wrappedValue: [[UInt8]]

    package init(wrappedValue: [[UInt8]]) { self.wrappedValue = wrappedValue }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue.map { Data($0).base64EncodedString() })
    }
}
