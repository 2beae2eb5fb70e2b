import Foundation
import ShiplogCore
import ShiplogCrypto

extension ReleaseLedger {
    /// Records a registry webhook payload (distribution envelope, Harbor default or CloudEvents) in one transaction.
    package func ingestRegistryEvents(_ data: Data, source: String) throws(LedgerError) -> RegistryIngestSummary {
        let notification: RegistryNotification
        do { notification = try RegistryNotification.parse(data, source: source, payloadDigest: SHA256.hex(data)) } catch {
            throw .invalidInput(error)
        }
        if notification.events.count >= 1_000 {
            progress?("\(source): \(notification.events.count) events read; recording them in one transaction")
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
