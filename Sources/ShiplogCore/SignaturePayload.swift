/// The cosign "simple signing" payload of an image: what `cosign sign --key` signs.
///
/// Written byte for byte as cosign writes it (Go's `encoding/json`: compact, this key order, map keys
/// sorted, `"optional":null` without annotations); read strictly: keys are case-sensitive, so a payload
/// cannot name two digests that different verifiers would pick between.
package struct SignaturePayload: Sendable, Hashable {
    package static let type = "cosign container image signature"

    /// The exact bytes that were signed. Verification always uses these, never a re-serialisation.
    package let bytes: [UInt8]
    package let reference: String
    package let digest: Digest
    package let annotations: [String: JSONValue]?

    /// The payload shiplog signs for an image.
    package init(repository: Repository, digest: Digest, annotations: [String: String] = [:]) {
        var text = #"{"critical":{"identity":{"docker-reference":"# + GoJSON.string(repository.name)
        text += #"},"image":{"docker-manifest-digest":"# + GoJSON.string(digest.description)
        text += #"},"type":"# + GoJSON.string(Self.type) + #"},"optional":"#
        if annotations.isEmpty {
            text += "null"
        } else {
            let keys = annotations.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            text += "{" + keys.map { GoJSON.string($0) + ":" + GoJSON.string(annotations[$0] ?? "") }.joined(separator: ",") + "}"
        }
        text += "}"
        bytes = Array(text.utf8)
        reference = repository.name
        self.digest = digest
        self.annotations = annotations.isEmpty ? nil : annotations.mapValues { .string($0) }
    }

    /// Reads a payload made anywhere (cosign, openssl, shiplog), keeping its bytes.
    package init(parsing bytes: [UInt8], source: String) throws(InvalidInput) {
        let document = try JSONInput.value(from: .init(bytes), source: source)
        func object(_ value: JSONValue?, _ field: String) throws(InvalidInput) -> [String: JSONValue] {
            guard let value else { throw Self.missing(field, in: nil, source: source) }
            guard case let .object(members) = value else {
                throw InvalidInput(source: source, field: field, value: value.shortText, reason: "expected an object")
            }
            return members
        }
        func string(_ members: [String: JSONValue], _ key: String, _ path: String) throws(InvalidInput) -> String {
            guard let value = members[key] else { throw Self.missing("\(path).\(key)", in: members, source: source) }
            guard case let .string(text) = value else {
                throw InvalidInput(source: source, field: "\(path).\(key)", value: value.shortText, reason: "expected a string")
            }
            return text
        }
        let root = try object(document, "payload")
        let critical = try object(root["critical"], "critical")
        let type = try string(critical, "type", "critical")
        guard type == Self.type else {
            throw InvalidInput(source: source, field: "critical.type", value: type,
                               reason: "not a simple-signing payload (expected \"\(Self.type)\")")
        }
        let identity = try object(critical["identity"], "critical.identity")
        reference = try string(identity, "docker-reference", "critical.identity")
        let image = try object(critical["image"], "critical.image")
        let digestText = try string(image, "docker-manifest-digest", "critical.image")
        do { digest = try Digest(parsing: digestText) } catch { throw error.at("critical.image.docker-manifest-digest", in: source) }
        switch root["optional"] {
        case nil, .null?: annotations = nil
        case let .object(members)?: annotations = members
        case let other?:
            throw InvalidInput(source: source, field: "optional", value: other.shortText, reason: "expected an object or null")
        }
        self.bytes = bytes
    }

    private static func missing(_ field: String, in members: [String: JSONValue]?, source: String) -> InvalidInput {
        let key = String(field.split(separator: ".").last ?? "")
        if let members, let near = members.keys.first(where: { $0.lowercased() == key.lowercased() }) {
            return InvalidInput(source: source, field: field,
                                reason: "required field is missing (found \"\(near)\"; keys are case-sensitive)")
        }
        return InvalidInput(source: source, field: field, reason: "required field is missing")
    }
}

/// Strings as Go's `encoding/json` writes them, which cosign's payload bytes depend on.
enum GoJSON {
    static func string(_ value: String) -> String { CanonicalJSON.string(value, htmlSafe: true) }
}
