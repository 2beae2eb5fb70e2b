import Foundation
import Logging
import NIOCore
import PostgresNIO
import ShiplogCore

/// A value bound to a statement's `$n`.
package enum SQLValue: Sendable {
    case text(String?)
    case integer(Int64?)
    case bytes([UInt8]?)
    /// Arrays, for many rows in one statement (`unnest($1::bigint[], …)`).
    case integers([Int64])
    case texts([String])
    case byteStrings([[UInt8]])

    static func int(_ value: Int?) -> SQLValue { .integer(value.map(Int64.init)) }
}

/// One leased connection, with synchronous statements over it. Not shared between threads: it lives for one
/// `PostgresConnections.withConnection` call.
package final class PostgresSession {
    let connection: PostgresConnection
    let logger: Logger
    /// Set when the connection itself failed: the pool then closes it instead of reusing it.
    private(set) var broken = false
    /// Statements that ran to completion on this connection in this lease.
    private(set) var completedStatements = 0

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// The rows a statement answers.
    package func rows(_ sql: String, _ values: [SQLValue] = []) throws(LedgerError) -> [SQLRow] {
        try run(sql, values).rows.map { SQLRow($0.makeRandomAccess()) }
    }

    /// The rows as PostgresNIO gives them (for reading cells by their type).
    func rawRows(_ sql: String, _ values: [SQLValue] = []) throws(LedgerError) -> [PostgresRow] {
        try run(sql, values).rows
    }

    /// The first row, if any.
    package func row(_ sql: String, _ values: [SQLValue] = []) throws(LedgerError) -> SQLRow? {
        try rows(sql, values).first
    }

    /// Runs a statement; answers how many rows it inserted, updated or deleted.
    @discardableResult
    package func execute(_ sql: String, _ values: [SQLValue] = []) throws(LedgerError) -> Int {
        try run(sql, values).metadata.rows ?? 0
    }

    /// Sends every statement at once and then waits for their answers, in order: PostgreSQL runs them one after another
    /// as if each had waited for the one before, but the batch costs one round trip instead of one per statement.
    /// A statement that fails fails the ones after it (the transaction is aborted); its error is the one thrown.
    package func pipeline(_ statements: [(sql: String, values: [SQLValue])]) throws(LedgerError) -> [[SQLRow]] {
        try collect(send(statements)).map { $0.rows.map { SQLRow($0.makeRandomAccess()) } }
    }

    /// Queues a statement to go out with the next one sent (its answer is kept: `queuedAnswer(_:)`), so that a
    /// transaction's opening statements share a round trip with its first real work.
    package func enqueue(_ sql: String, _ values: [SQLValue] = []) -> Int {
        queued.append((sql, values))
        return queuedAnswers.count + queued.count - 1
    }

    /// The answer of a queued statement, sending the queue now when it has not gone out yet.
    package func queuedAnswer(_ index: Int) throws(LedgerError) -> [SQLRow] {
        if index >= queuedAnswers.count { _ = try collect(send([])) }
        return queuedAnswers[index]
    }

    /// Drops the queued statements when none has gone out (the work failed before it asked the database anything); true
    /// then, and nothing of it needs rolling back.
    package func discardUnsent() -> Bool {
        guard !queued.isEmpty else { return false }
        queued = []
        return true
    }

    private var queued: [(sql: String, values: [SQLValue])] = []
    private var queuedAnswers: [[SQLRow]] = []
    private var inFlightQueued = 0

    /// Sends the queued statements, then these; answers the futures of these (the queued ones are collected with them).
    private func send(_ statements: [(sql: String, values: [SQLValue])]) -> [EventLoopFuture<PostgresQueryResult>] {
        let all = queued + statements
        inFlightQueued = queued.count
        queued = []
        return all.map { statement in
            connection.query(PostgresQuery(unsafeSQL: statement.sql, binds: Self.binds(statement.values)), logger: logger)
        }
    }

    private func collect(_ futures: [EventLoopFuture<PostgresQueryResult>]) throws(LedgerError) -> [PostgresQueryResult] {
        var answers: [PostgresQueryResult] = []
        answers.reserveCapacity(futures.count)
        var failure: LedgerError?
        for (position, future) in futures.enumerated() {
            do {
                let result = try future.wait()
                completedStatements += 1
                if position < inFlightQueued {
                    queuedAnswers.append(result.rows.map { SQLRow($0.makeRandomAccess()) })
                } else {
                    answers.append(result)
                }
            } catch let error as PSQLError where error.code == .server {
                if failure == nil { failure = .storage(Self.describe(error)) }
            } catch {
                broken = true
                if failure == nil { failure = .unreachable("the ledger's database: \(Self.describe(error))") }
            }
        }
        inFlightQueued = 0
        if let failure { throw failure }
        return answers
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    package func transaction<T>(_ body: () throws(LedgerError) -> T) throws(LedgerError) -> T {
        try execute("BEGIN")
        let result: T
        do {
            result = try body()
        } catch {
            if !broken { _ = try? execute("ROLLBACK") }
            throw error
        }
        try execute("COMMIT")
        return result
    }

    private static func binds(_ values: [SQLValue]) -> PostgresBindings {
        var binds = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case let .text(text): binds.append(text)
            case let .integer(number): binds.append(number)
            case let .bytes(bytes): binds.append(bytes.map { ByteBuffer(bytes: $0) })
            case let .integers(numbers): binds.append(numbers)
            case let .texts(texts): binds.append(texts)
            case let .byteStrings(strings): binds.append(strings.map { ByteBuffer(bytes: $0) })
            }
        }
        return binds
    }

    private func run(_ sql: String, _ values: [SQLValue]) throws(LedgerError) -> PostgresQueryResult {
        if !queued.isEmpty {
            guard let result = try collect(send([(sql, values)])).first else { throw .storage("no answer to a statement") }
            return result
        }
        do {
            let result = try connection.query(PostgresQuery(unsafeSQL: sql, binds: Self.binds(values)), logger: logger).wait()
            completedStatements += 1
            return result
        } catch let error as PSQLError where error.code == .server {
            throw .storage(Self.describe(error))
        } catch {
            broken = true
            throw .unreachable("the ledger's database: \(Self.describe(error))")
        }
    }

    /// What went wrong, without the statement or its values: PostgreSQL's own message for a refused statement.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] {
            return message + (error.serverInfo?[.detail].map { " (\($0))" } ?? "")
        }
        if let underlying = error.underlying { return "\(error.code): \(underlying)" }
        return error.code.description
    }
}

/// One row of an answer, read by column name.
package struct SQLRow {
    private let cells: PostgresRandomAccessRow

    init(_ cells: PostgresRandomAccessRow) { self.cells = cells }

    package func text(_ column: String) throws(LedgerError) -> String {
        guard let value = try optionalText(column) else { throw .storage("column \(column) is null") }
        return value
    }

    package func optionalText(_ column: String) throws(LedgerError) -> String? {
        try decode(column, String?.self)
    }

    package func integer(_ column: String) throws(LedgerError) -> Int64 {
        guard let value = try optionalInteger(column) else { throw .storage("column \(column) is null") }
        return value
    }

    package func optionalInteger(_ column: String) throws(LedgerError) -> Int64? {
        let cell = try self.cell(column)
        guard cell.bytes != nil else { return nil }
        // int4 columns (flags, levels) and int8 ones both read as Int64.
        do {
            if cell.dataType == .int4 { return Int64(try cell.decode(Int32.self)) }
            if cell.dataType == .int2 { return Int64(try cell.decode(Int16.self)) }
            return try cell.decode(Int64.self)
        } catch {
            throw .storage("column \(column): \(error)")
        }
    }

    package func bytes(_ column: String) throws(LedgerError) -> [UInt8] {
        guard let value = try optionalBytes(column) else { throw .storage("column \(column) is null") }
        return value
    }

    package func optionalBytes(_ column: String) throws(LedgerError) -> [UInt8]? {
        try decode(column, ByteBuffer?.self).map { Array($0.readableBytesView) }
    }

    package func bool(_ column: String) throws(LedgerError) -> Bool {
        let cell = try self.cell(column)
        if cell.dataType == .bool {
            do { return try cell.decode(Bool.self) } catch { throw .storage("column \(column): \(error)") }
        }
        return try integer(column) != 0
    }

    private func cell(_ column: String) throws(LedgerError) -> PostgresCell {
        guard cells.contains(column) else { throw .storage("no column \(column) in the answer") }
        return cells[column]
    }

    private func decode<T: PostgresDecodable>(_ column: String, _ type: T.Type) throws(LedgerError) -> T {
        do { return try cell(column).decode(T.self) } catch let error as LedgerError { throw error } catch {
            throw .storage("column \(column): \(error)")
        }
    }
}
