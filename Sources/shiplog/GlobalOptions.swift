import ArgumentParser
import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogRemote
import ShiplogStore

/// Options every command accepts after its own name (`shiplog builds --json`).
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The ledger: a file, or postgres://USER[:PASSWORD]@HOST[:PORT]/DB (env SHIPLOG_DB).", valueName: "path|url"))
    var db: String?

    @Option(name: .long, help: ArgumentHelp("Connections to a PostgreSQL ledger, at most (env SHIPLOG_DB_POOL, 10).", valueName: "n"))
    var dbPool: Int?

    @Option(name: .long, help: ArgumentHelp("Run the command against this shiplog server instead (env SHIPLOG_SERVER).", valueName: "url"))
    var server: String?

    @Option(name: .long, help: ArgumentHelp("The server's bearer token (env SHIPLOG_TOKEN).", valueName: "token"))
    var token: String?

    @Flag(name: .long, help: "Print machine-readable JSON instead of a table.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("The largest input file (or standard input) to read, in bytes.", valueName: "bytes"))
    var maxInputBytes: Int = InputFile.defaultLimit

    /// A FILE argument (`-` is standard input), at most `--max-input-bytes` long.
    func read(_ path: String) throws(LedgerError) -> Data { try InputFile.read(path, limit: maxInputBytes) }

    var databasePath: String { db ?? Self.environment("SHIPLOG_DB") ?? "./shiplog.sqlite" }
    var serverURL: String? { server ?? Self.environment("SHIPLOG_SERVER") }

    /// Environment variables are read here, in the executable, and nowhere else; empty counts as unset.
    static func environment(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The passphrase of encrypted private key files.
    static var keyPassphrase: String? { environment("SHIPLOG_KEY_PASSPHRASE") }

    /// The ledger the command runs against: a server when one is named, else the local file.
    func api() throws(LedgerError) -> any LedgerAPI {
        if let serverURL { return try RemoteLedger(server: serverURL, token: token ?? Self.environment("SHIPLOG_TOKEN")) }
        let database = try LedgerDatabase.open(databasePath, pool: try poolSize())
        var ledger = ReleaseLedger(store: database.store)
        ledger.progress = TerminalProgress.standardError?.report
        return LocalLedger(ledger: ledger, logKey: database.logKey)
    }

    /// `--db-pool`, else SHIPLOG_DB_POOL, else 10.
    func poolSize() throws(LedgerError) -> Int {
        try Self.poolSize(flag: dbPool, environment: Self.environment("SHIPLOG_DB_POOL"))
    }

    static func poolSize(flag: Int?, environment: String?) throws(LedgerError) -> Int {
        if let flag { return flag }
        guard let text = environment else { return LedgerDatabase.defaultPool }
        guard let number = Int(text) else {
            throw .invalidInput(InvalidInput(field: "SHIPLOG_DB_POOL", value: text, reason: "a number of connections, 1 to 1000"))
        }
        return number
    }

    /// The application names what was wrong by its fields; the CLI, by the flags that set them.
    static let flags = [
        "environment": "--env", "service": "--service", "slot": "--slot", "slots": "--slots", "image": "--image",
        "name": "--name", "status": "--status", "reason": "--reason", "to_previous": "--to-previous",
        "tree_size": "--size", "from": "--from", "to": "--to", "scopes": "--scope", "key": "--key",
        "commit": "--commit", "ref": "--ref", "run_id": "--run-id", "run_url": "--run-url", "builder": "--builder",
        "labels": "--label", "detail": "--detail", "actor": "--actor",
    ]

    /// Runs `body` against the ledger and turns ledger errors into the contract's exit codes, fields named
    /// by `flags`.
    func run(flags: [String: String] = Self.flags, _ body: (any LedgerAPI) async throws(LedgerError) -> Void) async {
        do { try await body(try api()) } catch { Terminal.fail(error.naming(flags)) }
        TerminalProgress.standardError?.clear()
    }

    /// Prints a document as JSON with `--json`, else as the text `render` makes of it.
    func show(_ document: Document, _ render: (JSONValue) -> String) throws(LedgerError) {
        if json { Terminal.printJSON(document) } else { Terminal.print(render(try document.json())) }
    }
}

enum Terminal {
    /// One line on standard error, then the exit code the contract gives this kind of failure.
    static func fail(_ error: LedgerError) -> Never {
        let code: Int32
        switch error {
        case .invalidInput, .unknown: code = 65
        case .notFound: code = 1
        case .unreachable: code = 69
        case .storage: code = 70
        case .denied: code = 77
        }
        TerminalProgress.standardError?.clear()
        FileHandle.standardError.write(Data("shiplog: \(error.description)\n".utf8))
        exit(code)
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data("shiplog: \(text)\n".utf8))
    }

    static func print(_ text: String) {
        TerminalProgress.standardError?.clear()
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    static func printJSON(_ value: some Encodable) {
        do {
            print(String(decoding: try ContractJSON.pretty.encode(value), as: UTF8.self))
        } catch {
            fail(.storage("could not encode output: \(error)"))
        }
    }
}

/// Reading the contract's documents for tables: a missing or null value shows as `-`.
extension JSONValue {
    var items: [JSONValue] { arrayValue ?? [] }

    func flag(_ key: String) -> Bool {
        if case let .bool(value)? = self[key] { return value }
        return false
    }

    /// `repo:tag` (or just `repo`) from a document with `repository` and `tag`.
    var imageName: String {
        text("repository") + (self["tag"]?.stringValue.map { ":" + $0 } ?? "")
    }
}
