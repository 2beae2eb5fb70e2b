/// A finished deploy as delivery metrics read it: its service and times, the facts that decide whether
/// it ended good, and when the commit its image was built from was made. Only these, because a report
/// reads hundreds of thousands.
package struct DeliveryDeploy: Sendable, Hashable {
    package var service: String
    package var state: DeployState
    package var startedAt: Timestamp
    package var finishedAt: Timestamp?
    package var hasFailedCheck: Bool
    package var markedBad: Bool
    package var trustedSignature: Bool
    package var committedAt: Timestamp?

    package init(service: String, state: DeployState, startedAt: Timestamp, finishedAt: Timestamp?, hasFailedCheck: Bool, markedBad: Bool,
                 trustedSignature: Bool, committedAt: Timestamp?) {
        self.service = service
        self.state = state
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.hasFailedCheck = hasFailedCheck
        self.markedBad = markedBad
        self.trustedSignature = trustedSignature
        self.committedAt = committedAt
    }

    /// The contract's *good*, as `DeployFacts` judges it.
    package func isGood(protected: Bool) -> Bool {
        DeployFacts.isGood(state: state, hasFailedCheck: hasFailedCheck, markedBad: markedBad, trustedSignature: trustedSignature, protected: protected)
    }
}

/// `report dora`: the four DORA keys of one environment per service and period, from the ledger's own
/// facts (docs/dora.md gives each definition beside Four Keys' and DevLake's).
///
/// A deploy counts once it finished; it is a failure when it did not end good (the contract's *good*, as
/// `live` and `lkg` judge it now: a check failed, it finished failed, its image was later marked bad, or
/// in a protected environment its signature no longer counts). A restore is the first good deploy of the
/// service after a failure, timed from the start of the first failure to the restoring deploy's finish.
package struct DeliveryReport: Sendable, Encodable {
    package enum Period: String, Sendable, CaseIterable, Codable {
        case week, month

        var costPeriod: CostReport.Period { self == .week ? .week : .month }
    }

    /// DORA's published performance levels (State of DevOps 2023), one per key.
    package enum Band: String, Sendable, Encodable {
        case elite, high, medium, low
    }

    package struct Bands: Sendable, Hashable, Encodable {
        @Nullable package var deploymentFrequency: Band?
        @Nullable package var leadTime: Band?
        @Nullable package var changeFailureRate: Band?
        @Nullable package var timeToRestore: Band?
    }

    package struct Figures: Sendable, Hashable, Encodable {
        package var deploys: Int = 0
        package var deployDays: Int = 0
        @Nullable package var leadTimeMedianS: Int64?
        @Nullable package var changeFailureRate: Double?
        package var failedDeploys: Int = 0
        package var restores: Int = 0
        @Nullable package var timeToRestoreMedianS: Int64?
        package var bands = Bands()
    }

    package typealias Row = ReportRow<Figures>

    package var environment: String
    package var from: String
    package var to: String
    package var by: Period
    @Nullable package var service: String?
    package var rows: [Row]
    package var totals: Figures
    /// What the figures leave out, and why (deploys without a commit time, deploys still running).
    package var notes: [String]

    /// What one (service, period) gathered before its medians and rates are worked out.
    private struct Tally {
        var deploys = 0
        var days = Set<Int64>()  // UTC day numbers
        var failed = 0
        var leadTimes: [Int64] = []
        var restoreTimes: [Int64] = []

        mutating func add(_ other: Tally) {
            deploys += other.deploys
            days.formUnion(other.days)
            failed += other.failed
            leadTimes += other.leadTimes
            restoreTimes += other.restoreTimes
        }
    }

    /// `deploys`: the environment's finished deploys that started before the end of `to`, oldest first
    /// (those before `from` matter: a failure there is restored, or not, inside the range). `unfinished`:
    /// how many deploys in the range are still running, for the notes.
    package init(
        environment: String, protected: Bool, from: String, to: String, by: Period, service: String?,
        deploys: [DeliveryDeploy], unfinished: Int = 0
    ) throws(ValueError) {
        self.environment = environment
        self.from = from
        self.to = to
        self.by = by
        self.service = service
        let start = try Timestamp(rfc3339: from)
        let end = Timestamp(millisecondsSinceEpoch: try Timestamp(rfc3339: to).millisecondsSinceEpoch + 86_400_000)
        guard start < end else { throw ValueError(value: from, reason: "the range starts after it ends (\(to))") }
        var tallies: [String: [String: Tally]] = [:]  // service → period → tally
        var failingSince: [String: Timestamp] = [:]  // service → start of its first unrestored failure
        var withoutCommitTime = 0
        var beforeCommit = 0
        var periods: [Int64: String] = [:]  // UTC day number → its period's start date (a report spans few days)
        for deploy in deploys {
            let name = deploy.service
            guard service == nil || service == name else { continue }
            let started = deploy.startedAt
            let good = deploy.isGood(protected: protected)
            let inRange = started >= start && started < end
            let dayNumber = started.millisecondsSinceEpoch / 86_400_000
            let period: String
            if let known = periods[dayNumber] {
                period = known
            } else {
                period = by.costPeriod.start(of: started.date)
                periods[dayNumber] = period
            }
            if inRange {
                var tally = tallies[name]?[period] ?? Tally()
                tally.deploys += 1
                tally.days.insert(dayNumber)
                if !good { tally.failed += 1 }
                if let committed = deploy.committedAt {
                    let seconds = (started.millisecondsSinceEpoch - committed.millisecondsSinceEpoch) / 1000
                    if seconds < 0 { beforeCommit += 1 }
                    tally.leadTimes.append(max(0, seconds))
                } else {
                    withoutCommitTime += 1
                }
                tallies[name, default: [:]][period] = tally
            }
            if !good {
                if failingSince[name] == nil { failingSince[name] = started }
            } else if let failed = failingSince.removeValue(forKey: name), inRange {
                let restored = deploy.finishedAt ?? started
                tallies[name, default: [:]][period, default: Tally()].restoreTimes
                    .append(max(0, (restored.millisecondsSinceEpoch - failed.millisecondsSinceEpoch) / 1000))
            }
        }
        var rows: [Row] = []
        var total = Tally()
        for name in tallies.keys.sorted() {
            for period in tallies[name, default: [:]].keys.sorted() {
                let tally = tallies[name]?[period] ?? Tally()
                let periodStart = try Timestamp(rfc3339: period)
                let periodEnd = Self.end(of: periodStart, by: by)
                let days = Self.days(from: max(start, periodStart), to: min(end, periodEnd))
                rows.append(Row(service: name, period: period, figures: Self.figures(tally, days: days)))
                total.add(tally)
            }
        }
        self.rows = rows
        totals = Self.figures(total, days: Self.days(from: start, to: end))
        var notes: [String] = []
        if withoutCommitTime > 0 {
            notes.append("\(withoutCommitTime) deploys are left out of lead time: their builds were recorded without a commit time (committed_at)")
        }
        if beforeCommit > 0 {
            notes.append("\(beforeCommit) deploys started before their commit's time (clocks differ): their lead time counts as 0")
        }
        if unfinished > 0 { notes.append("\(unfinished) deploys in the range have not finished and are not counted yet") }
        self.notes = notes
    }

    private static func figures(_ tally: Tally, days: Int) -> Figures {
        var figures = Figures()
        figures.deploys = tally.deploys
        figures.deployDays = tally.days.count
        figures.failedDeploys = tally.failed
        figures.restores = tally.restoreTimes.count
        figures.leadTimeMedianS = median(tally.leadTimes)
        figures.timeToRestoreMedianS = median(tally.restoreTimes)
        if tally.deploys > 0 {
            figures.changeFailureRate = (Double(tally.failed) / Double(tally.deploys) * 10_000).rounded() / 10_000
        }
        figures.bands = Bands(
            deploymentFrequency: tally.deploys == 0 ? nil : band(perDay: Double(tally.deploys) / Double(max(days, 1))),
            leadTime: figures.leadTimeMedianS.map { band($0, under: [86_400, 7 * 86_400, 30 * 86_400]) },
            changeFailureRate: figures.changeFailureRate.map { rate in rate <= 0.05 ? .elite : rate <= 0.10 ? .high : rate <= 0.15 ? .medium : .low },
            timeToRestore: figures.timeToRestoreMedianS.map { band($0, under: [3_600, 86_400, 7 * 86_400]) })
        return figures
    }

    /// The middle value; of an even count, the mean of the two middle ones (rounded down to the second).
    static func median(_ values: [Int64]) -> Int64? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// On demand (at least daily) is elite; at least weekly high; at least monthly medium; else low.
    private static func band(perDay rate: Double) -> Band {
        rate >= 1 ? .elite : rate >= 1.0 / 7 ? .high : rate >= 1.0 / 30 ? .medium : .low
    }

    /// Elite, high or medium below each of the three limits (seconds); low from the last on.
    private static func band(_ seconds: Int64, under limits: [Int64]) -> Band {
        seconds < limits[0] ? .elite : seconds < limits[1] ? .high : seconds < limits[2] ? .medium : .low
    }

    private static func end(of start: Timestamp, by period: Period) -> Timestamp {
        switch period {
        case .week:
            return Timestamp(millisecondsSinceEpoch: start.millisecondsSinceEpoch + 7 * 86_400_000)
        case .month:
            // The first of the next month: 28 days on, then on to the day the month changes.
            var next = start.millisecondsSinceEpoch + 28 * 86_400_000
            let month = String(start.date.prefix(7))
            while Timestamp(millisecondsSinceEpoch: next).date.hasPrefix(month) { next += 86_400_000 }
            return Timestamp(millisecondsSinceEpoch: next)
        }
    }

    private static func days(from start: Timestamp, to end: Timestamp) -> Int {
        Int(max(0, (end.millisecondsSinceEpoch - start.millisecondsSinceEpoch) / 86_400_000))
    }
}
