/// Failures of the ledger's operations, each with what a user needs to act on it.
package enum LedgerError: Error, Sendable, CustomStringConvertible {
    /// The input was wrong; nothing was written.
    case invalidInput(InvalidInput)
    /// The thing asked about is not in the ledger.
    case notFound(String)
    /// The input names something the ledger does not have (an environment, a deploy); nothing was written.
    case unknown(InvalidInput)
    /// The database failed (I/O, corruption, a lock held longer than the busy timeout).
    case storage(String)
    /// A shiplog server could not be reached (remote mode).
    case unreachable(String)
    /// A server refused the request: no token, an unknown token, or one without the needed scope.
    case denied(String)

    /// The same error with an input's field named as a door names it (the CLI's flags).
    package func naming(_ names: [String: String]) -> LedgerError {
        switch self {
        case let .invalidInput(input): .invalidInput(input.naming(names))
        case let .unknown(input): .unknown(input.naming(names))
        default: self
        }
    }

    package var description: String {
        switch self {
        case let .invalidInput(problem): problem.description
        case let .notFound(what): what
        case let .unknown(problem): problem.description
        case let .storage(detail): "ledger storage failed: \(detail)"
        case let .unreachable(detail): "unreachable: \(detail)"
        case let .denied(detail): detail
        }
    }
}
