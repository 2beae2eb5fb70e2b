import ArgumentParser
import ShiplogApp
import ShiplogCore

struct OidcCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oidc", abstract: "Which CI jobs may write with their OIDC token (trusted publishing), for serve --oidc-issuer.",
        subcommands: [Trust.self, List.self, Revoke.self])

    struct Trust: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "trust",
            abstract: "Let the jobs of a repository (narrowed by ref, environment, workflow) write with the scopes given.",
            discussion: """
                A token is let in when every constraint given equals its claim (repository, repository_id, ref, environment, and the
                path of job_workflow_ref); the most specific matching rule grants its scopes. Without --repository-id the rule is
                pinned to the id of the first token it lets in, so a repository re-created under the same name is not trusted.
                Scopes: read, builds:write, deploys:write, sign, usage:write (never admin).
                """)
        @Option(help: ArgumentHelp("The GitHub repository.", valueName: "OWNER/REPO")) var repository: String
        @Option(help: ArgumentHelp("Its numeric id (the token's repository_id claim).", valueName: "id")) var repositoryId: String?
        @Option(help: ArgumentHelp("Only jobs on this ref.", valueName: "refs/heads/main")) var ref: String?
        @Option(help: ArgumentHelp("Only jobs in this GitHub environment.", valueName: "name")) var environment: String?
        @Option(help: ArgumentHelp("Only jobs of this workflow file.", valueName: ".github/workflows/NAME.yml")) var workflow: String?
        @Option(name: .customLong("scope"), help: ArgumentHelp("A scope, repeatable.", valueName: "scope")) var scopes: [String] = []
        @OptionGroup var global: GlobalOptions

        func run() async {
            var parsed = Set<Scope>()
            for text in scopes {
                do { parsed.insert(try Scope.parse(text)) } catch { Terminal.fail(.invalidInput(error.at("--scope"))) }
            }
            let rule: NewTrustRule
            do {
                rule = try NewTrustRule(repository: repository, repositoryID: repositoryId, ref: ref, environment: environment, workflow: workflow,
                                        scopes: parsed)
            } catch { Terminal.fail(LedgerError.invalidInput(error).naming(OidcCommand.flags)) }
            await global.run(flags: OidcCommand.flags) { api throws(LedgerError) in
                try global.show(try await api.trustIdentity(rule)) { rule in "rule \(rule.text("id")): \(OidcCommand.describe(rule))" }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Every trust rule, revoked ones too.")
        @OptionGroup var global: GlobalOptions

        func run() async {
            await global.run { api throws(LedgerError) in
                try global.show(try await api.identityTrustRules()) { list in
                    var table = TextTable(header: ["ID", "REPOSITORY", "REPOSITORY ID", "REF", "ENVIRONMENT", "WORKFLOW", "SCOPES", "CREATED", "REVOKED"])
                    table.rows = list.items("rules").map { rule in
                        [rule.text("id"), rule.text("repository"), rule.text("repository_id"), rule.text("ref"), rule.text("environment"),
                         rule.text("workflow"), rule.items("scopes").compactMap(\.stringValue).joined(separator: ","), rule.text("created_at"),
                         rule.text("revoked_at")]
                    }
                    return table.rendered
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a trust rule: its jobs' tokens are refused from now on.")
        @Argument(help: "The rule's id.") var id: Int64
        @OptionGroup var global: GlobalOptions

        func run() async {
            await global.run(flags: OidcCommand.flags) { api throws(LedgerError) in
                try global.show(try await api.revokeIdentityTrust(id: id)) { rule in "rule \(rule.text("id")) revoked at \(rule.text("revoked_at"))" }
            }
        }
    }

    static let flags = GlobalOptions.flags.merging(["repository": "--repository", "repository_id": "--repository-id", "workflow": "--workflow",
                                                    "scopes": "--scope", "id": "id"]) { $1 }

    static func describe(_ rule: JSONValue) -> String {
        var parts = [rule.text("repository")]
        for (key, label) in [("repository_id", "id"), ("ref", "ref"), ("environment", "environment"), ("workflow", "workflow")]
        where rule[key]?.stringValue != nil {
            parts.append("\(label) \(rule.text(key))")
        }
        return parts.joined(separator: ", ") + " -> " + rule.items("scopes").compactMap(\.stringValue).joined(separator: ",")
    }
}
