import ArgumentParser
import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogMCP

struct McpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "A Model Context Protocol server on standard input and output, for agents: read-only tools over the ledger.",
        discussion: """
            Tools: live, lkg, rollback_plan, image, verify, builds, cost_report, dora, policy_check. Each returns the document
            `shiplog ... --json` prints as structured content, and a one-line summary as text. On the local file, or with
            --server on a shiplog server with the token's scopes (a read token is enough). docs/mcp.md shows client set-ups.
            """)
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let api: any LedgerAPI
        do { api = try global.api() } catch { Terminal.fail(error) }
        // A client that hangs up mid-answer is an error on that write (then end of input), not a SIGPIPE death.
        signal(SIGPIPE, SIG_IGN)
        // Standard output carries the protocol: nothing else may be printed there.
        let changes = (api as? LocalLedger)?.ledger.store
        try await LedgerMCPServer(api: api, version: ShiplogCommand.configuration.version, changes: changes).run()
    }
}
