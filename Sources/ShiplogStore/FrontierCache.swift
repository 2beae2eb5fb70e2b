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
