/// The transparency log: an RFC 6962 Merkle tree over every write, appended by each write's own
/// transaction (the write protocols above), and its signed checkpoints.
package protocol TransparencyLogReading: Sendable {
    func logSize() throws(LedgerError) -> Int64
    /// MTH of the first `size` leaves (size ≥ 1).
    func logRoot(size: Int64) throws(LedgerError) -> [UInt8]
    func logInclusionProof(index: Int64, size: Int64) throws(LedgerError) -> (leafHash: [UInt8], proof: [[UInt8]])
    func logConsistencyProof(from: Int64, to: Int64) throws(LedgerError) -> [[UInt8]]
    func logEntries(from: Int64, limit: Int) throws(LedgerError) -> [LogEntry]
    /// Every subtree hash the backend keeps to answer proofs quickly (which ones is its own choice), by
    /// level then index: `log verify` holds each to what the leaves make.
    func storedSubtrees() throws(LedgerError) -> [SubtreeHash]
    func checkpoints() throws(LedgerError) -> [Checkpoint]
    /// The checkpoint of the largest tree size, without reading them all.
    func latestCheckpoint() throws(LedgerError) -> Checkpoint?
}

package protocol TransparencyLogStore: TransparencyLogReading {
    func save(_ checkpoint: Checkpoint) throws(LedgerError)
}

/// The hash of the complete subtree over leaves `[index << level, (index + 1) << level)`.
package typealias SubtreeHash = (level: Int, index: Int64, hash: [UInt8])
