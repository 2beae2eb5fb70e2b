/// One ledger write, as the transparency log records it: a versioned kind and its fields, written as
/// canonical JSON (compact, keys sorted by bytes, integers as integers). One place encodes every kind,
/// so the same write always yields the same leaf bytes.
package struct LedgerEvent: Sendable {
    package enum Value: Sendable {
        case string(String)
        case integer(Int64)
        case bool(Bool)
        case null
        /// Members in any order; they are written sorted by key.
        case object([(String, Value)])

        package static func object(_ members: [String: Value]) -> Value { .object(members.map { ($0.key, $0.value) }) }
    }

    /// The entry kinds, each versioned like Rekor's types: a new shape gets a new version.
    package enum Kind: String, Sendable, CaseIterable {
        case build, tag, keyAdded = "key-added", keyRevoked = "key-revoked", signature
        case environment, trafficSwitch = "traffic-switch", deployStarted = "deploy-started"
        case deployRefused = "deploy-refused", deployFinished = "deploy-finished", deployCheck = "deploy-check"
        case imageMarkedBad = "image-marked-bad"
        case tagRemoved = "tag-removed"
        case attestation
        case manifestDeleted = "manifest-deleted"
        case policySet = "policy-set"
    }

    package var kind: Kind
    package var fields: [(String, Value)]

    package init(_ kind: Kind, _ fields: KeyValuePairs<String, Value>) {
        self.kind = kind
        self.fields = fields.map { ($0.key, $0.value) }
    }

    /// For factories whose fields depend on the value (a key only some events carry).
    package init(_ kind: Kind, fields: [(String, Value)]) {
        self.kind = kind
        self.fields = fields
    }

    /// `{"kind":…,"v":1,…fields}` in canonical form.
    package var canonicalJSON: [UInt8] {
        var writer = CanonicalWriter()
        let envelope: [(String, Value)] = [("kind", .string(kind.rawValue)), ("v", .integer(1))]
        // The factories list fields in order: the envelope's two keys are merged in, with no sort.
        if writer.writeObject(merging: fields, envelope) { return writer.bytes }
        writer = CanonicalWriter()
        writer.write(.object(fields + envelope))
        return writer.bytes
    }
}

/// Writes canonical JSON byte by byte with no intermediate values: this runs once per ledger write, and
/// bulk ingest writes ten thousand at a time. A struct with mutating methods rather than closures over the
/// buffer, which would cost a runtime exclusivity check per append.
struct CanonicalWriter {
    typealias Value = LedgerEvent.Value

    var bytes: [UInt8] = []

    /// `capacity`: an event's JSON is a few hundred bytes; growing the buffer costs more than reserving.
    init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    mutating func write(_ value: Value) {
        switch value {
        case let .string(text): write(text)
        case let .integer(number): bytes.append(contentsOf: String(number).utf8)
        case let .bool(flag): bytes.append(contentsOf: (flag ? "true" : "false").utf8)
        case .null: bytes.append(contentsOf: "null".utf8)
        case let .object(members):
            // Most objects list their members in order already: checking is cheaper than sorting.
            bytes.append(UInt8(ascii: "{"))
            for member in Self.isSorted(members) ? members : members.sorted(by: { Self.precedes($0.0, $1.0) }) {
                write(member: member)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Two sorted member lists as one object; false, having written part of it, when `members` is not
    /// sorted after all (checked on the way rather than in a pass of its own).
    mutating func writeObject(merging members: [(String, Value)], _ others: [(String, Value)]) -> Bool {
        var rest = others[...]
        bytes.append(UInt8(ascii: "{"))
        for index in members.indices {
            let member = members[index]
            if index > members.startIndex, !Self.precedes(members[index - 1].0, member.0) { return false }
            while let next = rest.first, Self.precedes(next.0, member.0) {
                write(member: next)
                rest = rest.dropFirst()
            }
            write(member: member)
        }
        for next in rest { write(member: next) }
        bytes.append(UInt8(ascii: "}"))
        return true
    }

    /// `"name":value`, after a comma unless it opens its object (no value ends in `{`).
    private mutating func write(member: (String, Value)) {
        if bytes.last != UInt8(ascii: "{") { bytes.append(UInt8(ascii: ",")) }
        write(member.0)
        bytes.append(UInt8(ascii: ":"))
        write(member.1)
    }

    /// The same escaping as ``CanonicalJSON/string(_:htmlSafe:)``, appended straight from the string's
    /// bytes when there is nothing to escape (nearly always).
    private mutating func write(_ text: String) {
        if CanonicalJSON.needsEscaping(text) {
            bytes.append(contentsOf: CanonicalJSON.string(text).utf8)
        } else {
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: text.utf8)
            bytes.append(UInt8(ascii: "\""))
        }
    }

    static func isSorted(_ members: [(String, Value)]) -> Bool {
        zip(members, members.dropFirst()).allSatisfy { precedes($0.0, $1.0) }
    }

    /// Byte order of the UTF-8, as canonical JSON sorts keys (Swift's `<` on String compares Unicode
    /// normalizations, which is not the same order).
    static func precedes(_ left: String, _ right: String) -> Bool {
        var (left, right) = (left, right)
        return left.withUTF8 { a in
            right.withUTF8 { b in
                for index in 0 ..< min(a.count, b.count) where a[index] != b[index] { return a[index] < b[index] }
                return a.count < b.count
            }
        }
    }
}

extension LedgerEvent.Value {
    package static func text(_ value: String?) -> Self { value.map { .string($0) } ?? .null }
    package static func number(_ value: Int?) -> Self { value.map { .integer(Int64($0)) } ?? .null }
}
