import ShiplogCore

/// What ingesting one registry payload did, event by event.
package struct RegistryIngestSummary: Sendable, Encodable {
    package struct Entry: Sendable, Encodable {
        package var eventID: String
        package var action: RegistryEvent.Action
        package var repository: String
        @Nullable package var digest: String?
        @Nullable package var tag: String?
        /// False when the registry retried an event already recorded.
        package var new: Bool
    }

    package var source: String
    package var recorded: Int
    package var duplicates: Int
    /// Events that are not about images (blob pushes and pulls, scans, quotas, replication).
    package var ignored: Int
    package var events: [Entry]
}
