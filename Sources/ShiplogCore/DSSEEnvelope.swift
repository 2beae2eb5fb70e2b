import Foundation

/// A DSSE envelope (secure-systems-lab/dsse, `protocol.md` and `envelope.md`): a payload, its type, and
/// signatures over the pre-authentication encoding (PAE) of the two, never over the payload alone.
package struct DSSEEnvelope: Sendable, Hashable {
    /// The payload type of an in-toto statement, the only one shiplog records.
    package static let inTotoPayloadType = "application/vnd.in-toto+json"

    package struct Signature: Sendable, Hashable {
        /// Optional in DSSE and never trusted: which key verifies is decided by trying the trust store.
        package var keyID: String
        package var signature: [UInt8]

        package init(keyID: String = "", signature: [UInt8]) {
            self.keyID = keyID
            self.signature = signature
        }
    }

    package var payloadType: String
    package var payload: [UInt8]
    package var signatures: [Signature]

    package init(payloadType: String, payload: [UInt8], signatures: [Signature]) {
        self.payloadType = payloadType
        self.payload = payload
        self.signatures = signatures
    }

    /// `PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths in ASCII decimal bytes.
    package static func preAuthenticationEncoding(payloadType: String, payload: [UInt8]) -> [UInt8] {
        var bytes = Array("DSSEv1 \(payloadType.utf8.count) \(payloadType) \(payload.count) ".utf8)
        bytes.append(contentsOf: payload)
        return bytes
    }

    /// What each signature signs.
    package var preAuthenticationEncoding: [UInt8] { Self.preAuthenticationEncoding(payloadType: payloadType, payload: payload) }

    /// Reads an envelope strictly: every field of the right type, base64 that decodes (standard or URL-safe, as
    /// DSSE allows), at least one signature unless `allowUnsigned`.
    package init(parsing bytes: [UInt8], source: String, allowUnsigned: Bool = false) throws(InvalidInput) {
        let document = try JSONInput.value(from: Data(bytes), source: source)
        guard case let .object(root) = document else {
            throw InvalidInput(source: source, value: document.shortText, reason: "a DSSE envelope is a JSON object")
        }
        func string(_ members: [String: JSONValue], _ key: String, _ path: String) throws(InvalidInput) -> String {
            guard let value = members[key] else { throw InvalidInput(source: source, field: path, reason: "required field is missing") }
            guard case let .string(text) = value else {
                throw InvalidInput(source: source, field: path, value: value.shortText, reason: "expected a string")
            }
            return text
        }
        payloadType = try string(root, "payloadType", "payloadType")
        let payloadText = try string(root, "payload", "payload")
        guard let decoded = Self.base64(payloadText) else {
            throw InvalidInput(source: source, field: "payload", value: String(payloadText.prefix(40)), reason: "not base64")
        }
        payload = decoded
        guard case let .array(list)? = root["signatures"] else {
            throw InvalidInput(source: source, field: "signatures", value: root["signatures"]?.shortText,
                               reason: root["signatures"] == nil ? "required field is missing" : "expected an array")
        }
        var signatures: [Signature] = []
        for (index, item) in list.enumerated() {
            let path = "signatures[\(index)]"
            guard case let .object(members) = item else {
                throw InvalidInput(source: source, field: path, value: item.shortText, reason: "expected an object")
            }
            let text = try string(members, "sig", "\(path).sig")
            guard let signature = Self.base64(text), !signature.isEmpty else {
                throw InvalidInput(source: source, field: "\(path).sig", value: String(text.prefix(40)), reason: "not base64, or empty")
            }
            var keyID = ""
            if members["keyid"] != nil { keyID = try string(members, "keyid", "\(path).keyid") }
            signatures.append(Signature(keyID: keyID, signature: signature))
        }
        guard allowUnsigned || !signatures.isEmpty else {
            throw InvalidInput(source: source, field: "signatures", value: "[]", reason: "the envelope has no signature")
        }
        self.signatures = signatures
    }

    /// Compact JSON in the field order cosign writes (`payloadType`, `payload`, `signatures` of `keyid`, `sig`).
    package var json: [UInt8] {
        let signatureList = signatures.map { signature in
            #"{"keyid":"# + CanonicalJSON.string(signature.keyID) + #","sig":"# + CanonicalJSON.string(Data(signature.signature).base64EncodedString()) + "}"
        }
        let text = #"{"payloadType":"# + CanonicalJSON.string(payloadType) + #","payload":"#
            + CanonicalJSON.string(Data(payload).base64EncodedString()) + #","signatures":["# + signatureList.joined(separator: ",") + "]}"
        return Array(text.utf8)
    }

    /// Standard or URL-safe base64, padded or not; nil for anything else.
    static func base64(_ text: String) -> [UInt8]? {
        guard text.utf8.allSatisfy({ byte in
            (0x41 ... 0x5A).contains(byte) || (0x61 ... 0x7A).contains(byte) || (0x30 ... 0x39).contains(byte)
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "=")
        }) else { return nil }
        // The URL-safe alphabet mapped byte by byte (Foundation's replacingOccurrences costs more than the decode).
        var standard = Array(text.utf8)
        for index in standard.indices {
            if standard[index] == UInt8(ascii: "-") { standard[index] = UInt8(ascii: "+") }
            if standard[index] == UInt8(ascii: "_") { standard[index] = UInt8(ascii: "/") }
        }
        if standard.count % 4 != 0 { standard += Array(repeating: UInt8(ascii: "="), count: 4 - standard.count % 4) }
        return Data(base64Encoded: Data(standard)).map(Array.init)
    }
}
