/// What registries reported (pushes, pulls, deletes) and what LLM usage cost.
package protocol UsageReading: Sendable {
    /// Every service's usage per UTC day from `from` through `through` (dates, inclusive).
    func dailyUsage(from: String, through: String) throws(LedgerError) -> [DailyUsage]
}

package protocol UsageStore: UsageReading {
    /// Records registry events in one transaction, oldest first; an event id seen before is skipped.
    /// Returns, per event in the order given, whether it was new.
    func record(_ events: [RegistryEvent], at time: Timestamp) throws(LedgerError) -> [Bool]
    /// Stores token-cost samples in one transaction: each replaces the sample with its (source, id), and
    /// `replacingDays` (service, day) lose their daily-metrics samples first. Returns how many samples replaced one.
    func record(_ samples: [TokenCostSample], replacingDays: [(service: String, day: String)], at time: Timestamp) throws(LedgerError) -> Int
}
