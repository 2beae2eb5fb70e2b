import Foundation
import GRDB
import ShiplogCore

/// The log's frontier as of the last commit of this process, so that a write does not reload it.
/// Only committed state is cached; a size check on open catches appends by other processes.
final class FrontierCache: @unchecked Sendable {
    private let lock = NSLock()
    private var frontier: LogFrontier?

    var value: LogFrontier? { lock.withLock { frontier } }

    func set(_ value: LogFrontier?) { lock.withLock { frontier = value } }
}

extension SQLiteLedger {
    /// An appender for this transaction (nil when the ledger has no log); caches its frontier on commit.
    func logAppender(_ db: Database, time: Timestamp, force: Bool = false) throws -> LogAppender? {
        guard let appender = try LogAppender.open(db, enabled: transparencyLog || force, time: time, cached: frontierCache.value) else {
            return nil
        }
        let cache = frontierCache
        db.afterNextTransaction(onCommit: { _ in cache.set(appender.frontier) }, onRollback: { _ in cache.set(nil) })
        return appender
    }
}
