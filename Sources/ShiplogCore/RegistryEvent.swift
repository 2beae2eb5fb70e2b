import Foundation

/// One image event a registry reported: a manifest pushed, pulled or deleted.
package struct RegistryEvent: Sendable, Hashable {
    package enum Action: String, Sendable, Hashable, Codable {
        case push, pull, delete
    }

    /// The registry's id for the event (retries repeat it), or one derived from the payload where the
    /// format has none (Harbor's default format).
    package var eventID: String
    package var action: Action
    package var repository: Repository
    package var digest: Digest?
    /// The tag named, when one was (a pull by digest names none).
    package var tag: String?
    /// Bytes of the manifest, when the registry said (`size`, or its deprecated twin `length`).
    package var bytes: Int64?
    package var occurredAt: Timestamp
    /// `distribution`, `harbor` or `harbor-cloudevents`.
    package var format: String

    package init(eventID: String, action: Action, repository: Repository, digest: Digest?, tag: String?, bytes: Int64?,
                occurredAt: Timestamp, format: String) {
        self.eventID = eventID
        self.action = action
        self.repository = repository
        self.digest = digest
        self.tag = tag
        self.bytes = bytes
        self.occurredAt = occurredAt
        self.format = format
    }
}

/// A registry webhook payload: a CNCF distribution notification envelope, or a Harbor webhook in its
/// default or CloudEvents format. Events that are not about images (blob pushes and pulls, scans,
/// quotas, replication) are counted as ignored, never an error.
package struct RegistryNotification: Sendable {
    package var events: [RegistryEvent]
    package var ignored: Int

    /// `payloadDigest` (the SHA-256 of `data`, hex) names events of formats that carry no id: a registry's
    /// retry repeats the same bytes, so it repeats the same ids.
    package static func parse(_ data: Data, source: String, payloadDigest: String) throws(InvalidInput) -> RegistryNotification {
        var parser = Parser(source: source, payloadDigest: payloadDigest)
        try JSONInput.checkSyntax(data, source: source)
        // Distribution envelopes, the bulk of what registries send, decode straight into the fields shiplog reads:
        // a fifth of the cost of a JSONValue tree. Anything that does not fit (Harbor, or a field of the wrong
        // type) takes the general path below, which names the field and the value that is wrong.
        if let envelope = try? JSONDecoder().decode(DistributionEnvelope.self, from: data) {
            for (index, event) in envelope.events.enumerated() { try parser.distribution(event, path: "events[\(index)]") }
            return RegistryNotification(events: parser.events, ignored: parser.ignored)
        }
        let document = try JSONInput.decodeChecked(JSONValue.self, from: data, source: source)
        guard let members = document.objectValue else {
            throw InvalidInput(source: source, value: document.typeName,
                               reason: "unknown registry payload: expected a JSON object (a distribution envelope or a Harbor webhook)")
        }
        if let events = members["events"] {
            guard case let .array(items) = events else {
                throw InvalidInput(source: source, field: "events", value: events.shortText, reason: "expected an array")
            }
            for (index, item) in items.enumerated() {
                let path = "events[\(index)]"
                try parser.distribution(try parser.distributionEvent(item, path: path), path: path)
            }
        } else if members["specversion"] != nil {
            try parser.harbor(members, cloudEvents: true)
        } else if members["event_data"] != nil, members["type"] != nil {
            try parser.harbor(members, cloudEvents: false)
        } else {
            throw InvalidInput(source: source, reason: "unknown registry payload: neither a distribution envelope (events) "
                + "nor a Harbor webhook (type and event_data, or CloudEvents specversion)")
        }
        return RegistryNotification(events: parser.events, ignored: parser.ignored)
    }

    struct Parser {
        let source: String
        let payloadDigest: String
        var events: [RegistryEvent] = []
        var ignored = 0

        func string(_ value: JSONValue?, _ field: String, required: Bool = true) throws(InvalidInput) -> String? {
            switch value {
            case let .string(text)?: return text
            case nil, .null?:
                if required { throw InvalidInput(source: source, field: field, reason: "required field is missing") }
                return nil
            case let other?: throw InvalidInput(source: source, field: field, value: other.shortText, reason: "expected a string")
            }
        }

        func digest(_ text: String, _ field: String) throws(InvalidInput) -> Digest {
            do { return try Digest(parsing: text) } catch { throw error.at(field, in: source) }
        }

        func repository(_ text: String, _ field: String) throws(InvalidInput) -> Repository {
            do { return try Repository(parsing: text) } catch { throw error.at(field, in: source) }
        }

        func time(_ text: String, _ field: String) throws(InvalidInput) -> Timestamp {
            do { return try Timestamp(rfc3339: text) } catch { throw error.at(field, in: source) }
        }

        /// Manifests and indexes are images; layers and configs (blobs) are not.
        static func isManifest(_ mediaType: String) -> Bool {
            mediaType.contains("manifest") || mediaType.contains("image.index")
        }

        /// The fields of a distribution event from a JSON value, each checked for its type.
        func distributionEvent(_ item: JSONValue, path: String) throws(InvalidInput) -> DistributionEnvelope.Event {
            guard let event = item.objectValue else {
                throw InvalidInput(source: source, field: path, value: item.shortText, reason: "expected an object")
            }
            func size(_ value: JSONValue?, _ field: String) throws(InvalidInput) -> Int64? {
                switch value {
                case let .integer(number)?: return number
                case nil, .null?: return nil
                case let other?: throw InvalidInput(source: source, field: field, value: other.shortText, reason: "expected a number")
                }
            }
            var target: DistributionEnvelope.Event.Target?
            if let members = event["target"]?.objectValue {
                target = DistributionEnvelope.Event.Target(
                    mediaType: try string(members["mediaType"], "\(path).target.mediaType", required: false),
                    digest: try string(members["digest"], "\(path).target.digest", required: false),
                    repository: try string(members["repository"], "\(path).target.repository", required: false),
                    url: try string(members["url"], "\(path).target.url", required: false),
                    tag: try string(members["tag"], "\(path).target.tag", required: false),
                    size: try size(members["size"], "\(path).target.size"), length: try size(members["length"], "\(path).target.length"))
            }
            return DistributionEnvelope.Event(
                id: try string(event["id"], "\(path).id", required: false),
                timestamp: try string(event["timestamp"], "\(path).timestamp", required: false),
                action: try string(event["action"], "\(path).action", required: false),
                target: target,
                request: DistributionEnvelope.Event.Request(
                    host: try string(event["request"]?["host"], "\(path).request.host", required: false),
                    method: try string(event["request"]?["method"], "\(path).request.method", required: false)))
        }

        mutating func distribution(_ event: DistributionEnvelope.Event, path: String) throws(InvalidInput) {
            guard let actionText = event.action else {
                throw InvalidInput(source: source, field: "\(path).action", reason: "required field is missing")
            }
            guard let action = RegistryEvent.Action(rawValue: actionText) else {
                ignored += 1  // mount and any future action
                return
            }
            guard let target = event.target else {
                throw InvalidInput(source: source, field: "\(path).target", reason: "required field is missing")
            }
            // Deletes name no media type (only manifests and tags are deleted); pushes and pulls of blobs are not images.
            if action != .delete, !Self.isManifest(target.mediaType ?? "") {
                ignored += 1
                return
            }
            // Distribution reports a HEAD of a manifest as a pull. It fetches nothing: containerd resolves a tag with a
            // HEAD before it GETs the manifest by digest, and update checkers only HEAD. Counting it would count every
            // `docker pull` twice.
            if action == .pull, event.request?.method?.uppercased() == "HEAD" {
                ignored += 1
                return
            }
            guard let name = target.repository else {
                throw InvalidInput(source: source, field: "\(path).target.repository", reason: "required field is missing")
            }
            // The host clients used (request.host), so the repository reads as CI and deploys name it.
            var host = event.request?.host
            if host == nil, let url = target.url {
                host = URL(string: url).flatMap { url in url.host.map { host in url.port.map { "\(host):\($0)" } ?? host } }
            }
            let repository = try self.repository(host.map { "\($0)/\(name)" } ?? name, "\(path).target.repository")
            if action != .delete, target.digest == nil {
                throw InvalidInput(source: source, field: "\(path).target.digest", reason: "required field is missing")
            }
            if action == .delete, target.digest == nil, target.tag == nil {
                throw InvalidInput(source: source, field: "\(path).target", reason: "a delete names a digest or a tag")
            }
            // `length` is the deprecated twin of `size`. Bounded (1 PiB): sums over millions of pulls must stay
            // within 64 bits, and sizes are never negative.
            let bytes = target.size ?? target.length
            if let bytes, !(0...(1 << 50)).contains(bytes) {
                throw InvalidInput(source: source, field: "\(path).target.size", value: String(bytes), reason: "a size is a number of bytes from 0 to 2^50")
            }
            let id = event.id ?? "sha256:\(payloadDigest)#\(path)"
            guard let when = event.timestamp else {
                throw InvalidInput(source: source, field: "\(path).timestamp", reason: "required field is missing")
            }
            events.append(RegistryEvent(
                eventID: "distribution:" + id, action: action, repository: repository,
                digest: try target.digest.map { text throws(InvalidInput) in try digest(text, "\(path).target.digest") },
                tag: target.tag, bytes: bytes, occurredAt: try time(when, "\(path).timestamp"), format: "distribution"))
        }

        mutating func harbor(_ members: [String: JSONValue], cloudEvents: Bool) throws(InvalidInput) {
            let type = try string(members["type"], "type") ?? ""
            let action: RegistryEvent.Action
            switch type {
            case "PUSH_ARTIFACT", "harbor.artifact.pushed": action = .push
            case "PULL_ARTIFACT", "harbor.artifact.pulled": action = .pull
            case "DELETE_ARTIFACT", "harbor.artifact.deleted": action = .delete
            default:
                ignored += 1  // scans, quotas, replication, retention, ...
                return
            }
            let dataField = cloudEvents ? "data" : "event_data"
            guard let data = members[dataField]?.objectValue else {
                throw InvalidInput(source: source, field: dataField, reason: "required field is missing")
            }
            let occurredAt: Timestamp
            let baseID: String
            if cloudEvents {
                occurredAt = try time(try string(members["time"], "time") ?? "", "time")
                baseID = "harbor:" + (try string(members["id"], "id") ?? "")
            } else {
                switch members["occur_at"] {
                // Up to the year 9999: larger would overflow milliseconds.
                case let .integer(seconds)? where (0...253_402_300_799).contains(seconds):
                    occurredAt = Timestamp(millisecondsSinceEpoch: seconds * 1000)
                case let other: throw InvalidInput(source: source, field: "occur_at", value: other?.shortText, reason: "expected seconds since 1970")
                }
                // The default format has no event id; a retry repeats the same bytes.
                baseID = "harbor:sha256:" + payloadDigest
            }
            guard case let .array(resources)? = data["resources"] else {
                throw InvalidInput(source: source, field: "\(dataField).resources", reason: "required field is missing")
            }
            let fullName = try string(data["repository"]?["repo_full_name"], "\(dataField).repository.repo_full_name", required: false)
            for (index, resource) in resources.enumerated() {
                let path = "\(dataField).resources[\(index)]"
                let digestText = try string(resource["digest"], "\(path).digest") ?? ""
                let tagText = try string(resource["tag"], "\(path).tag", required: false)
                // Harbor puts the digest in `tag` when the artifact was pulled or pushed by digest.
                let tag = tagText.flatMap { $0.isEmpty || $0.contains(":") ? nil : $0 }
                let url = try string(resource["resource_url"], "\(path).resource_url", required: false)
                guard let name = url.map(Self.repositoryPart) ?? fullName else {
                    throw InvalidInput(source: source, field: "\(path).resource_url", reason: "names no repository")
                }
                events.append(RegistryEvent(
                    eventID: "\(baseID)#\(index)", action: action, repository: try repository(name, "\(path).resource_url"),
                    digest: try digest(digestText, "\(path).digest"), tag: tag, bytes: nil, occurredAt: occurredAt,
                    format: cloudEvents ? "harbor-cloudevents" : "harbor"))
            }
        }

        /// `host/project/repo` from `host/project/repo:tag` or `host/project/repo@sha256:...`.
        static func repositoryPart(_ url: String) -> String {
            if let at = url.firstIndex(of: "@") { return String(url[..<at]) }
            let lastSlash = url.lastIndex(of: "/") ?? url.startIndex
            if let colon = url[lastSlash...].lastIndex(of: ":") { return String(url[..<colon]) }
            return url
        }
    }
}

/// The parts of a CNCF distribution notification envelope shiplog reads; every other field is ignored.
struct DistributionEnvelope: Decodable {
    struct Event: Decodable {
        struct Target: Decodable {
            var mediaType, digest, repository, url, tag: String?
            var size, length: Int64?
        }

        struct Request: Decodable {
            var host, method: String?
        }

        var id, timestamp, action: String?
        var target: Target?
        var request: Request?
    }

    var events: [Event]
}
