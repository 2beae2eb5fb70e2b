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

    init(_ db: Database, sql: String) throws {
        guard let connection = db.sqliteConnection else { throw DatabaseError(message: "database is closed") }
        cached = try db.cachedStatement(sql: sql)
        self.connection = connection
        self.statement = cached.sqliteStatement
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
    }

    // Back to the cache ready for the next user, holding no read lock.
    deinit {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    func bind(_ index: Int32, _ text: String?) {
        if let text {
            // From the string's own bytes with their length: passing the String converts it to a C string first.
            let bound = text.utf8.withContiguousStorageIfAvailable { bytes in
                bytes.withMemoryRebound(to: CChar.self) { sqlite3_bind_text(statement, index, $0.baseAddress, Int32($0.count), Self.transient) }
            }
            if bound == nil { sqlite3_bind_text(statement, index, text, -1, Self.transient) }
        } else {
            sqlite3_bind_null(statement, index)
        }
    }

    func bind(_ index: Int32, bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            _ = sqlite3_bind_blob(statement, index, buffer.baseAddress, Int32(buffer.count), Self.transient)
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
}
