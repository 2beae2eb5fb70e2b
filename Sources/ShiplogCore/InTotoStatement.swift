import Foundation

/// An in-toto Statement (in-toto/attestation `spec/v1/statement.md`): subjects named by digest, a
/// predicate type, and a predicate. Read strictly, as the spec's own validator does; cosign's v0.1
/// statements are read too, since every attestation cosign made before v2.2 is one.
package struct InTotoStatement: Sendable, Hashable {
    package static let typeV1 = "https://in-toto.io/Statement/v1"
    package static let typeV01 = "https://in-toto.io/Statement/v0.1"

    package struct Subject: Sendable, Hashable {
        package var name: String?
        /// Algorithm to value, e.g. `sha256` to lowercase hex.
        package var digest: [String: String]

        package init(name: String?, digest: [String: String]) {
            self.name = name
            self.digest = digest
        }
    }

    /// The exact bytes (the DSSE payload): what was signed, kept whole.
    package let bytes: [UInt8]
    package let type: String
    package let subjects: [Subject]
    package let predicateType: String
    package let predicate: JSONValue
    /// The whole statement as read (what `attestation list` shows).
    package let document: JSONValue

    package init(parsing bytes: [UInt8], source: String) throws(InvalidInput) {
        let document = try JSONInput.value(from: Data(bytes), source: source)
        self.document = document
        guard case let .object(root) = document else {
            throw InvalidInput(source: source, value: document.shortText, reason: "an in-toto statement is a JSON object")
        }
        func string(_ value: JSONValue?, _ field: String) throws(InvalidInput) -> String {
            guard let value else { throw InvalidInput(source: source, field: field, reason: "required field is missing") }
            guard case let .string(text) = value, !text.isEmpty else {
                throw InvalidInput(source: source, field: field, value: value.shortText, reason: "expected a non-empty string")
            }
            return text
        }
        type = try string(root["_type"], "_type")
        guard type == Self.typeV1 || type == Self.typeV01 else {
            throw InvalidInput(source: source, field: "_type", value: type, reason: "not an in-toto statement (expected \(Self.typeV1))")
        }
        guard case let .array(list)? = root["subject"] else {
            throw InvalidInput(source: source, field: "subject", value: root["subject"]?.shortText,
                               reason: root["subject"] == nil ? "required field is missing" : "expected an array")
        }
        guard !list.isEmpty else { throw InvalidInput(source: source, field: "subject", value: "[]", reason: "a statement names at least one subject") }
        var subjects: [Subject] = []
        for (index, item) in list.enumerated() {
            let path = "subject[\(index)]"
            guard case let .object(members) = item else {
                throw InvalidInput(source: source, field: path, value: item.shortText, reason: "expected an object")
            }
            var name: String?
            if let value = members["name"] {
                guard case let .string(text) = value else {
                    throw InvalidInput(source: source, field: "\(path).name", value: value.shortText, reason: "expected a string")
                }
                name = text
            }
            guard case let .object(digestMembers)? = members["digest"], !digestMembers.isEmpty else {
                throw InvalidInput(source: source, field: "\(path).digest", value: members["digest"]?.shortText,
                                   reason: members["digest"] == nil ? "a subject must have a digest" : "expected a non-empty object of algorithm to value")
            }
            var digest: [String: String] = [:]
            for algorithm in digestMembers.keys.sorted() {
                let value = try string(digestMembers[algorithm], "\(path).digest.\(algorithm)")
                if let length = Self.hexLengths[algorithm] {
                    guard value.utf8.count == length, value.utf8.allSatisfy({ Digest.isLowerHex($0) }) else {
                        throw InvalidInput(source: source, field: "\(path).digest.\(algorithm)", value: value,
                                           reason: "a \(algorithm) digest is \(length) lowercase hex characters")
                    }
                }
                digest[algorithm] = value
            }
            subjects.append(Subject(name: name, digest: digest))
        }
        self.subjects = subjects
        predicateType = try string(root["predicateType"], "predicateType")
        guard predicateType.unicodeScalars.count <= 1024 else {
            throw InvalidInput(source: source, field: "predicateType", value: String(predicateType.prefix(40)) + "…",
                               reason: "a predicate type is at most 1024 characters")
        }
        guard let predicate = root["predicate"] else {
            throw InvalidInput(source: source, field: "predicate", reason: "required field is missing")
        }
        guard case .object = predicate else {
            throw InvalidInput(source: source, field: "predicate", value: predicate.shortText, reason: "expected an object")
        }
        self.predicate = predicate
        self.bytes = bytes
    }

    /// Hex lengths of the digest algorithms the in-toto digest set spec names by length.
    static let hexLengths = ["sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128, "sha512_224": 56, "sha512_256": 64,
                             "sha3_224": 56, "sha3_256": 64, "sha3_384": 96, "sha3_512": 128, "sha1": 40, "md5": 32]

    /// Whether a subject names this image digest (`sha256:HEX` against a subject's `sha256`).
    package func names(_ digest: Digest) -> Bool {
        subjects.contains { $0.digest[digest.algorithm] == digest.encoded }
    }

    /// The statement `attest` signs: v1, one subject (the repository and the image digest), the predicate as given.
    /// `predicate` must be one JSON object; its bytes are embedded as they are (trimmed), so nothing is re-encoded.
    package static func bytes(repository: Repository, digest: Digest, predicateType: String, predicate: [UInt8]) -> [UInt8] {
        var body = Array(#"{"_type":"# .utf8)
        body += Array(CanonicalJSON.string(typeV1).utf8)
        body += Array(#","subject":[{"name":"#.utf8) + Array(CanonicalJSON.string(repository.name).utf8)
        body += Array(#","digest":{"#.utf8) + Array(CanonicalJSON.string(digest.algorithm).utf8) + [UInt8(ascii: ":")]
        body += Array(CanonicalJSON.string(digest.encoded).utf8) + Array(#"}}],"predicateType":"#.utf8)
        body += Array(CanonicalJSON.string(predicateType).utf8) + Array(#","predicate":"#.utf8)
        let trimmed = predicate.drop { Self.isSpace($0) }.reversed().drop { Self.isSpace($0) }.reversed()
        body += trimmed
        body.append(UInt8(ascii: "}"))
        return body
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }
}

/// Predicate types, and cosign's shorthands for them (`cosign attest --type`).
package enum PredicateType {
    package static let slsaProvenance02 = "https://slsa.dev/provenance/v0.2"
    package static let slsaProvenance1 = "https://slsa.dev/provenance/v1"

    /// As cosign's `options.PredicateTypeMap`.
    package static let shorthands: [String: String] = [
        "slsaprovenance": slsaProvenance02,
        "slsaprovenance02": slsaProvenance02,
        "slsaprovenance1": slsaProvenance1,
        "spdx": "https://spdx.dev/Document",
        "spdxjson": "https://spdx.dev/Document",
        "cyclonedx": "https://cyclonedx.org/bom",
        "link": "https://in-toto.io/Link/v1",
        "vuln": "https://cosign.sigstore.dev/attestation/vuln/v1",
        "openvex": "https://openvex.dev/ns",
        "custom": "https://cosign.sigstore.dev/attestation/v1",
    ]

    /// A shorthand's URI, or the URI given (it must have a scheme, as cosign requires of a custom type).
    package static func resolve(_ text: String) throws(ValueError) -> String {
        if let uri = shorthands[text] { return uri }
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex, !text.contains(" "), text.utf8.count <= 1024 else {
            throw ValueError(value: text, reason: "expected one of \(shorthands.keys.sorted().joined(separator: ", ")) or a predicate-type URI")
        }
        return text
    }
}
