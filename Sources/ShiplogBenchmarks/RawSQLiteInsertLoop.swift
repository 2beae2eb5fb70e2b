import Foundation
import GRDBSQLite

/// The reference the ingest benchmarks are measured against: the same rows inserted into the same table
/// through libsqlite3 directly, one prepared statement, one transaction, same pragmas as the ledger
/// (WAL, synchronous FULL, foreign keys, 64 MiB page cache). The table's triggers fire as they do for shiplog.
enum RawSQLiteInsertLoop {
    enum Value {
        case text(String)
        case integer(Int64)
        case null

        init(_ text: String?) { self = text.map(Value.text) ?? .null }
        init(_ number: Int64?) { self = number.map(Value.integer) ?? .null }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `insert` once per row in a fresh file made with `schema`; returns the seconds the loop took.
    static func run(path: String, schema: String, insert sql: String, rows: [[Value]]) throws -> Double {
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
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let insert = statement else {
            throw Failure(description: String(cString: sqlite3_errmsg(db)))
        }
        defer { sqlite3_finalize(insert) }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        return try Stopwatch.seconds {
            try exec("BEGIN IMMEDIATE")
            for row in rows {
                for (offset, value) in row.enumerated() {
                    let index = Int32(offset + 1)
                    switch value {
                    case let .text(text): sqlite3_bind_text(insert, index, text, -1, transient)
                    case let .integer(number): sqlite3_bind_int64(insert, index, number)
                    case .null: sqlite3_bind_null(insert, index)
                    }
                }
                guard sqlite3_step(insert) == SQLITE_DONE else { throw Failure(description: String(cString: sqlite3_errmsg(db))) }
                sqlite3_reset(insert)
            }
            try exec("COMMIT")
        }
    }
}
