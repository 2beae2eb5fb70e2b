import ArgumentParser
import ShiplogApp
import ShiplogCore

struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "Bearer tokens for the server.", subcommands: [Create.self, List.self, Revoke.self])

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

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Every token: name, scopes, when made and revoked (never a secret).")
        @OptionGroup var global: GlobalOptions

        func run() async {
            await global.run { api throws(LedgerError) in
                try global.show(try await api.listTokens()) { tokens in
                    var table = TextTable(header: ["NAME", "SCOPES", "CREATED", "REVOKED"])
                    table.rows = tokens.items.map { token in
                        [token.text("name"), token.items("scopes").compactMap(\.stringValue).joined(separator: ","), token.text("created_at"),
                         token.text("revoked_at")]
                    }
                    return table.rendered
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token: it is refused from now on.")
        @Argument(help: "The token's name.") var name: String
        @OptionGroup var global: GlobalOptions

        func run() async {
            await global.run(flags: GlobalOptions.flags.merging(["token": "token"]) { $1 }) { api throws(LedgerError) in
                try global.show(try await api.revokeToken(name: name)) { token in "token \(token.text("name")) revoked at \(token.text("revoked_at"))" }
            }
        }
    }
}
