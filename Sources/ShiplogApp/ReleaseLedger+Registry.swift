import Foundation
import ShiplogCore
import ShiplogCrypto

/// What ingesting one registry payload did, event by event.
public struct RegistryIngestSummary: Sendable, Encodable {
    public struct Entry: Sendable, Encodable {
        public var eventID: String
        public var action: RegistryEvent.Action
        public var repository: String
        public var digest: String?
        public var tag: String?
        /// False when the registry retried an event already recorded.
        public var new: Bool

        enum CodingKeys: String, CodingKey {
            case action, repository, digest, tag, new
            case eventID = "event_id"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(eventID, forKey: .eventID)
            try container.encode(action, forKey: .action)
            try container.encode(repository, forKey: .repository)
            try container.encode(digest, forKey: .digest)
            try container.encode(tag, forKey: .tag)
            try container.encode(new, forKey: .new)
        }
    }

    public var source: String
    public var recorded: Int
    public var duplicates: Int
    /// Events that are not about images (blob pushes and pulls, scans, quotas, replication).
    public var ignored: Int
    public var events: [Entry]
}

extension ReleaseLedger {
    /// Records a registry webhook payload (distribution envelope, Harbor default or CloudEvents) in one transaction.
    public func ingestRegistryEvents(_ data: Data, source: String) throws(LedgerError) -> RegistryIngestSummary {
        let notification: RegistryNotification
        do { notification = try RegistryNotification.parse(data, source: source, payloadDigest: SHA256.hex(data)) } catch {
            throw .invalidInput(error)
        }
        let fresh = try store.record(notification.events, at: clock())
        let entries = zip(notification.events, fresh).map { event, new in
            RegistryIngestSummary.Entry(eventID: event.eventID, action: event.action, repository: event.repository.name,
                                        digest: event.digest?.description, tag: event.tag, new: new)
        }
        return RegistryIngestSummary(source: source, recorded: fresh.count(where: { $0 }), duplicates: fresh.count(where: { !$0 }),
                                     ignored: notification.ignored, events: entries)
    }
}
