import Foundation

/// An image manifest or index as a registry serves it (OCI image spec `manifest.md`, `image-index.md`, and
/// Docker's schema 2), read strictly enough that a malformed one is named by its field, never half-used.
package struct OCIManifest: Sendable, Hashable {
    package static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    package static let ociIndex = "application/vnd.oci.image.index.v1+json"
    package static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    package static let dockerList = "application/vnd.docker.distribution.manifest.list.v2+json"
    package static let ociConfig = "application/vnd.oci.image.config.v1+json"
    /// What shiplog asks registries for (their `Accept`).
    package static let accepted = [ociManifest, ociIndex, dockerManifest, dockerList]
    /// The largest manifest read (distribution refuses to store one past 4 MiB, as do containerd and cosign).
    package static let maximumBytes = 4 * 1024 * 1024
    /// More layers than any image or signature manifest has; a manifest listing more is refused.
    package static let maximumDescriptors = 1_000

    package struct Descriptor: Sendable, Hashable {
        package var mediaType: String
        package var digest: Digest
        package var size: Int64
        package var annotations: [String: String]

        package init(mediaType: String, digest: Digest, size: Int64, annotations: [String: String] = [:]) {
            self.mediaType = mediaType
            self.digest = digest
            self.size = size
            self.annotations = annotations
        }
    }

    package var mediaType: String
    package var config: Descriptor?
    package var layers: [Descriptor]
    /// An index's manifests.
    package var manifests: [Descriptor]

    package init(mediaType: String, config: Descriptor?, layers: [Descriptor], manifests: [Descriptor] = []) {
        self.mediaType = mediaType
        self.config = config
        self.layers = layers
        self.manifests = manifests
    }

    /// `contentType`: the registry's `Content-Type`, which decides when the document has no `mediaType`.
    package init(parsing bytes: [UInt8], source: String, contentType: String? = nil) throws(InvalidInput) {
        guard bytes.count <= Self.maximumBytes else {
            throw InvalidInput(source: source, value: "\(bytes.count) bytes", reason: "a manifest is at most 4 MiB")
        }
        let document = try JSONInput.value(from: Data(bytes), source: source)
        guard case let .object(root) = document else {
            throw InvalidInput(source: source, value: document.shortText, reason: "a manifest is a JSON object")
        }
        guard case let .integer(version)? = root["schemaVersion"], version == 2 else {
            throw InvalidInput(source: source, field: "schemaVersion", value: root["schemaVersion"]?.shortText, reason: "expected 2")
        }
        let declared: String?
        switch root["mediaType"] {
        case nil: declared = nil
        case let .string(text)?: declared = text
        case let other?: throw InvalidInput(source: source, field: "mediaType", value: other.shortText, reason: "expected a string")
        }
        let type = declared ?? contentType.map { String($0.split(separator: ";").first ?? "").trimmingCharacters(in: .whitespaces) }
            ?? (root["manifests"] != nil ? Self.ociIndex : Self.ociManifest)
        guard Self.accepted.contains(type) else {
            throw InvalidInput(source: source, field: "mediaType", value: type, reason: "not an image manifest or index")
        }
        mediaType = type
        if type == Self.ociIndex || type == Self.dockerList {
            config = nil
            layers = []
            manifests = try Self.descriptors(root["manifests"], "manifests", source: source)
        } else {
            guard let configValue = root["config"] else { throw InvalidInput(source: source, field: "config", reason: "required field is missing") }
            config = try Self.descriptor(configValue, "config", source: source)
            layers = try Self.descriptors(root["layers"], "layers", source: source)
            manifests = []
        }
    }

    static func descriptors(_ value: JSONValue?, _ field: String, source: String) throws(InvalidInput) -> [Descriptor] {
        guard let value else { throw InvalidInput(source: source, field: field, reason: "required field is missing") }
        guard case let .array(items) = value else { throw InvalidInput(source: source, field: field, value: value.shortText, reason: "expected an array") }
        guard items.count <= maximumDescriptors else {
            throw InvalidInput(source: source, field: field, value: "\(items.count) entries", reason: "more than \(maximumDescriptors) descriptors")
        }
        var descriptors: [Descriptor] = []
        descriptors.reserveCapacity(items.count)
        for (index, item) in items.enumerated() { descriptors.append(try descriptor(item, "\(field)[\(index)]", source: source)) }
        return descriptors
    }

    static func descriptor(_ value: JSONValue, _ field: String, source: String) throws(InvalidInput) -> Descriptor {
        guard case let .object(members) = value else {
            throw InvalidInput(source: source, field: field, value: value.shortText, reason: "expected a descriptor object")
        }
        guard case let .string(mediaType)? = members["mediaType"], !mediaType.isEmpty else {
            throw InvalidInput(source: source, field: "\(field).mediaType", value: members["mediaType"]?.shortText, reason: "expected a media type")
        }
        guard case let .string(digestText)? = members["digest"] else {
            throw InvalidInput(source: source, field: "\(field).digest", value: members["digest"]?.shortText, reason: "expected a digest")
        }
        let digest: Digest
        do { digest = try Digest(parsing: digestText) } catch { throw error.at("\(field).digest", in: source) }
        guard case let .integer(size)? = members["size"], size >= 0 else {
            throw InvalidInput(source: source, field: "\(field).size", value: members["size"]?.shortText, reason: "expected a size in bytes")
        }
        var annotations: [String: String] = [:]
        if let value = members["annotations"] {
            guard case let .object(pairs) = value else {
                throw InvalidInput(source: source, field: "\(field).annotations", value: value.shortText, reason: "expected an object of strings")
            }
            for (key, item) in pairs {
                guard case let .string(text) = item else {
                    throw InvalidInput(source: source, field: "\(field).annotations.\(key)", value: item.shortText, reason: "expected a string")
                }
                annotations[key] = text
            }
        }
        return Descriptor(mediaType: mediaType, digest: digest, size: size, annotations: annotations)
    }

    /// The manifest as compact JSON with OCI's field order (what shiplog pushes).
    package var json: [UInt8] {
        func descriptor(_ item: Descriptor) -> String {
            var text = #"{"mediaType":"# + CanonicalJSON.string(item.mediaType) + #","size":\#(item.size),"digest":"#
                + CanonicalJSON.string(item.digest.description)
            if !item.annotations.isEmpty {
                let pairs = item.annotations.keys.sorted().map { CanonicalJSON.string($0) + ":" + CanonicalJSON.string(item.annotations[$0] ?? "") }
                text += #","annotations":{"# + pairs.joined(separator: ",") + "}"
            }
            return text + "}"
        }
        var text = #"{"schemaVersion":2,"mediaType":"# + CanonicalJSON.string(mediaType)
        if let config { text += #","config":"# + descriptor(config) }
        if mediaType == Self.ociIndex || mediaType == Self.dockerList {
            text += #","manifests":["# + manifests.map(descriptor).joined(separator: ",") + "]"
        } else {
            text += #","layers":["# + layers.map(descriptor).joined(separator: ",") + "]"
        }
        return Array((text + "}").utf8)
    }
}
