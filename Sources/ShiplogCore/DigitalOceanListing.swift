import Foundation

/// DigitalOcean Container Registry's own JSON, for `gc plan --tags FILE` where the registry API is not used:
/// `doctl registry repository list-tags -o json` (an array of tags), and the API's `repository_tags` (`{"tags":[…]}`)
/// and `repository_manifests` (`{"manifests":[…]}`) answers. Repositories are named as docker does:
/// `registry.digitalocean.com/<registry_name>/<repository>`.
package enum DigitalOceanListing {
    package static let host = "registry.digitalocean.com"

    package static func parse(_ data: Data, source: String) throws(InvalidInput) -> [String: [RetainedManifest]] {
        let document = try JSONInput.value(from: data, source: source)
        let items: [JSONValue]
        let field: String
        switch document {
        case let .array(list): (items, field) = (list, "")
        case let .object(root):
            if case let .array(list)? = root["tags"] { (items, field) = (list, "tags") }
            else if case let .array(list)? = root["manifests"] { (items, field) = (list, "manifests") }
            else { throw InvalidInput(source: source, reason: "not DigitalOcean's tags or manifests JSON (no \"tags\" or \"manifests\" array)") }
        default:
            throw InvalidInput(source: source, value: document.shortText, reason: "expected DigitalOcean's tags or manifests JSON")
        }
        var manifests: [String: [String: RetainedManifest]] = [:]
        for (index, item) in items.enumerated() {
            let path = field.isEmpty ? "[\(index)]" : "\(field)[\(index)]"
            func string(_ key: String) throws(InvalidInput) -> String {
                guard case let .string(text)? = item[key], !text.isEmpty else {
                    throw InvalidInput(source: source, field: "\(path).\(key)", value: item[key]?.shortText, reason: "expected a string")
                }
                return text
            }
            let name = "\(host)/\(try string("registry_name"))/\(try string("repository"))"
            do { _ = try Repository(parsing: name) } catch { throw error.at("\(path).repository", in: source) }
            let digestKey = item["manifest_digest"] != nil ? "manifest_digest" : "digest"
            let digestText = try string(digestKey)
            do { _ = try Digest(parsing: digestText) } catch { throw error.at("\(path).\(digestKey)", in: source) }
            var tags: [String] = []
            if case let .string(tag)? = item["tag"] { tags = [tag] }
            if case let .array(list)? = item["tags"] { tags += list.compactMap(\.stringValue) }
            var updated: Timestamp?
            if case let .string(text)? = item["updated_at"] {
                do { updated = try Timestamp(rfc3339: text) } catch { throw error.at("\(path).updated_at", in: source) }
            }
            var manifest = manifests[name]?[digestText] ?? RetainedManifest(digest: digestText, tags: [], pushedAt: updated)
            manifest.tags = Array(Set(manifest.tags + tags)).sorted()
            if let updated, manifest.pushedAt.map({ $0 < updated }) ?? true { manifest.pushedAt = updated }
            manifests[name, default: [:]][digestText] = manifest
        }
        return manifests.mapValues { Array($0.values) }
    }
}
