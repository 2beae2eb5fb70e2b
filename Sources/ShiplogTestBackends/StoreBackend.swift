import ShiplogCore
import ShiplogPostgres
import ShiplogStore
import ShiplogTestSupport
import Testing

/// The two backends behind the same store protocols: store and application suites take one of these as their argument,
/// so each behaviour is asked of both (one parameterised suite, not a copy).
package enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    package var testDescription: String { rawValue }

    /// A new, empty ledger: SQLite in memory, or a fresh database on the test PostgreSQL cluster.
    package func open() throws -> any LedgerStore {
        switch self {
        case .sqlite: try SQLiteLedger()
        case .postgres: try PostgresLedger(address: PostgresAddress(try TestPostgres.freshDatabase()), poolSize: 4)
        }
    }

    /// A new ledger in a file under `directory` (SQLite), or a fresh database (PostgreSQL).
    package func open(in directory: TemporaryDirectory) throws -> any LedgerStore {
        switch self {
        case .sqlite: try SQLiteLedger(path: directory.path("ledger.sqlite"))
        case .postgres: try open()
        }
    }
}
