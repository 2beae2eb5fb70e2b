import ArgumentParser
import ShiplogApp
import ShiplogCore

struct BuildsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "builds", abstract: "List recorded builds, newest first.")

    @Option(help: "Only this service's builds.") var service: String?
    @Option(help: ArgumentHelp("Only builds at or after this time (RFC 3339 or YYYY-MM-DD).", valueName: "time")) var since: String?
    @Option(help: "At most this many builds.") var limit: Int = 100
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        var query = BuildQuery(limit: limit)
        do {
            if let service { query.service = try ServiceName.validate(service) }
        } catch { Terminal.fail(.invalidInput(error.at("--service"))) }
        do {
            if let since { query.since = try Timestamp(rfc3339: since) }
        } catch { Terminal.fail(.invalidInput(error.at("--since"))) }
        try global.run { ledger throws(LedgerError) in
            let builds = try ledger.builds(query)
            if global.json {
                Terminal.printJSON(builds)
                return
            }
            var table = TextTable(header: ["ID", "SERVICE", "IMAGE", "DIGEST", "COMMIT", "BUILT"])
            for build in builds {
                table.rows.append([
                    String(build.id), build.service, "\(build.repository):\(build.tag)", TextTable.short(build.digest),
                    build.commit.map { String($0.prefix(12)) } ?? "-", build.builtAt.description,
                ])
            }
            Terminal.print(table.rendered)
        }
    }
}
