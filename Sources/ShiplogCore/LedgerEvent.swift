/// One ledger write, as the transparency log records it: a versioned kind and its fields, written as
/// canonical JSON (compact, keys sorted by bytes, integers as integers). One place encodes every kind,
/// so the same write always yields the same leaf bytes.
public struct LedgerEvent: Sendable, Hashable {
    public enum Value: Sendable, Hashable {
        case string(String)
        case integer(Int64)
        case bool(Bool)
        case null
        case object([String: Value])
    }

    /// The entry kinds, each versioned like Rekor's types: a new shape gets a new version.
    public enum Kind: String, Sendable, CaseIterable {
        case build, tag, keyAdded = "key-added", keyRevoked = "key-revoked", signature
        case environment, trafficSwitch = "traffic-switch", deployStarted = "deploy-started"
        case deployRefused = "deploy-refused", deployFinished = "deploy-finished", deployCheck = "deploy-check"
        case imageMarkedBad = "image-marked-bad"
    }

    public var kind: Kind
    public var fields: [String: Value]

    public init(_ kind: Kind, _ fields: [String: Value]) {
        self.kind = kind
        self.fields = fields
    }

    /// `{"kind":…,"v":1,…fields}` in canonical form.
    public var canonicalJSON: [UInt8] {
        var members = fields
        members["kind"] = .string(kind.rawValue)
        members["v"] = .integer(1)
        return Array(Self.encode(.object(members)).utf8)
    }

    static func encode(_ value: Value) -> String {
        switch value {
        case let .string(text): CanonicalJSON.string(text)
        case let .integer(number): String(number)
        case let .bool(flag): flag ? "true" : "false"
        case .null: "null"
        case let .object(members):
            "{" + members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                .map { CanonicalJSON.string($0) + ":" + encode(members[$0] ?? .null) }
                .joined(separator: ",") + "}"
        }
    }
}

extension LedgerEvent.Value {
    public static func text(_ value: String?) -> Self { value.map { .string($0) } ?? .null }
    public static func number(_ value: Int?) -> Self { value.map { .integer(Int64($0)) } ?? .null }
}
