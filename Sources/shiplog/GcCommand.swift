import ArgumentParser
import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogRegistry

struct GcCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc", abstract: "Registry clean-up that never deletes what is live, an LKG, in the rollback window or in progress.",
        subcommands: [Plan.self, Apply.self])

    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "plan",
            abstract: "Per repository, what to keep (and every reason) and what to delete; nothing is deleted.")

        @Option(help: ArgumentHelp("Only repositories matching this glob.", valueName: "glob")) var repository = "*"
        @Option(help: ArgumentHelp("Keep the newest N pushed.", valueName: "N")) var keepLast = 10
        @Option(help: ArgumentHelp("Keep anything pushed within D days.", valueName: "D")) var keepDays = 14
        @Option(help: ArgumentHelp("Keep the newest K good deploys of every (environment, service).", valueName: "K")) var keepGood = 3
        @Option(name: .customLong("keep-tag"), help: ArgumentHelp("Keep manifests with a tag matching this glob (v*).", valueName: "glob"))
        var keepTags: [String] = []
        @Flag(help: "List tags and manifests from the registry itself instead of the ledger's tag history.") var fromRegistry = false
        @Option(help: ArgumentHelp("DigitalOcean's tags or manifests JSON (doctl ... list-tags -o json, or the API's).", valueName: "file"))
        var tags: String?
        @OptionGroup var registry: RegistryOptions
        @OptionGroup var global: GlobalOptions

        func run() async {
            let rules = RetentionRules(repository: repository, keepLast: keepLast, keepDays: keepDays, keepGood: keepGood, keepTags: keepTags)
            await global.run(flags: GlobalOptions.flags.merging(GcCommand.flags) { $1 }) { api throws(LedgerError) in
                var listing: RetentionListing?
                if let tags {
                    let data = try global.read(tags)
                    do throws(InvalidInput) {
                        listing = RetentionListing(source: "digitalocean", manifests: try DigitalOceanListing.parse(data, source: tags))
                    } catch { throw .invalidInput(error) }
                } else if fromRegistry {
                    // The ledger names the repositories; the registry says what is in them.
                    let names = try await api.planRetention(rules: rules, listing: nil).json().items("repositories").map { $0.text("repository") }
                    let repositories = names.compactMap { try? Repository(parsing: $0) }
                    listing = try await RegistryRetention(client: try registry.trust().client).listing(of: repositories)
                }
                try global.show(try await api.planRetention(rules: rules, listing: listing), GcCommand.planTable)
            }
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "apply",
            abstract: "Delete a plan's manifests through the registry API, each judged again first; record each deletion.",
            discussion: "Exit 0 when every deletion happened or was skipped as protected; 1 when the registry refused one or the plan named one it does not list.")

        @Argument(help: ArgumentHelp("The plan (gc plan --json), or - for standard input.", valueName: "plan.json")) var plan: String
        @Option(help: "text (default), or doctl: print DigitalOcean's delete-manifest and garbage-collection commands instead.")
        var format = "text"
        @Flag(help: "Judge the deletions again and say what would happen; delete nothing.") var dryRun = false
        @OptionGroup var registry: RegistryOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            guard ["text", "doctl"].contains(format) else {
                Terminal.fail(.invalidInput(InvalidInput(field: "--format", value: format, reason: "expected text or doctl")))
            }
            var clean = true
            await global.run { api throws(LedgerError) in
                let source = plan == "-" ? "standard input" : plan
                let data = try global.read(plan)
                let parsed: RetentionPlan
                do throws(InvalidInput) { parsed = try JSONInput.decode(RetentionPlan.self, from: data, source: source) } catch {
                    throw .invalidInput(error)
                }
                var listing: RetentionListing?
                if parsed.source == "registry" {
                    let repositories = parsed.repositories.compactMap { try? Repository(parsing: $0.repository) }
                    listing = try await RegistryRetention(client: try registry.trust().client).listing(of: repositories)
                }
                let judgeOnly = dryRun || format == "doctl"
                let deleter: (any ManifestDeleter)? = judgeOnly ? nil : RegistryRetention(client: try registry.trust().client)
                let result = try await api.applyRetention(parsed, listing: listing, deleter: deleter)
                let document = try result.json()
                clean = document.items("results").allSatisfy { ["deleted", "skipped"].contains($0.text("action")) }
                if format == "doctl" { return Terminal.print(GcCommand.doctl(document)) }
                try global.show(result, GcCommand.applyTable)
            }
            if !clean { throw ExitCode(1) }
        }
    }

    static let flags = ["keep_last": "--keep-last", "keep_days": "--keep-days", "keep_good": "--keep-good", "keep_tags": "--keep-tag"]

    static func planTable(_ plan: JSONValue) -> String {
        var table = TextTable(header: ["REPOSITORY", "ACTION", "DIGEST", "TAGS", "WHY"])
        for repository in plan.items("repositories") {
            let name = repository.text("repository")
            for kept in repository.items("keep") {
                table.rows.append([name, "keep", TextTable.short(kept.text("digest")), tags(kept),
                                   kept.items("reasons").compactMap(\.stringValue).joined(separator: ", ")])
            }
            for deleted in repository.items("delete") {
                table.rows.append([name, "delete", TextTable.short(deleted.text("digest")), tags(deleted), deleted.text("reason")])
            }
        }
        return table.rendered + "\n\(plan.text("kept")) kept, \(plan.text("deleted")) to delete (source: \(plan.text("source")))"
    }

    static func applyTable(_ result: JSONValue) -> String {
        var table = TextTable(header: ["REPOSITORY", "DIGEST", "RESULT", "DETAIL"])
        for item in result.items("results") {
            table.rows.append([item.text("repository"), TextTable.short(item.text("digest")), item.text("action"), item.text("detail")])
        }
        let verb = result.flag("dry_run") ? "would delete" : "deleted"
        return table.rendered + "\n\(result.text("deleted")) \(verb), \(result.text("skipped")) skipped (protected now), "
            + "\(result.text("refused")) refused, \(result.text("failed")) failed"
    }

    static func tags(_ entry: JSONValue) -> String {
        let list = entry.items("tags").compactMap(\.stringValue)
        return list.isEmpty ? "-" : list.joined(separator: ",")
    }

    /// DOCR's commands for the deletions the plan still allows, then the garbage collection that frees the space.
    static func doctl(_ result: JSONValue) -> String {
        var lines: [String] = ["# shiplog gc apply --format doctl: run with a DigitalOcean token (doctl auth init)"]
        var registries = Set<String>()
        for item in result.items("results") {
            let repository = item.text("repository"), digest = item.text("digest")
            guard item.text("action") == "deleted" else {
                lines.append("# \(item.text("action")): \(repository)@\(digest): \(item.text("detail"))")
                continue
            }
            let prefix = DigitalOceanListing.host + "/"
            guard repository.hasPrefix(prefix), let slash = repository.dropFirst(prefix.count).firstIndex(of: "/") else {
                lines.append("# not a DigitalOcean repository, delete it with the registry's own tools: \(repository)@\(digest)")
                continue
            }
            let name = String(repository.dropFirst(prefix.count)[..<slash])
            registries.insert(name)
            lines.append("doctl registry repository delete-manifest \(repository[repository.index(after: slash)...]) \(digest) --force")
        }
        for name in registries.sorted() {
            lines.append("doctl registry garbage-collection start \(name) --include-untagged-manifests --force")
        }
        return lines.joined(separator: "\n")
    }
}
