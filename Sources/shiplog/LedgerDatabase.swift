import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogPostgres
import ShiplogStore

/// The ledger `--db` (SHIPLOG_DB) names, opened: a SQLite file, or a PostgreSQL database several servers share.
enum LedgerDatabase {
    case sqlite(SQLiteLedger, path: String)
    case postgres(PostgresLedger)

    /// Connections a PostgreSQL ledger keeps at most (`--db-pool`, SHIPLOG_DB_POOL).
    static let defaultPool = 10

    /// Opens (creating a new file, unless `creating` is false) and migrates the ledger.
    static func open(_ text: String, pool: Int = defaultPool, creating: Bool = true) throws(LedgerError) -> LedgerDatabase {
        let location: LedgerLocation
        do { location = try LedgerLocation(text) } catch { throw .invalidInput(error) }
        switch location {
        case let .file(path):
            guard creating || FileManager.default.fileExists(atPath: path) else {
                throw .invalidInput(InvalidInput(field: "--from", value: path, reason: "no ledger file there"))
            }
            return .sqlite(try SQLiteLedger(path: path), path: path)
        case let .postgres(address): return .postgres(try PostgresLedger(address: address, poolSize: pool))
        }
    }

    /// The same ledger, as rows to copy.
    var archive: any LedgerArchive & TransparencyLogReading {
        switch self {
        case let .sqlite(store, _): store
        case let .postgres(store): store
        }
    }

    var store: any LedgerStore {
        switch self {
        case let .sqlite(store, _): store
        case let .postgres(store): store
        }
    }

    /// The log's checkpoint key: `SHIPLOG_LOG_KEY`, else beside a ledger file. A PostgreSQL ledger has no "beside": every
    /// server on it must sign with the same key, so the key file is named explicitly (docs/postgres.md).
    var logKey: LogKey {
        let origin = GlobalOptions.environment("SHIPLOG_LOG_ORIGIN")
        if let path = GlobalOptions.environment("SHIPLOG_LOG_KEY") { return .file(LogKeyFile(path: path, origin: origin)) }
        switch self {
        case let .sqlite(_, path): return .file(LogKeyFile(beside: path, origin: origin))
        case .postgres: return .missing("a PostgreSQL ledger's checkpoint key is the file SHIPLOG_LOG_KEY names (the same file on every server)")
        }
    }

    func close() throws(LedgerError) {
        switch self {
        case let .sqlite(store, _): try store.close()
        case let .postgres(store): store.close()
        }
    }
}
