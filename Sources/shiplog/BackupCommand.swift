import ArgumentParser
import Foundation
import ShiplogCore
import ShiplogStore

/// `shiplog backup FILE`: a consistent copy of a live SQLite ledger, taken while servers and CLI jobs go on writing.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent copy of the ledger file to FILE (SQLite's online backup; writers need not stop).",
        discussion: """
            The copy holds every write committed before the backup began. Check it with
            `shiplog log verify --db FILE --public-key LOG.pub` (the log's key is not copied: `shiplog log public-key`).
            """)

    @Argument(help: ArgumentHelp("Where to write the copy; an existing file is never replaced.", valueName: "FILE")) var file: String
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        do throws(LedgerError) {
            guard global.serverURL == nil else {
                throw .invalidInput(InvalidInput(field: "--server", reason: "a backup is taken where the ledger file is; run it on that machine"))
            }
            let source = global.databasePath
            guard !source.hasPrefix("postgres://"), !source.hasPrefix("postgresql://") else {
                throw .invalidInput(InvalidInput(field: "--db", value: LedgerLocation.redacted(source),
                                                 reason: "back up PostgreSQL with its own tools (pg_dump) or copy it to a file with `shiplog store copy`"))
            }
            guard FileManager.default.fileExists(atPath: source) else {
                throw .invalidInput(InvalidInput(field: "--db", value: source, reason: "no ledger file there"))
            }
            let entries = try SQLiteLedger(path: source).backup(to: file)
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            if global.json {
                Terminal.printJSON(BackupSummary(file: file, bytes: size, logSize: entries))
            } else {
                Terminal.print("backup: \(file) (\(size) bytes, \(entries) log entries)")
            }
        } catch {
            Terminal.fail(error)
        }
    }
}

/// `shiplog backup --json`: `{"file","bytes","log_size"}`.
struct BackupSummary: Encodable {
    var file: String
    var bytes: Int
    var logSize: Int64

    enum CodingKeys: String, CodingKey {
        case file, bytes
        case logSize = "log_size"
    }
}
