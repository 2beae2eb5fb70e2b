import Foundation

/// Money as whole micro-dollars: sums are exact (no binary floating point), and one micro-dollar is finer
/// than any per-token price Langfuse reports.
package struct MicroDollars: Sendable, Hashable, Comparable, Encodable, CustomStringConvertible {
    package var value: Int64

    package init(_ value: Int64) { self.value = value }

    /// From a decimal amount of dollars, rounded half away from zero to the micro-dollar.
    package init(dollars: Decimal) {
        var scaled = dollars * 1_000_000
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        value = NSDecimalNumber(decimal: rounded).int64Value
    }

    package static func < (lhs: MicroDollars, rhs: MicroDollars) -> Bool { lhs.value < rhs.value }
    package static func + (lhs: MicroDollars, rhs: MicroDollars) -> MicroDollars { MicroDollars(lhs.value + rhs.value) }

    /// Dollars with six decimals, exactly (what the report's JSON numbers carry).
    package var dollars: Decimal { Decimal(value) / 1_000_000 }

    /// The contract writes money as a JSON number of dollars.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(dollars)
    }

    package var description: String {
        let sign = value < 0 ? "-" : ""
        let magnitude = value.magnitude
        let fraction = String(magnitude % 1_000_000)
        return "\(sign)\(magnitude / 1_000_000).\(String(repeating: "0", count: 6 - fraction.count))\(fraction)"
    }

    /// `self / count`, rounded half away from zero; nil when dividing by zero.
    package func divided(by count: Int64, per unit: Int64 = 1) -> MicroDollars? {
        guard count > 0 else { return nil }
        let numerator = Decimal(value) * Decimal(unit)
        var quotient = numerator / Decimal(count)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &quotient, 0, .plain)
        return MicroDollars(NSDecimalNumber(decimal: rounded).int64Value)
    }
}

/// LLM usage attributed to a service: one model's tokens and cost on one day, or one generation.
package struct TokenCostSample: Sendable, Hashable {
    /// `langfuse-daily` or `langfuse-observation`.
    package var source: String
    /// What re-ingesting replaces: `SERVICE/DAY/MODEL` for daily metrics, the observation id otherwise.
    package var sourceID: String
    package var service: String
    package var day: String
    package var time: Timestamp?
    package var model: String?
    package var inputTokens: Int64
    package var outputTokens: Int64
    package var totalTokens: Int64
    package var cost: MicroDollars

    package init(source: String, sourceID: String, service: String, day: String, time: Timestamp?, model: String?,
                inputTokens: Int64, outputTokens: Int64, totalTokens: Int64, cost: MicroDollars) {
        self.source = source
        self.sourceID = sourceID
        self.service = service
        self.day = day
        self.time = time
        self.model = model
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.totalTokens = totalTokens
        self.cost = cost
    }
}
