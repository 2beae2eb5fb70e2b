import Foundation
import GRDB
import GRDBSQLite

/// A statement prepared on GRDB's connection and driven through libsqlite3 directly, for loops that
/// write thousands of rows in one transaction (ingest). Everything else goes through GRDB.
///
/// The statement comes from the connection's statement cache: the server commits small batches many times
/// a second, and preparing (with GRDB's authorizer looking at every column) each time cost more than the rows.
struct BulkStatement: ~Copyable {
    private let connection: OpaquePointer
    private let statement: OpaquePointer
    private let cached: Statement
    private let buffers: ParameterBuffers

    init(_ db: Database, sql: String) throws {
        guard let connection = db.sqliteConnection else { throw DatabaseError(message: "database is closed") }
        cached = try db.cachedStatement(sql: sql)
        self.connection = connection
        self.statement = cached.sqliteStatement
        buffers = ParameterBuffers(count: Int(sqlite3_bind_parameter_count(cached.sqliteStatement)))
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
    }

    // Back to the cache ready for the next user, holding no read lock and no pointer into `buffers`,
    // which are freed after this body runs.
    deinit {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
    }

    func bind(_ index: Int32, _ text: String?) {
        guard var text else {
            sqlite3_bind_null(statement, index)
            return
        }
        text.withUTF8 { bytes in
            let copy = buffers.hold(UnsafeRawBufferPointer(bytes), for: index)
            sqlite3_bind_text(statement, index, copy.assumingMemoryBound(to: CChar.self), Int32(bytes.count), Self.static)
        }
    }

    func bind(_ index: Int32, bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            _ = sqlite3_bind_blob(statement, index, buffers.hold(buffer, for: index), Int32(buffer.count), Self.static)
        }
    }

    func bind(_ index: Int32, _ number: Int?) {
        if let number {
            sqlite3_bind_int64(statement, index, Int64(number))
        } else {
            sqlite3_bind_null(statement, index)
        }
    }

    /// Runs the statement to completion and makes it ready for the next bindings; returns the rows it changed.
    @discardableResult
    func execute() throws -> Int32 {
        let code = sqlite3_step(statement)
        sqlite3_reset(statement)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)))
        }
        return sqlite3_changes(connection)
    }

    /// Steps once and reads the first column of the row as an integer (nil when there is no row).
    func firstInteger() throws -> Int64? {
        defer { sqlite3_reset(statement) }
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return sqlite3_column_int64(statement, 0)
        case SQLITE_DONE: return nil
        case let code:
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)))
        }
    }

    var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(connection) }

    /// Bound as SQLITE_STATIC: SQLite reads the value where it is, without copying it first.
    private static let `static` = unsafeBitCast(0, to: sqlite3_destructor_type.self)
}

/// One buffer per statement parameter that bound values are copied into. Bound as SQLITE_STATIC from
/// there, a value costs a copy into memory reused row after row instead of a malloc and a copy inside
/// SQLite (SQLITE_TRANSIENT): seventeen of them per build in a bulk ingest, where they showed in profiles.
/// A buffer changes only when its own parameter is bound again, after the statement ran with the
/// previous value.
private final class ParameterBuffers {
    private var buffers: [(start: UnsafeMutableRawPointer?, capacity: Int)]

    init(count: Int) { buffers = Array(repeating: (nil, 0), count: count + 1) }  // parameters count from 1

    deinit { for buffer in buffers { free(buffer.start) } }

    /// Copies `bytes` into the buffer of parameter `index` and returns where they now are.
    func hold(_ bytes: UnsafeRawBufferPointer, for index: Int32) -> UnsafeMutableRawPointer {
        let slot = Int(index)
        precondition(slot > 0 && slot < buffers.count, "no parameter \(index)")
        if buffers[slot].capacity < max(bytes.count, 1) {
            let capacity = max(bytes.count, 64).nextPowerOfTwo
            // Out of memory is the only failure; there is nothing to bind then.
            guard let grown = realloc(buffers[slot].start, capacity) else { preconditionFailure("out of memory binding parameter \(index)") }
            buffers[slot] = (grown, capacity)
        }
        guard let start = buffers[slot].start else { preconditionFailure("parameter \(index) has no buffer") }
        if let source = bytes.baseAddress { start.copyMemory(from: source, byteCount: bytes.count) }
        return start
    }
}

private extension Int {
    var nextPowerOfTwo: Int { 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount) }
}
