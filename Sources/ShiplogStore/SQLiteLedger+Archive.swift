import Foundation
import GRDB
import ShiplogCore

extension SQLiteLedger: LedgerArchive {
    package func archivedRows(_ table: ArchivedTable, offset: Int, limit: Int) throws(LedgerError) -> [[LedgerCell]] {
        try read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT \(table.columns.joined(separator: ", ")) FROM \(table.name) ORDER BY \(table.key) LIMIT ? OFFSET ?"),
                             arguments: [limit, offset]).map { row in
                try (0 ..< row.count).map { index throws(LedgerError) -> LedgerCell in
                    switch (row[index] as DatabaseValue).storage {
                    case .null: return .null
                    case let .int64(value): return .integer(value)
                    case let .string(value): return .text(value)
                    case let .blob(value): return .bytes(Array(value))
                    case let .double(value):
                        throw .storage("\(table.name).\(table.columns[index]) holds a real number (\(value)); the ledger stores none")
                    }
                }
            }
        }
    }

    package func restore(from source: any LedgerArchive) throws(LedgerError) -> [(table: String, rows: Int)] {
        try write { db in
            for table in ArchivedTable.all where try Bool.fetchOne(db, sql: "SELECT 1 FROM \(table.name) LIMIT 1") == true {
                throw LedgerError.invalidInput(InvalidInput(field: "--to", reason: "the target ledger is not empty (its \(table.name) table has rows)"))
            }
            var copied: [(table: String, rows: Int)] = []
            for table in ArchivedTable.all {
                let marks = Array(repeating: "?", count: table.columns.count).joined(separator: ", ")
                let insert = try db.cachedStatement(sql: "INSERT INTO \(table.name) (\(table.columns.joined(separator: ", "))) VALUES (\(marks))")
                var offset = 0
                while true {
                    let rows = try source.archivedRows(table, offset: offset, limit: ArchivedTable.pageSize)
                    for row in rows {
                        try insert.execute(arguments: StatementArguments(row.map { cell -> (any DatabaseValueConvertible)? in
                            switch cell {
                            case .null: nil
                            case let .integer(value): value
                            case let .text(value): value
                            case let .bytes(value): Data(value)
                            }
                        }))
                    }
                    offset += rows.count
                    if rows.count < ArchivedTable.pageSize { break }
                }
                copied.append((table.name, offset))
            }
            // The copy's frontier is not this process's cached one.
            frontierCache.set(nil)
            return copied
        }
    }
}
