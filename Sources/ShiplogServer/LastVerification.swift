import ShiplogCore
import Synchronization

/// The last `log verify` this server ran (through GET /v1/log/verification), for the log page. Kept in memory: a
/// verification is a reading of the ledger, not a fact of it.
final class LastVerification: Sendable {
    private let last = Mutex<(result: JSONValue, at: Timestamp)?>(nil)

    func record(_ result: JSONValue, at time: Timestamp) { last.withLock { $0 = (result, time) } }

    var latest: (result: JSONValue, at: Timestamp)? { last.withLock { $0 } }
}
