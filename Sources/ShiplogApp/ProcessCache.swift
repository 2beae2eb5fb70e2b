import ShiplogCore
import ShiplogCrypto
import Synchronization

/// A bounded, process-wide memo of what follows from immutable bytes alone: a key parsed from its PEM, a statement
/// parsed from its payload, whether an envelope's signature verifies with a key, a policy read from its stored
/// document. Keys name the bytes by their hash (a key id, an envelope's fingerprint) or carry them, so an entry can
/// never stand for other bytes. What can change — whether a key is still trusted, which policy version is in
/// force — is read from the ledger at every answer and never kept here.
final class ProcessCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let limit: Int
    private let entries = Mutex<[Key: Value?]>([:])

    init(limit: Int) { self.limit = limit }

    /// The value for `key`, computed once (a nil answer is kept too: bytes that did not parse never will).
    func value(for key: Key, compute: () -> Value?) -> Value? {
        if let known = entries.withLock({ $0[key] }) { return known }
        let value = compute()
        entries.withLock { table in
            // A burst of distinct entries empties the memo rather than growing the process.
            if table.count >= limit { table.removeAll(keepingCapacity: true) }
            table[key] = .some(value)
        }
        return value
    }
}

/// The caches the application keeps (OpenSSL 3 takes a few hundred microseconds to decode a PEM, more than the
/// verification it serves; JSON parsing is most of what judging a policy costs).
enum ProcessCaches {
    /// Trust-store keys by key id (the SHA-256 of the key's DER; a PEM that does not hash to its id is not used).
    static let publicKeys = ProcessCache<String, PublicKey>(limit: 10_000)
    /// Whether an attestation envelope (by fingerprint) verifies with a key (by key id).
    static let envelopeVerdicts = ProcessCache<String, Bool>(limit: 100_000)
    /// In-toto statements by the fingerprint of the attestation that holds them.
    static let statements = ProcessCache<String, InTotoStatement>(limit: 20_000)
    /// Policies by their stored document's exact text.
    static let policies = ProcessCache<String, Policy>(limit: 1_000)

    static func publicKey(_ record: TrustedKey) -> PublicKey? {
        publicKeys.value(for: record.keyID) {
            guard let parsed = try? PublicKey(encoded: Array(record.publicKeyPEM.utf8)), parsed.keyID == record.keyID else { return nil }
            return parsed
        }
    }
}
