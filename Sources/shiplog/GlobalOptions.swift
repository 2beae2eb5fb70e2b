import ArgumentParser
import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogStore

/// Options every command accepts after its own name (`shiplog builds --json`).
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The ledger file (env SHIPLOG_DB).", valueName: "path"))
    var db: String?

    @Flag(name: .long, help: "Print machine-readable JSON instead of a table.")
    var json = false

    var databasePath: String {
        db ?? ProcessInfo.processInfo.environment["SHIPLOG_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? "./shiplog.sqlite"
    }

    /// Opens the ledger, runs `body`, and turns ledger errors into the contract's exit codes.
    /// `guardingLogKey`: commands that add keys to the trust store load the log's key so it can be refused;
    /// the others skip reading it (build record runs on every CI job).
    func run(guardingLogKey: Bool = false, _ body: (ReleaseLedger) throws(LedgerError) -> Void) throws {
        do {
            let store = try SQLiteLedger(path: databasePath)
            let logKey = guardingLogKey ? try LogKeyFile.signer(database: databasePath, create: false) : nil
            try body(ReleaseLedger(store: store, logKeyID: logKey?.publicKey.keyID))
        } catch {
            Terminal.fail(error)
        }
    }
}

enum Terminal {
    /// One line on standard error, then the exit code the contract gives this kind of failure.
    static func fail(_ error: LedgerError) -> Never {
        let code: Int32
        switch error {
        case .invalidInput: code = 65
        case .notFound: code = 1
        case .storage: code = 70
        }
        FileHandle.standardError.write(Data("shiplog: \(error.description)\n".utf8))
        exit(code)
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data("shiplog: \(text)\n".utf8))
    }

    static func print(_ text: String) {
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    static func printJSON(_ value: some Encodable) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            print(String(decoding: try encoder.encode(value), as: UTF8.self))
        } catch {
            fail(.storage("could not encode output: \(error)"))
        }
    }
}
