import Foundation

/// One service's usage on one UTC day, as the ledger sums it when usage arrives.
package struct DailyUsage: Sendable, Hashable {
    package var service: String
    package var day: String
    package var figures = CostReport.Figures()

    package init(service: String, day: String) {
        self.service = service
        self.day = day
    }
}

/// `cost report`: per service and period, what its LLM usage cost against how often it was pulled and deployed.
package struct CostReport: Sendable, Encodable {
    package enum Period: String, Sendable, CaseIterable, Codable {
        case day, week, month

        /// The UTC start date of the period holding `day` (weeks are ISO weeks, from Monday).
        package func start(of day: String) -> String {
            switch self {
            case .day: return day
            case .month: return String(day.prefix(7)) + "-01"
            case .week:
                guard let date = try? Timestamp(rfc3339: day) else { return day }
                let days = date.millisecondsSinceEpoch / 86_400_000
                let sinceMonday = ((days + 3) % 7 + 7) % 7  // 1970-01-01 was a Thursday
                return Timestamp(millisecondsSinceEpoch: (days - sinceMonday) * 86_400_000).date
            }
        }
    }

    package struct Figures: Sendable, Hashable, Encodable {
        package var inputTokens: Int64 = 0
        package var outputTokens: Int64 = 0
        package var totalTokens: Int64 = 0
        package var cost = MicroDollars(0)
        package var pulls: Int64 = 0
        package var bytesPulled: Int64 = 0
        /// Pulls whose size the registry reported: `bytesPulled` is their sum.
        package var sizedPulls: Int64 = 0
        package var deploys: Int64 = 0
        package var failedDeploys: Int64 = 0

        package init() {}

        mutating func add(_ other: Figures) {
            inputTokens += other.inputTokens
            outputTokens += other.outputTokens
            totalTokens += other.totalTokens
            cost = cost + other.cost
            pulls += other.pulls
            bytesPulled += other.bytesPulled
            sizedPulls += other.sizedPulls
            deploys += other.deploys
            failedDeploys += other.failedDeploys
        }

        package var costPerDeploy: MicroDollars? { cost.divided(by: deploys) }
        package var costPerThousandPulls: MicroDollars? { cost.divided(by: pulls, per: 1000) }

        enum CodingKeys: String, CodingKey {
            case pulls, deploys
            case inputTokens = "input_tokens", outputTokens = "output_tokens", totalTokens = "total_tokens", cost = "cost_usd"
            case bytesPulled = "bytes_pulled", failedDeploys = "failed_deploys"
            case costPerDeploy = "cost_per_deploy_usd", costPerThousandPulls = "cost_per_1k_pulls_usd"
        }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(inputTokens, forKey: .inputTokens)
            try container.encode(outputTokens, forKey: .outputTokens)
            try container.encode(totalTokens, forKey: .totalTokens)
            try container.encode(cost.dollars, forKey: .cost)
            try container.encode(pulls, forKey: .pulls)
            // Known only when some pull reported its size.
            try container.encode(sizedPulls > 0 ? bytesPulled : nil, forKey: .bytesPulled)
            try container.encode(deploys, forKey: .deploys)
            try container.encode(failedDeploys, forKey: .failedDeploys)
            try container.encode(costPerDeploy?.dollars, forKey: .costPerDeploy)
            try container.encode(costPerThousandPulls?.dollars, forKey: .costPerThousandPulls)
        }
    }

    package typealias Row = ReportRow<Figures>

    package var from: String
    package var to: String
    package var by: Period
    package var rows: [Row]
    package var totals: Figures

    /// Groups daily usage into periods, rows ordered by period then service.
    package init(from: String, to: String, by: Period, days: [DailyUsage]) {
        self.from = from
        self.to = to
        self.by = by
        var grouped: [String: [String: Figures]] = [:]
        var totals = Figures()
        for usage in days {
            grouped[by.start(of: usage.day), default: [:]][usage.service, default: Figures()].add(usage.figures)
            totals.add(usage.figures)
        }
        rows = grouped.keys.sorted().flatMap { period in
            grouped[period, default: [:]].keys.sorted().map { service in
                Row(service: service, period: period, figures: grouped[period]?[service] ?? Figures())
            }
        }
        self.totals = totals
    }
}
