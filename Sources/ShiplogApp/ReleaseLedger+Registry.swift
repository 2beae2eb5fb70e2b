import Foundation
import ShiplogCore
import ShiplogCrypto

/// What ingesting one registry payload did, event by event.
public struct RegistryIngestSummary: Sendable, Encodable {
    public struct Entry: Sendable, Encodable {
        public var eventID: String
        public var action: RegistryEvent.Action
        public var repository: String
        @Nullable public var digest: String?
        @Nullable public var tag: String?
        /// False when the registry retried an event already recorded.
        public var new: Bool
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
