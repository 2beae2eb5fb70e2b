import ArgumentParser
import ShiplogApp
import ShiplogCore

/// `shiplog store copy`: moving a ledger between backends.
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "The ledger's storage: copy a whole ledger between a SQLite file and PostgreSQL.",
        subcommands: [Copy.self])

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "copy", abstract: "Copy a whole ledger into an empty one; both then have the same log root.",
            discussion: """
                SOURCE and TARGET are each a ledger file or a postgres://USER[:PASSWORD]@HOST[:PORT]/DB URL. The target must be
                empty (a new file, or a database with no ledger rows). Stop writers on the source first: the copy holds what the
                source held when each table was read. Check the copy with `shiplog log verify --db TARGET`.
                """)

        @Option(help: ArgumentHelp("The ledger to copy.", valueName: "path|url")) var from: String
        @Option(help: ArgumentHelp("The empty ledger to copy into (created when it is a new file).", valueName: "path|url")) var to: String
        @Option(help: ArgumentHelp("Connections to a PostgreSQL ledger, at most (env SHIPLOG_DB_POOL, 10).", valueName: "n")) var dbPool: Int?
        @Flag(help: "Print machine-readable JSON instead of a line.") var json = false

        func run() async throws {
            do throws(LedgerError) {
                guard LedgerLocation.redacted(from) != LedgerLocation.redacted(to) else {
                    throw .invalidInput(InvalidInput(field: "--to", value: LedgerLocation.redacted(to), reason: "the target is the source"))
                }
                let pool = try GlobalOptions.poolSize(flag: dbPool, environment: GlobalOptions.environment("SHIPLOG_DB_POOL"))
                let source = try LedgerDatabase.open(from, pool: pool, creating: false)
                let target = try LedgerDatabase.open(to, pool: pool)
                let summary = try LedgerCopy.run(from: source.archive, named: LedgerLocation.redacted(from),
                                                 to: target.archive, named: LedgerLocation.redacted(to))
                try source.close()
                try target.close()
                if json {
                    Terminal.printJSON(summary)
                } else {
                    let rows = summary.tables.reduce(0) { $0 + $1.rows }
                    Terminal.print("copied \(rows) rows in \(summary.tables.count) tables; log: \(summary.logSize) entries"
                                   + (summary.logSize > 0 ? ", the same root on both" : ""))
                }
            } catch {
                Terminal.fail(error)
            }
        }
    }
}
