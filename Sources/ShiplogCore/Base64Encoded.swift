import Foundation

/// Bytes that the contract's JSON writes as standard base64 (hashes, proofs, signatures), as checkpoints do.
@propertyWrapper
public struct Base64Encoded: Sendable, Hashable, Encodable {
    public var wrappedValue: [UInt8]

    public init(wrappedValue: [UInt8]) { self.wrappedValue = wrappedValue }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Data(wrappedValue).base64EncodedString())
    }
}

/// A list of byte strings (a Merkle proof's hashes), each written as standard base64.
@propertyWrapper
public struct Base64EncodedList: Sendable, Hashable, Encodable {
    public var wrappedValue: [[UInt8]]

    public init(wrappedValue: [[UInt8]]) { self.wrappedValue = wrappedValue }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue.map { Data($0).base64EncodedString() })
    }
}
