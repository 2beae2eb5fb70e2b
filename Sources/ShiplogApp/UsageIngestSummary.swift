import ShiplogCore

/// What ingesting one Langfuse file did.
package struct UsageIngestSummary: Sendable, Encodable {
    package var source: String
    /// Samples stored (new or replacing).
    package var samples: Int
    /// Of those, how many replaced a sample ingested before (never counted twice).
    package var replaced: Int
    /// Observations that are not generations.
    package var ignored: Int
    package var costUSD: MicroDollars
    package var totalTokens: Int64
}
