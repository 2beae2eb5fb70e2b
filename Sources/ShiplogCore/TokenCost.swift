import Foundation

/// Money as whole micro-dollars: sums are exact (no binary floating point), and one micro-dollar is finer
/// than any per-token price Langfuse reports.
public struct MicroDollars: Sendable, Hashable, Comparable, Encodable, CustomStringConvertible {
    public var value: Int64

    public init(_ value: Int64) { self.value = value }

    /// From a decimal amount of dollars, rounded half away from zero to the micro-dollar.
    public init(dollars: Decimal) {
        var scaled = dollars * 1_000_000
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        value = NSDecimalNumber(decimal: rounded).int64Value
    }

    public static func < (lhs: MicroDollars, rhs: MicroDollars) -> Bool { lhs.value < rhs.value }
    public static func + (lhs: MicroDollars, rhs: MicroDollars) -> MicroDollars { MicroDollars(lhs.value + rhs.value) }

    /// Dollars with six decimals, exactly (what the report's JSON numbers carry).
    public var dollars: Decimal { Decimal(value) / 1_000_000 }

    /// The contract writes money as a JSON number of dollars.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(dollars)
    }

    public var description: String {
        let sign = value < 0 ? "-" : ""
        let magnitude = value.magnitude
        let fraction = String(magnitude % 1_000_000)
        return "\(sign)\(magnitude / 1_000_000).\(String(repeating: "0", count: 6 - fraction.count))\(fraction)"
    }

    /// `self / count`, rounded half away from zero; nil when dividing by zero.
    public func divided(by count: Int64, per unit: Int64 = 1) -> MicroDollars? {
        guard count > 0 else { return nil }
        let numerator = Decimal(value) * Decimal(unit)
        var quotient = numerator / Decimal(count)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &quotient, 0, .plain)
        return MicroDollars(NSDecimalNumber(decimal: rounded).int64Value)
    }
}

/// LLM usage attributed to a service: one model's tokens and cost on one day, or one generation.
public struct TokenCostSample: Sendable, Hashable {
    /// `langfuse-daily` or `langfuse-observation`.
    public var source: String
    /// What re-ingesting replaces: `SERVICE/DAY/MODEL` for daily metrics, the observation id otherwise.
    public var sourceID: String
    public var service: String
    public var day: String
    public var time: Timestamp?
    public var model: String?
    public var inputTokens: Int64
    public var outputTokens: Int64
    public var totalTokens: Int64
    public var cost: MicroDollars

    public init(source: String, sourceID: String, service: String, day: String, time: Timestamp?, model: String?,
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
