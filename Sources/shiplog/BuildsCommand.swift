import ArgumentParser
import ShiplogApp
import ShiplogCore

struct BuildsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "builds", abstract: "List recorded builds, newest first.")

    @Option(help: "Only this service's builds.") var service: String?
    @Option(help: ArgumentHelp("Only builds at or after this time (RFC 3339 or YYYY-MM-DD).", valueName: "time")) var since: String?
    @Option(help: "At most this many builds.") var limit: Int = 100
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() async {
        var query = BuildQuery(limit: limit)
        do {
            if let service { query.service = try ServiceName.validate(service) }
        } catch { Terminal.fail(.invalidInput(error.at("--service"))) }
        do {
            if let since { query.since = try Timestamp(rfc3339: since) }
        } catch { Terminal.fail(.invalidInput(error.at("--since"))) }
        await global.run { api throws(LedgerError) in
            try global.show(try await api.builds(query)) { builds in
                var table = TextTable(header: ["ID", "SERVICE", "IMAGE", "DIGEST", "COMMIT", "BUILT"])
                table.rows = builds.items.map { build in
                    [build.text("id"), build.text("service"), build.imageName, TextTable.short(build.text("digest")),
                     String(build.text("commit").prefix(12)), build.text("built_at")]
                }
                return table.rendered
            }
        }
    }
}
