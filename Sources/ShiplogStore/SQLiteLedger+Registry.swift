import Foundation
import GRDB
import ShiplogCore

extension SQLiteLedger {
    /// Pushes move tags, deletes close them, pulls are counted (by the schema's trigger). Returns, per event
    /// in the order given, whether it was new (false: the registry retried an event already recorded).
    package func record(_ events: [RegistryEvent], at time: Timestamp) throws(LedgerError) -> [Bool] {
        let now = time.description
        // One envelope batches events in no guaranteed order: apply them as they happened.
        let order = events.indices.sorted { (events[$0].occurredAt, $0) < (events[$1].occurredAt, $1) }
        return try write { db in
            let insert = try BulkStatement(db, sql: """
                INSERT INTO registry_event (event_id, action, repository, digest, tag, bytes, service, format, occurred_at, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING
                """)
            let tags = try TagHistory.Pointer(db)
            let log = try logAppender(db, time: time)
            var services: [String: String] = [:]
            var isNew = [Bool](repeating: false, count: events.count)
            for index in order {
                let event = events[index]
                let repository = event.repository.name
                let digest = event.digest?.description
                let service: String
                if let known = services[repository] {
                    service = known
                } else {
                    // The service of the latest build of this repository, else the repository's last path segment.
                    service = try String.fetchOne(db, sql: "SELECT service FROM build WHERE repository = ? ORDER BY id DESC LIMIT 1",
                                                  arguments: [repository]) ?? event.repository.lastComponent
                    services[repository] = service
                }
                for (position, text) in [event.eventID, event.action.rawValue, repository, digest, event.tag].enumerated() {
                    insert.bind(Int32(position + 1), text)
                }
                insert.bind(6, event.bytes.map { Int($0) })
                insert.bind(7, service)
                insert.bind(8, event.format)
                insert.bind(9, event.occurredAt.description)
                insert.bind(10, now)
                guard try insert.execute() == 1 else { continue }
                isNew[index] = true
                switch event.action {
                case .pull:
                    break
                case .push:
                    if let tag = event.tag, let digest,
                       try tags.point(repository: repository, tag: tag, at: digest, time: now) {
                        try log?.append(.tag(repository: repository, tag: tag, digest: digest, since: now))
                    }
                case .delete:
                    for removed in try TagHistory.remove(repository: repository, tag: event.tag, digest: digest, time: now, db) {
                        try log?.append(.tagRemoved(repository: repository, tag: removed.tag, digest: removed.digest, at: now))
                    }
                }
            }
            return isNew
        }
    }
}
