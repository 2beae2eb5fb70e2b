import Foundation
import GRDB
import GRDBSQLite
import Synchronization
import ShiplogCore

/// The ledger in one SQLite file (WAL mode), or in memory for tests.
///
/// Several processes may write one file at once (parallel CI jobs): writes are IMMEDIATE transactions
/// and wait for the lock (busy timeout) instead of failing with "database is locked".
package final class SQLiteLedger: LedgerStore {
    let writer: any DatabaseWriter
    /// Every write appends to the transparency log; off only for benchmarks that measure what the log costs.
    let transparencyLog: Bool
    let frontierCache = FrontierCache()
    /// A connection that never writes, opened on first use, whose `PRAGMA data_version` moves on every commit.
    let changeWatcher = Mutex<DatabaseQueue?>(nil)
    let path: String?

    /// How long a writer waits for another process's transaction before giving up.
    package static let busyTimeout: TimeInterval = 60

    /// Opens (creating and migrating when needed) the ledger at `path`.
    package convenience init(path: String) throws(LedgerError) {
        try self.init(path: path, transparencyLog: true)
    }

    /// Opens the ledger at `path`; `transparencyLog: false` is for benchmarks only.
    package init(path: String, transparencyLog: Bool) throws(LedgerError) {
        self.transparencyLog = transparencyLog
        self.path = path
        do {
            writer = try Self.openPool(path: path)
        } catch let error as DatabaseError {
            throw .storage("\(path): \(error.message ?? error.description)")
        } catch {
            throw .storage("\(path): \(error)")
        }
    }

    /// Checkpoints the WAL into the database file and closes every connection (the server's shutdown).
    package func close() throws(LedgerError) {
        do {
            // Fold the WAL into the database file first: a stopped server leaves one self-contained file.
            try changeWatcher.withLock { watcher in
                try watcher?.close()
                watcher = nil
            }
            try writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
            try (writer as? DatabasePool)?.close()
        } catch {
            throw .storage("closing the database: \(error)")
        }
    }

    /// A private in-memory ledger, for tests.
    package init() throws(LedgerError) {
        transparencyLog = true
        path = nil
        do {
            writer = try DatabaseQueue(configuration: Self.configuration())
            try SchemaMigrations.apply(to: writer)
        } catch {
            throw .storage("\(error)")
        }
    }

    /// Opens and migrates the file, retrying while another process holds it. Switching a new file to WAL
    /// can answer SQLITE_BUSY at once, without the busy handler, when several CI jobs create it at the same
    /// moment (seen about three times in 700 simultaneous opens); writes themselves wait in the busy handler.
    static func openPool(path: String) throws -> DatabasePool {
        let deadline = Date().addingTimeInterval(busyTimeout)
        var attempt = 0
        while true {
            do {
                let pool = try DatabasePool(path: path, configuration: configuration())
                try SchemaMigrations.apply(to: pool)
                return pool
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && Date() < deadline {
                attempt += 1
                Thread.sleep(forTimeInterval: Double.random(in: 0.005 ... 0.020) * Double(min(attempt, 10)))
            }
        }
    }

    static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            // A ledger entry acknowledged to CI must survive a power cut: sync the WAL on every commit.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // 64 MiB of page cache: a 10,000-build ingest then stays in memory until its commit.
            try db.execute(sql: "PRAGMA cache_size = -65536")
            // Keep the WAL file when the last connection closes: each CLI process would otherwise create it anew
            // (syncing it and its directory) and delete it again, four fsyncs for a command that only reads.
            if let connection = db.sqliteConnection {
                var persist: Int32 = 1
                _ = sqlite3_file_control(connection, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
            }
        }
        return configuration
    }

    /// The names of the migrations this database has applied, in order.
    package func appliedMigrations() throws(LedgerError) -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT name FROM schema_migration ORDER BY name") }
    }

    // MARK: - Transactions

    func write<T>(_ body: (Database) throws -> T) throws(LedgerError) -> T {
        try Self.ledgerErrors { try writer.write(body) }
    }

    func read<T>(_ body: (Database) throws -> T) throws(LedgerError) -> T {
        try Self.ledgerErrors { try writer.read(body) }
    }

    /// Errors a body throws on purpose pass through; SQLite's become storage failures with its message.
    private static func ledgerErrors<T>(_ body: () throws -> T) throws(LedgerError) -> T {
        do {
            return try body()
        } catch let error as LedgerError {
            throw error
        } catch let error as DatabaseError {
            throw .storage(error.message ?? error.description)
        } catch {
            throw .storage("\(error)")
        }
    }
}
