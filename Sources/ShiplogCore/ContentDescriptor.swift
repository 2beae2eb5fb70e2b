/// An OCI content descriptor (`mediaType`, `digest`, `size`, and optional `urls`, `annotations`,
/// `data`, `artifactType`), validated as the image-spec's descriptor schema does.
package struct ContentDescriptor: Sendable, Hashable {
    package var mediaType: String
    package var digest: Digest
    package var size: Int64
    package var urls: [String]
    package var annotations: [String: String]
    package var artifactType: String?
    package var data: String?

    /// Validates a parsed JSON object. Field names in errors are relative to the descriptor.
    package init(json: JSONValue) throws(InvalidInput) {
        guard case let .object(members) = json else {
            throw InvalidInput(value: json.shortText, reason: "descriptor must be a JSON object")
        }
        func required(_ key: String) throws(InvalidInput) -> JSONValue {
            guard let value = members[key] else { throw InvalidInput(field: key, reason: "required field is missing") }
            return value
        }
        func string(_ key: String, _ value: JSONValue) throws(InvalidInput) -> String {
            guard case let .string(text) = value else {
                throw InvalidInput(field: key, value: value.shortText, reason: "expected a string, got \(value.typeName)")
            }
            return text
        }

        mediaType = try string("mediaType", required("mediaType"))
        guard Self.isMediaType(mediaType) else {
            throw InvalidInput(field: "mediaType", value: mediaType, reason: "not a media type (type/subtype, RFC 6838)")
        }

        let digestText = try string("digest", required("digest"))
        do { digest = try Digest(parsing: digestText) } catch { throw error.at("digest") }

        switch try required("size") {
        case let .integer(value) where value >= 0:
            size = value
        case let value:
            throw InvalidInput(field: "size", value: value.shortText, reason: "size must be a non-negative integer")
        }

        urls = []
        if let value = members["urls"] {
            guard case let .array(items) = value else {
                throw InvalidInput(field: "urls", value: value.shortText, reason: "expected an array of URLs")
            }
            for (index, item) in items.enumerated() {
                let url = try string("urls[\(index)]", item)
                guard Self.isAbsoluteURI(url) else {
                    throw InvalidInput(field: "urls[\(index)]", value: url, reason: "not an absolute URI (scheme:...)")
                }
                urls.append(url)
            }
        }

        annotations = [:]
        if let value = members["annotations"] {
            guard case let .object(pairs) = value else {
                throw InvalidInput(field: "annotations", value: value.shortText, reason: "expected an object of strings")
            }
            for (key, item) in pairs {
                annotations[key] = try string("annotations.\(key)", item)
            }
        }

        if let value = members["artifactType"] {
            let text = try string("artifactType", value)
            guard Self.isMediaType(text) else {
                throw InvalidInput(field: "artifactType", value: text, reason: "not a media type (type/subtype, RFC 6838)")
            }
            artifactType = text
        }

        if let value = members["data"] {
            let text = try string("data", value)
            guard Self.isPaddedBase64(text) else {
                throw InvalidInput(field: "data", value: text, reason: "not standard base64 with padding")
            }
            data = text
        }
    }

    /// RFC 6838 restricted names: `^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$`.
    static func isMediaType(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        return parts.allSatisfy { part in
            let bytes = Array(part.utf8)
            guard let first = bytes.first, bytes.count <= 127, isAlphanumeric(first) else { return false }
            return bytes.allSatisfy { isAlphanumeric($0) || "!#$&^_.+-".utf8.contains($0) }
        }
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    /// `scheme ":" rest` with an RFC 3986 scheme and no whitespace or control characters.
    static func isAbsoluteURI(_ text: String) -> Bool {
        guard let colon = text.firstIndex(of: ":") else { return false }
        let scheme = text[..<colon].utf8
        guard let first = scheme.first, (first >= 0x41 && first <= 0x5A) || (first >= 0x61 && first <= 0x7A) else {
            return false
        }
        return scheme.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
            && text.utf8.allSatisfy { $0 > 0x20 && $0 != 0x7F }
    }

    static func isPaddedBase64(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count % 4 == 0 else { return false }
        let padding = bytes.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        guard padding <= 2 else { return false }
        return bytes.dropLast(padding).allSatisfy {
            isAlphanumeric($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "/")
        }
    }
}
