import ArgumentParser
import Foundation
import ShiplogApp
import ShiplogCore

extension DeliveryReport.Period: ExpressibleByArgument {}

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Reports computed from the ledger's facts.", subcommands: [Dora.self])

    struct Dora: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "dora",
            abstract: "The four DORA keys of an environment per service and period: deploys, lead time, change failure rate, time to restore.",
            discussion: """
                A deploy counts once it finished; it failed when it did not end good (a check failed, it finished failed, or its image
                was marked bad, even later). Lead time runs from the commit's time to the deploy's start; a restore is the service's
                first good deploy after a failure, timed from that failure's start. docs/dora.md gives every definition.
                """)

        @Option(name: .customLong("env"), help: "The environment.") var environment: String
        @Option(help: ArgumentHelp("First day (UTC); default 29 days before --to.", valueName: "date")) var from: String?
        @Option(help: ArgumentHelp("Last day (UTC), inclusive; default today.", valueName: "date")) var to: String?
        @Option(help: "week (ISO, from Monday) or month.") var by: DeliveryReport.Period = .week
        @Option(help: "Only this service.") var service: String?
        @Option(help: "table, json or csv (--json is json).") var format: CostCommand.Format = .table
        @OptionGroup var global: GlobalOptions

        static let columns = ["deploys", "deploy_days", "lead_time_median_s", "change_failure_rate", "failed_deploys", "restores",
                              "time_to_restore_median_s"]
        static let bands = ["deployment_frequency", "lead_time", "change_failure_rate", "time_to_restore"]

        func run() async {
            await global.run(flags: GlobalOptions.flags.merging(["from": "--from", "to": "--to", "environment": "--env"]) { $1 }) {
                api throws(LedgerError) in
                let report = try await api.deliveryReport(DeliveryReportRequest(environment: environment, from: from, to: to, by: by, service: service))
                if global.json || format == .json {
                    Terminal.printJSON(report)
                    return
                }
                let document = try report.json()
                let empty = format == .csv ? "" : "-"
                func cells(_ row: JSONValue) -> [String] {
                    Self.columns.map { column in row[column].map { $0 == .null ? empty : row.text(column) } ?? empty }
                        + Self.bands.map { band in row["bands"]?[band].map { $0 == .null ? empty : row["bands"]?.text(band) ?? empty } ?? empty }
                }
                let rows = document.items("rows").map { [$0.text("service"), $0.text("period")] + cells($0) }
                let totalRow = ["TOTAL", ""] + cells(document["totals"] ?? .null)
                if format == .csv {
                    let header = ["service", "period"] + Self.columns + Self.bands.map { "band_\($0)" }
                    let lines = ([header] + rows + [totalRow]).map { $0.map(CostCommand.Report.csvField).joined(separator: ",") }
                    Terminal.print(lines.joined(separator: "\n"))
                } else {
                    var table = TextTable(header: ["SERVICE", "PERIOD", "DEPLOYS", "DAYS", "LEAD TIME s", "CFR", "FAILED", "RESTORES",
                                                   "RESTORE s", "FREQ", "LEAD", "CFR", "RESTORE"])
                    table.rows = rows + [totalRow]
                    let notes = document.items("notes").compactMap(\.stringValue).map { "note: \($0)" }
                    Terminal.print((["\(document.text("environment")): \(document.text("from")) to \(document.text("to")) by \(document.text("by"))",
                                     table.rendered] + notes).joined(separator: "\n"))
                }
            }
        }
    }
}
