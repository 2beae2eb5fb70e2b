import Foundation
import ShiplogCore

extension ReleaseLedger {
    /// Records a Langfuse daily-metrics response (attributed to `service`) or an export of observations
    /// (attributed by `mapping`, else `service`), in one transaction, replacing what the same days or
    /// observations recorded before.
    package func ingestLangfuse(
        _ data: Data, source: String, service: String?, mapping: LangfuseExport.ServiceMapping?
    ) throws(LedgerError) -> UsageIngestSummary {
        var checkedService: String?
        if let service {
            do { checkedService = try ServiceName.validate(service) } catch { throw .invalidInput(error.at("service")) }
        }
        let parsed: LangfuseExport.Parsed
        do { parsed = try LangfuseExport.parse(data, source: source, service: checkedService, mapping: mapping) } catch {
            throw .invalidInput(error)
        }
        let days = parsed.days.compactMap { day in checkedService.map { (service: $0, day: day) } }
        if parsed.samples.count >= 1_000 { progress?("\(source): \(parsed.samples.count) samples read; recording them in one transaction") }
        let replaced = try store.record(parsed.samples, replacingDays: days, at: clock())
        return UsageIngestSummary(source: source, samples: parsed.samples.count, replaced: replaced, ignored: parsed.ignored,
                                  costUSD: parsed.samples.reduce(MicroDollars(0)) { $0 + $1.cost },
                                  totalTokens: parsed.samples.reduce(0) { $0 + $1.totalTokens })
    }

    /// Per service and period (UTC): tokens, cost, pulls, bytes pulled, deploys, failed deploys, and the ratios.
    package func costReport(from: String, to: String, by period: CostReport.Period) throws(LedgerError) -> CostReport {
        let start: Timestamp
        let end: Timestamp
        do { start = try Timestamp(rfc3339: from) } catch { throw .invalidInput(error.at("from")) }
        do { end = try Timestamp(rfc3339: to) } catch { throw .invalidInput(error.at("to")) }
        guard start <= end else {
            throw .invalidInput(InvalidInput(field: "to", value: to, reason: "the report ends before it starts (\(from))"))
        }
        return CostReport(from: start.date, to: end.date, by: period, days: try store.dailyUsage(from: start.date, through: end.date))
    }
}
