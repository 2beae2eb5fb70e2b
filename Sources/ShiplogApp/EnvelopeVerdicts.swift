import Synchronization

/// Whether an attestation envelope's signature verifies with a key: a fact about two immutable byte strings, so it
/// is kept for the process's life. Whether the key is still trusted is never kept here: the trust store is read
/// at every judgement, so a revocation counts at once.
final class EnvelopeVerdicts: Sendable {
    static let shared = EnvelopeVerdicts()

    /// Bounded: a burst of distinct envelopes empties it rather than growing the process.
    private let limit = 100_000
    private let verdicts = Mutex<[String: Bool]>([:])

    func verdict(fingerprint: String, keyID: String, compute: () -> Bool) -> Bool {
        let key = fingerprint + "/" + keyID
        if let known = verdicts.withLock({ $0[key] }) { return known }
        let answer = compute()
        verdicts.withLock { table in
            if table.count >= limit { table.removeAll(keepingCapacity: true) }
            table[key] = answer
        }
        return answer
    }
}
