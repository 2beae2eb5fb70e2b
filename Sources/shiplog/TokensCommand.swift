import ArgumentParser
import ShiplogApp
import ShiplogCore

struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "Bearer tokens for the server.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create",
            abstract: "Make a token and print it once; the ledger keeps only its SHA-256.",
            discussion: "Scopes: read, builds:write, deploys:write, sign, usage:write, admin (admin may do everything).")

        @Option(help: "What the token is for, e.g. ci-main.") var name: String
        @Option(name: .customLong("scope"), help: ArgumentHelp("A scope, repeatable.", valueName: "scope")) var scopes: [String] = []
        @OptionGroup var global: GlobalOptions

        func run() async {
            var parsed = Set<Scope>()
            for text in scopes {
                do { parsed.insert(try Scope.parse(text)) } catch { Terminal.fail(.invalidInput(error.at("--scope"))) }
            }
            await global.run { api throws(LedgerError) in
                try global.show(try await api.createToken(name: name, scopes: parsed)) { $0.text("token") }
            }
        }
    }
}
