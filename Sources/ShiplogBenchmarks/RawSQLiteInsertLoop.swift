import Foundation
import GRDBSQLite

/// The reference the ingest benchmark is measured against: the same rows inserted into the same table
/// through libsqlite3 directly, one prepared statement, one transaction, same pragmas as the ledger
/// (WAL, synchronous FULL, foreign keys, 64 MiB page cache).
enum RawSQLiteInsertLoop {
    struct Row {
        var service, repository, tag, digest: String
        var commit, ref: String?
        var runID: String
        var runURL, builder: String?
        var builtAt, labels, recordedAt: String
        var runAttempt: Int?
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Inserts `rows` into `build` in a fresh file made with `schema`; returns the seconds the loop took.
    static func run(path: String, schema: String, rows: [Row]) throws -> Double {
        var handle: OpaquePointer?
        guard sqlite3_open(path, &handle) == SQLITE_OK, let db = handle else { throw Failure(description: "open \(path)") }
        defer { sqlite3_close(db) }
        func exec(_ sql: String) throws {
            guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
                throw Failure(description: String(cString: sqlite3_errmsg(db)))
            }
        }
        try exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536")
        try exec(schema)
        var statement: OpaquePointer?
        let sql = """
            INSERT INTO build (service, repository, tag, digest, commit_sha, ref, run_id, run_attempt, run_url, builder,
                               built_at, labels, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let insert = statement else {
            throw Failure(description: String(cString: sqlite3_errmsg(db)))
        }
        defer { sqlite3_finalize(insert) }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        return try Stopwatch.seconds {
            try exec("BEGIN IMMEDIATE")
            for row in rows {
                func text(_ index: Int32, _ value: String?) {
                    if let value { sqlite3_bind_text(insert, index, value, -1, transient) } else { sqlite3_bind_null(insert, index) }
                }
                text(1, row.service)
                text(2, row.repository)
                text(3, row.tag)
                text(4, row.digest)
                text(5, row.commit)
                text(6, row.ref)
                text(7, row.runID)
                if let attempt = row.runAttempt { sqlite3_bind_int64(insert, 8, Int64(attempt)) } else { sqlite3_bind_null(insert, 8) }
                text(9, row.runURL)
                text(10, row.builder)
                text(11, row.builtAt)
                text(12, row.labels)
                text(13, row.recordedAt)
                guard sqlite3_step(insert) == SQLITE_DONE else { throw Failure(description: String(cString: sqlite3_errmsg(db))) }
                sqlite3_reset(insert)
            }
            try exec("COMMIT")
        }
    }
}
