import Foundation
import ShiplogCore
import Synchronization

/// The ledger in a PostgreSQL database that several shiplog servers share.
///
/// Every write transaction first locks the one `ledger_head` row (and moves its change counter): writes from all
/// servers are serialised there, so the transparency log grows as one linear history and its frontier, read under
/// that lock, is always the one the last commit left. Reads need no lock: the tables are append-only where it
/// matters, and an answer spanning several statements reads one snapshot (REPEATABLE READ).
package final class PostgresLedger: Sendable {
    let connections: PostgresConnections
    /// Every write appends to the transparency log; off only for benchmarks that measure what the log costs.
    let transparencyLog: Bool
    /// The log's frontier as of this process's last commit, reused when the head's size shows no other server appended.
    let frontier = Mutex<PostgresLogFrontier?>(nil)
    /// Whether anything changed since an answer was kept: notifications from every server's commits.
    let changes: PostgresChangeFeed

    /// Connects (`size` connections at most) and migrates the database when needed.
    package init(address: PostgresAddress, poolSize: Int = 8, transparencyLog: Bool = true) throws(LedgerError) {
        let connections = try PostgresConnections(address: address, size: poolSize)
        self.connections = connections
        self.transparencyLog = transparencyLog
        changes = PostgresChangeFeed(connect: { connections.dial() }, logger: connections.quietLogger)
        try connections.withConnection { session throws(LedgerError) in try PostgresMigrations.apply(session) }
    }

    /// Closes the pool's connections (the server's shutdown).
    package func close() {
        changes.close()
        connections.close()
    }

    /// The names of the migrations this database has applied, in order.
    package func appliedMigrations() throws(LedgerError) -> [String] {
        try read { session throws(LedgerError) in
            try session.rows("SELECT name FROM schema_migration ORDER BY name").map { row throws(LedgerError) in try row.text("name") }
        }
    }

    // MARK: - Transactions

    /// A write: one transaction that holds the ledger head's lock from its first statement, with the log's appender.
    /// BEGIN and the head's lock go out with the body's first statement, and the log's rows, the head's new size and
    /// COMMIT go out together: a write costs two round trips plus what its body asks and waits for.
    @discardableResult
    func write<T>(_ body: (PostgresSession, PostgresLogAppender?) throws(LedgerError) -> T) throws(LedgerError) -> T {
        try connections.withConnection { session throws(LedgerError) in
            _ = session.enqueue("BEGIN")
            // The head's lock first (every write takes it, so none waits on another in a different order), the counter
            // moved, and every server told when this commits. The log's size comes from the locked row itself: after
            // waiting for the lock, PostgreSQL returns the row as the previous writer committed it (a subquery here would
            // read the snapshot from before the wait).
            let head = session.enqueue("""
                UPDATE ledger_head SET changes = changes + 1 WHERE id = 1
                RETURNING log_size, pg_notify('\(PostgresChangeFeed.channel)', '')::text AS notified
                """)
            let log = transparencyLog ? PostgresLogAppender(session, head: head, cached: frontier.withLock { $0 }) : nil
            do throws(LedgerError) {
                let result = try body(session, log)
                var closing = log?.closingStatements() ?? []
                closing.append(("COMMIT", []))
                _ = try session.pipeline(closing)
                if let frontier = log?.committedFrontier { self.frontier.withLock { $0 = frontier } }
                changes.committed()
                return result
            } catch {
                if !session.discardUnsent(), !session.broken { _ = try? session.execute("ROLLBACK") }
                throw error
            }
        }
    }

    /// A read in one snapshot (several statements see the same committed state); BEGIN goes out with the first of them.
    func read<T>(_ body: (PostgresSession) throws(LedgerError) -> T) throws(LedgerError) -> T {
        try connections.withConnection { session throws(LedgerError) in
            _ = session.enqueue("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            do throws(LedgerError) {
                let result = try body(session)
                try session.execute("COMMIT")
                return result
            } catch {
                if !session.discardUnsent(), !session.broken { _ = try? session.execute("ROLLBACK") }
                throw error
            }
        }
    }

    /// A read of one statement: no transaction around it.
    func single<T>(_ body: (PostgresSession) throws(LedgerError) -> T) throws(LedgerError) -> T {
        try connections.withConnection(body)
    }
}
