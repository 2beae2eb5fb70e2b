/// The ledger's storage, as the application layer sees it: one small protocol per area, each a read
/// side and a write side that extends it (as Trillian's `ReadOnlyLogStorage` and `LogStorage`).
/// A backend is all of them; a part of the application that only reads asks for the read side alone.
///
/// Every write keeps its invariant in one transaction: a batch is recorded whole or not at all, and
/// the transparency log's entry for a write is appended in that same transaction. SQLite implements
/// them today (ShiplogStore); another backend implements these protocols and nothing else.
package typealias LedgerStore = BuildStore & TrustStore & AttestationStore & RetentionStore & DeployStore & PolicyStore & TransparencyLogStore & UsageStore & AccessTokenStore
    & IdentityTrustStore & LedgerStatistics

/// Everything a backend answers without writing.
package typealias LedgerReading = BuildReading & TrustReading & AttestationReading & RetentionReading & DeployReading & PolicyReading & TransparencyLogReading & UsageReading
    & AccessTokenReading & LedgerStatistics

/// What the server reads about the ledger itself rather than about releases.
package protocol LedgerStatistics: Sendable {
    /// Row counts for /metrics: builds, deploys, signatures, keys, log entries.
    func sizes() throws(LedgerError) -> [(kind: String, count: Int64)]
    /// A number that changes whenever anything was committed to the ledger, by this process or another:
    /// answers computed at the same number are still current.
    func changeCounter() throws(LedgerError) -> Int64
}
