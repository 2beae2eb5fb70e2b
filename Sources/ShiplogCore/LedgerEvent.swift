/// One ledger write, as the transparency log records it: a versioned kind and its fields, written as
/// canonical JSON (compact, keys sorted by bytes, integers as integers). One place encodes every kind,
/// so the same write always yields the same leaf bytes.
public struct LedgerEvent: Sendable {
    public enum Value: Sendable {
        case string(String)
        case integer(Int64)
        case bool(Bool)
        case null
        /// Members in any order; they are written sorted by key.
        case object([(String, Value)])

        public static func object(_ members: [String: Value]) -> Value { .object(members.map { ($0.key, $0.value) }) }
    }

    /// The entry kinds, each versioned like Rekor's types: a new shape gets a new version.
    public enum Kind: String, Sendable, CaseIterable {
        case build, tag, keyAdded = "key-added", keyRevoked = "key-revoked", signature
        case environment, trafficSwitch = "traffic-switch", deployStarted = "deploy-started"
        case deployRefused = "deploy-refused", deployFinished = "deploy-finished", deployCheck = "deploy-check"
        case imageMarkedBad = "image-marked-bad"
        case tagRemoved = "tag-removed"
    }

    public var kind: Kind
    public var fields: [(String, Value)]

    public init(_ kind: Kind, _ fields: KeyValuePairs<String, Value>) {
        self.kind = kind
        self.fields = fields.map { ($0.key, $0.value) }
    }

    /// `{"kind":…,"v":1,…fields}` in canonical form.
    public var canonicalJSON: [UInt8] {
        let extras: [(String, Value)] = [("kind", .string(kind.rawValue)), ("v", .integer(1))]
        var members: [(String, Value)]
        if zip(fields, fields.dropFirst()).allSatisfy({ $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }) {
            // Fields listed in order (the factories do): merge the two envelope keys in, no sort.
            members = []
            members.reserveCapacity(fields.count + extras.count)
            var rest = extras[...]
            for field in fields {
                while let next = rest.first, next.0.utf8.lexicographicallyPrecedes(field.0.utf8) {
                    members.append(next)
                    rest = rest.dropFirst()
                }
                members.append(field)
            }
            members.append(contentsOf: rest)
        } else {
            members = fields + extras
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(512)
        Self.write(.object(members), into: &bytes)
        return bytes
    }

    /// Writes bytes directly: this runs once per ledger write, and bulk ingest writes ten thousand at a time.
    static func write(_ value: Value, into bytes: inout [UInt8]) {
        switch value {
        case let .string(text): writeString(text, into: &bytes)
        case let .integer(number): bytes.append(contentsOf: String(number).utf8)
        case let .bool(flag): bytes.append(contentsOf: (flag ? "true" : "false").utf8)
        case .null: bytes.append(contentsOf: "null".utf8)
        case let .object(members):
            bytes.append(UInt8(ascii: "{"))
            let before: ((String, Value), (String, Value)) -> Bool = { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            // Most events list their fields in order already: checking is cheaper than sorting.
            let ordered = zip(members, members.dropFirst()).allSatisfy { before($0, $1) } ? members : members.sorted(by: before)
            for (offset, member) in ordered.enumerated() {
                if offset > 0 { bytes.append(UInt8(ascii: ",")) }
                writeString(member.0, into: &bytes)
                bytes.append(UInt8(ascii: ":"))
                write(member.1, into: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// The same escaping as ``CanonicalJSON/string(_:htmlSafe:)``, appended without building a String when
    /// there is nothing to escape (nearly always).
    static func writeString(_ text: String, into bytes: inout [UInt8]) {
        if CanonicalJSON.needsEscaping(text) {
            bytes.append(contentsOf: CanonicalJSON.string(text).utf8)
            return
        }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: text.utf8)
        bytes.append(UInt8(ascii: "\""))
    }
}

extension LedgerEvent.Value {
    public static func text(_ value: String?) -> Self { value.map { .string($0) } ?? .null }
    public static func number(_ value: Int?) -> Self { value.map { .integer(Int64($0)) } ?? .null }
}
