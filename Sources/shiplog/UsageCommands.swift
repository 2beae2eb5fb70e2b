import ArgumentParser
import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogRemote

extension CostReport.Period: ExpressibleByArgument {}
extension LangfuseClient.Kind: ExpressibleByArgument {}

/// `--service` and `--service-from`: who the usage belongs to.
struct UsageAttribution: ParsableArguments {
    @Option(help: "The service (agent) the usage belongs to; for observations, the fallback when --service-from finds none.")
    var service: String?
    @Option(help: ArgumentHelp("For observations: trace-name, metadata:KEY or tag:PREFIX (e.g. tag:agent:).", valueName: "mapping"))
    var serviceFrom: String?

    func mapping() -> LangfuseExport.ServiceMapping? {
        guard let serviceFrom else { return nil }
        do { return try LangfuseExport.ServiceMapping(parsing: serviceFrom) } catch { Terminal.fail(.invalidInput(error.at("--service-from"))) }
    }
}

enum UsageSummary {
    static func show(_ document: Document, _ global: GlobalOptions) throws(LedgerError) {
        try global.show(document) { summary in
            "\(summary.text("source")): \(summary.text("samples")) samples (\(summary.text("replaced")) replacing earlier ones), "
                + "\(summary.text("total_tokens")) tokens, $\(summary.text("cost_usd")); \(summary.text("ignored")) ignored (not generations)"
        }
    }
}

extension IngestCommand {
    struct Langfuse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "langfuse",
            abstract: "Ingest Langfuse usage: a daily-metrics response (with --service) or an export of observations.",
            discussion: "Re-ingesting the same day or observation replaces it; nothing is counted twice.")

        @Argument(help: ArgumentHelp("The file, or - for standard input.", valueName: "file")) var file: String
        @OptionGroup var attribution: UsageAttribution
        @OptionGroup var global: GlobalOptions

        func run() async {
            let mapping = attribution.mapping()
            await global.run { api throws(LedgerError) in
                try UsageSummary.show(try await api.ingestLangfuse(try global.read(file), source: file, service: attribution.service,
                                                                   mapping: mapping), global)
            }
        }
    }
}

struct LangfuseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "langfuse", abstract: "Usage from a Langfuse server.", subcommands: [Pull.self])

    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pull",
            abstract: "Fetch daily metrics or generations from a Langfuse server (basic auth, every page) and ingest them.",
            discussion: "Each page is ingested as it arrives; pulling the same days again replaces them.")

        @Option(help: "The Langfuse server, e.g. https://cloud.langfuse.com.") var host: String
        @Option(help: "The project's public key (pk-lf-...).") var publicKey: String
        @Option(help: "The project's secret key (sk-lf-...); or set LANGFUSE_SECRET_KEY.") var secretKey: String?
        @Option(help: ArgumentHelp("First day (UTC).", valueName: "date")) var from: String
        @Option(help: ArgumentHelp("Last day (UTC), inclusive.", valueName: "date")) var to: String
        @Option(help: "daily (metrics by model; needs --service) or observations (generations; --service-from).") var what: LangfuseClient.Kind = .daily
        @Option(help: "Only this trace name.") var traceName: String?
        @OptionGroup var attribution: UsageAttribution
        @OptionGroup var global: GlobalOptions

        func run() async {
            let mapping = attribution.mapping()
            guard let secret = secretKey ?? GlobalOptions.environment("LANGFUSE_SECRET_KEY") else {
                Terminal.fail(.invalidInput(InvalidInput(field: "--secret-key", reason: "give --secret-key or set LANGFUSE_SECRET_KEY")))
            }
            await global.run { api throws(LedgerError) in
                let start: Timestamp
                let end: Timestamp
                do throws(ValueError) { start = try Timestamp(rfc3339: from) } catch { throw .invalidInput(error.at("--from")) }
                do throws(ValueError) { end = try Timestamp(rfc3339: to) } catch { throw .invalidInput(error.at("--to")) }
                let client = try LangfuseClient(host: host, publicKey: publicKey, secretKey: secret)
                var pages: Int?
                try await client.fetch(what, from: start, to: end, traceName: traceName) { number, data throws(LedgerError) in
                    TerminalProgress.standardError?.report("langfuse pull: page \(number)\(pages.map { " of \($0)" } ?? "")")
                    let document = try await api.ingestLangfuse(data, source: "\(host) page \(number)", service: attribution.service, mapping: mapping)
                    try UsageSummary.show(document, global)
                    // The page count the response announced, to know when to stop.
                    let meta = try? JSONDecoder().decode(JSONValue.self, from: data)
                    if case let .integer(total)? = meta?["meta"]?["totalPages"] { pages = Int(total) }
                    return pages
                }
            }
        }
    }
}

struct CostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost", abstract: "What each service's LLM usage cost against its pulls and deploys.", subcommands: [Report.self])

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json, csv
    }

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "report",
            abstract: "Per service and period (UTC): tokens, cost, pulls, bytes pulled, deploys, failed deploys, cost per deploy and per 1,000 pulls.",
            discussion: "Money is summed exactly in micro-dollars and printed with six decimals. --from and --to are days, both included.")

        @Option(help: ArgumentHelp("First day (UTC).", valueName: "date")) var from: String
        @Option(help: ArgumentHelp("Last day (UTC), inclusive.", valueName: "date")) var to: String
        @Option(help: "day, week (ISO, from Monday) or month.") var by: CostReport.Period = .day
        @Option(help: "table, json or csv (--json is json).") var format: Format = .table
        @OptionGroup var global: GlobalOptions

        func run() async {
            await global.run { api throws(LedgerError) in
                let report = try await api.costReport(from: from, to: to, by: by)
                if global.json || format == .json {
                    Terminal.printJSON(report)
                    return
                }
                let document = try report.json()
                let columns = ["input_tokens", "output_tokens", "total_tokens", "cost_usd", "pulls", "bytes_pulled", "deploys",
                               "failed_deploys", "cost_per_deploy_usd", "cost_per_1k_pulls_usd"]
                let money: Set = ["cost_usd", "cost_per_deploy_usd", "cost_per_1k_pulls_usd"]
                func cell(_ row: JSONValue, _ column: String, empty: String) -> String {
                    guard let value = row[column], value != .null else { return empty }
                    if money.contains(column) { return Self.sixDecimals(value) }
                    return row.text(column)
                }
                let rows = document.items("rows").map { row in [row.text("service"), row.text("period")] + columns.map { cell(row, $0, empty: format == .csv ? "" : "-") } }
                let totals = document["totals"] ?? .null
                let totalRow = ["TOTAL", ""] + columns.map { cell(totals, $0, empty: format == .csv ? "" : "-") }
                if format == .csv {
                    Terminal.print((["service", "period"] + columns).joined(separator: ",") + "\n"
                        + (rows + [totalRow]).map { $0.map(Self.csvField).joined(separator: ",") }.joined(separator: "\n"))
                } else {
                    var table = TextTable(header: ["SERVICE", "PERIOD", "IN", "OUT", "TOKENS", "COST $", "PULLS", "BYTES", "DEPLOYS",
                                                   "FAILED", "$/DEPLOY", "$/1K PULLS"])
                    table.rows = rows + [totalRow]
                    Terminal.print("\(document.text("from")) to \(document.text("to")) by \(document.text("by"))\n" + table.rendered)
                }
            }
        }

        /// A money value with exactly six decimals, from the JSON number (never through Double formatting).
        static func sixDecimals(_ value: JSONValue) -> String {
            let text = switch value {
            case let .integer(number): String(number)
            case let .number(number): String(format: "%.6f", number)
            default: value.shortText
            }
            guard let dot = text.firstIndex(of: ".") else { return text + ".000000" }
            let decimals = text[text.index(after: dot)...]
            return decimals.count >= 6 ? String(text[...dot]) + decimals.prefix(6) : text + String(repeating: "0", count: 6 - decimals.count)
        }

        static func csvField(_ text: String) -> String {
            text.contains(",") || text.contains("\"") || text.contains("\n") ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
    }
}
