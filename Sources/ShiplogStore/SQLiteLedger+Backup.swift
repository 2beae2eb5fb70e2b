import Foundation
import GRDB
import ShiplogCore

extension SQLiteLedger {
    /// Writes a consistent copy of the whole ledger to `destination` with SQLite's online backup API, while other
    /// connections go on writing: the copy is read in one snapshot, so it holds every transaction committed before
    /// the backup began and none after. The copy appears whole under its name or not at all (written beside it,
    /// synced, then renamed); an existing file is never replaced.
    /// Answers the number of log entries the copy holds.
    @discardableResult
    package func backup(to destination: String) throws(LedgerError) -> Int64 {
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw .invalidInput(InvalidInput(field: "FILE", value: destination, reason: "the file exists; a backup never replaces one"))
        }
        let staging = destination + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
        do {
            let copy = try DatabaseQueue(path: staging)
            try writer.backup(to: copy)
            // One self-contained file: the copy keeps no WAL beside it.
            let entries = try copy.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
                return try Int64.fetchOne(db, sql: "SELECT count(*) FROM log_entry") ?? 0
            }
            try copy.close()
            guard rename(staging, destination) == 0 else { throw LedgerError.storage("\(destination): \(String(cString: strerror(errno)))") }
            return entries
        } catch let error as LedgerError {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        } catch let error as DatabaseError {
            try? FileManager.default.removeItem(atPath: staging)
            throw .storage("\(destination): \(error.message ?? error.description)")
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw .storage("\(destination): \(error)")
        }
    }
}
