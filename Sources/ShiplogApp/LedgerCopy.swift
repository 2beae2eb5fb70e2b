import ShiplogCore

/// `shiplog store copy`: a whole ledger into an empty one (SQLite file to PostgreSQL and back), checked by holding the
/// copy's transparency log to the source's: the same size and the same root.
package enum LedgerCopy {
    package static func run(from source: any LedgerArchive & TransparencyLogReading, named from: String,
                            to target: any LedgerArchive & TransparencyLogReading, named to: String) throws(LedgerError) -> LedgerCopySummary {
        let copied = try target.restore(from: source)
        let size = try source.logSize()
        guard try target.logSize() == size else {
            throw .storage("the copy holds \(try target.logSize()) log entries, the source \(size)")
        }
        var root: [UInt8] = []
        if size > 0 {
            root = try source.logRoot(size: size)
            guard try target.logRoot(size: size) == root else { throw .storage("the copy's log root differs from the source's at size \(size)") }
        }
        return LedgerCopySummary(from: from, to: to, tables: copied.map { .init(table: $0.table, rows: $0.rows) }, logSize: size, rootHash: root)
    }
}

/// `{"from","to","tables":[{"table","rows"}],"log_size","root_hash"}` (root_hash standard base64, "" for an empty log).
package struct LedgerCopySummary: Sendable, Encodable {
    package struct Table: Sendable, Encodable {
        package var table: String
        package var rows: Int
    }

    package var from: String
    package var to: String
    package var tables: [Table]
    package var logSize: Int64
    @Base64Encoded package var rootHash: [UInt8]

    enum CodingKeys: String, CodingKey {
        case from, to, tables
        case logSize = "log_size", rootHash = "root_hash"
    }
}
