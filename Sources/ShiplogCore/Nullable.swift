/// An optional value that the contract's JSON writes as `null` when absent, never leaving its key out:
/// scripts read a fixed set of keys. Synthesized `Encodable` omits a nil optional; wrapped, it writes
/// the key with `null`. (Only the contract's answers use it; input types decode plain optionals.)
@propertyWrapper
package struct Nullable<Value> {
    package var wrappedValue: Value?

    package init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }
}

extension Nullable: Sendable where Value: Sendable {}
extension Nullable: Equatable where Value: Equatable {}
extension Nullable: Hashable where Value: Hashable {}

extension Nullable: Encodable where Value: Encodable {
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}
