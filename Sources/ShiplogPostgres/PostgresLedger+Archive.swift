import PostgresNIO
import ShiplogCore

extension PostgresLedger: LedgerArchive {
    package func archivedRows(_ table: ArchivedTable, offset: Int, limit: Int) throws(LedgerError) -> [[LedgerCell]] {
        try single { session throws(LedgerError) in
            try session.cells("SELECT \(table.columns.joined(separator: ", ")) FROM \(table.name) ORDER BY \(table.key) LIMIT $1 OFFSET $2",
                              [.int(limit), .int(offset)])
        }
    }

    package func restore(from source: any LedgerArchive) throws(LedgerError) -> [(table: String, rows: Int)] {
        try connections.withConnection { session throws(LedgerError) in
            let copied = try session.transaction { () throws(LedgerError) -> [(table: String, rows: Int)] in
                // Writers on other servers wait: the copy is one write, under the head's lock like every other.
                try session.execute("UPDATE ledger_head SET changes = changes + 1 WHERE id = 1 RETURNING pg_notify('\(PostgresChangeFeed.channel)', '')::text")
                for table in ArchivedTable.all where try session.row("SELECT 1 AS found FROM \(table.name) LIMIT 1") != nil {
                    throw .invalidInput(InvalidInput(field: "--to", reason: "the target ledger is not empty (its \(table.name) table has rows)"))
                }
                var copied: [(table: String, rows: Int)] = []
                for table in ArchivedTable.all {
                    var offset = 0
                    while true {
                        let rows = try source.archivedRows(table, offset: offset, limit: ArchivedTable.pageSize)
                        if !rows.isEmpty { try Self.insert(rows, into: table, session) }
                        offset += rows.count
                        if rows.count < ArchivedTable.pageSize { break }
                    }
                    if table.hasIdentity {
                        // New rows continue after the copied ids.
                        try session.execute("""
                            SELECT setval(pg_get_serial_sequence('\(table.name)', 'id'), coalesce((SELECT max(id) FROM \(table.name)), 0) + 1, false)
                            """)
                    }
                    copied.append((table.name, offset))
                }
                try session.execute("UPDATE ledger_head SET log_size = (SELECT count(*) FROM log_entry) WHERE id = 1")
                return copied
            }
            frontier.withLock { $0 = nil }
            changes.committed()
            return copied
        }
    }

    private static func insert(_ rows: [[LedgerCell]], into table: ArchivedTable, _ session: PostgresSession) throws(LedgerError) {
        var values: [SQLValue] = []
        values.reserveCapacity(rows.count * table.columns.count)
        var tuples: [String] = []
        for row in rows {
            guard row.count == table.columns.count else { throw .storage("\(table.name): a row of \(row.count) values for \(table.columns.count) columns") }
            var marks: [String] = []
            for cell in row {
                switch cell {
                case .null: values.append(.text(nil))
                case let .integer(value): values.append(.integer(value))
                case let .text(value): values.append(.text(value))
                case let .bytes(value): values.append(.bytes(value))
                }
                marks.append("$\(values.count)")
            }
            tuples.append("(" + marks.joined(separator: ", ") + ")")
        }
        do {
            try session.execute("INSERT INTO \(table.name) (\(table.columns.joined(separator: ", "))) VALUES \(tuples.joined(separator: ", "))", values)
        } catch {
            throw .storage("copying \(table.name): \(error)")
        }
    }
}

extension PostgresSession {
    /// Rows as plain values, typed by what PostgreSQL says each column is.
    func cells(_ sql: String, _ values: [SQLValue]) throws(LedgerError) -> [[LedgerCell]] {
        try rawRows(sql, values).map { row throws(LedgerError) in
            try row.map { cell throws(LedgerError) -> LedgerCell in
                guard cell.bytes != nil else { return .null }
                do {
                    switch cell.dataType {
                    case .int2: return .integer(Int64(try cell.decode(Int16.self)))
                    case .int4: return .integer(Int64(try cell.decode(Int32.self)))
                    case .int8: return .integer(try cell.decode(Int64.self))
                    case .bytea: return .bytes(Array(try cell.decode(ByteBuffer.self).readableBytesView))
                    default: return .text(try cell.decode(String.self))
                    }
                } catch {
                    throw .storage("column \(cell.columnName): \(error)")
                }
            }
        }
    }
}
