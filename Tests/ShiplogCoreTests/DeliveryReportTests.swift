import ShiplogCore
import Testing

/// Hand-built histories whose figures are worked out here by hand, from the contract's definitions.
@Suite("DORA keys from deploy histories")
struct DeliveryReportTests {
    /// Minutes after Monday 2026-11-02 00:00 UTC.
    static func at(_ minutes: Int64) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: 1_793_577_600_000 + minutes * 60_000)
    }

    static let day: Int64 = 24 * 60

    /// One finished deploy: `ok` says whether it succeeded with no failed check; `bad` marks its image.
    static func deploy(_ id: Int64 = 0, _ service: String = "api", start: Int64, took: Int64 = 10, state: DeployState = .succeeded,
                       failedCheck: Bool = false, bad: Bool = false, signed: Bool = true, committed: Int64? = nil) -> DeliveryDeploy {
        DeliveryDeploy(service: service, state: state, startedAt: at(start), finishedAt: at(start + took), hasFailedCheck: failedCheck,
                       markedBad: bad, trustedSignature: signed, committedAt: committed.map(at))
    }

    static func report(_ deploys: [DeliveryDeploy], from: String = "2026-11-02", to: String = "2026-11-15", by: DeliveryReport.Period = .week,
                       protected: Bool = false, service: String? = nil) throws -> DeliveryReport {
        try DeliveryReport(environment: "prod", protected: protected, from: from, to: to, by: by, service: service, deploys: deploys)
    }

    @Test("a restore after two failures is timed from the first failure's start to the restoring deploy's finish")
    func restoreAfterTwoFailures() throws {
        let report = try Self.report([
            Self.deploy(1, start: 60),                                   // Monday 01:00, good
            Self.deploy(2, start: 120, failedCheck: true),               // 02:00, a check failed: the failure starts here
            Self.deploy(3, start: 180, state: .failed),                  // 03:00, failed again
            Self.deploy(4, start: 300, took: 15),                        // 05:00, good, finished 05:15: restored
        ])
        let row = try #require(report.rows.first)
        #expect(report.rows.count == 1)
        #expect(row.period == "2026-11-02")
        #expect(row.figures.deploys == 4)
        #expect(row.figures.deployDays == 1)
        #expect(row.figures.failedDeploys == 2)
        #expect(row.figures.changeFailureRate == 0.5)
        #expect(row.figures.restores == 1)
        #expect(row.figures.timeToRestoreMedianS == Int64((315 - 120) * 60), "02:00 to 05:15")
        #expect(row.figures.bands.timeToRestore == .high, "3 h 15 min: under a day")
        #expect(row.figures.bands.changeFailureRate == .low)
    }

    @Test("an image marked bad a week later makes its deploy a failure in its own week, restored the next week")
    func markedBadLater() throws {
        let report = try Self.report([
            Self.deploy(1, start: 600, bad: true),                        // week 1, Monday 10:00; marked bad since
            Self.deploy(2, start: 7 * Self.day + 600),                    // week 2, Monday 10:00, good
        ])
        #expect(report.rows.map(\.period) == ["2026-11-02", "2026-11-09"])
        #expect(report.rows[0].figures.failedDeploys == 1)
        #expect(report.rows[0].figures.restores == 0)
        #expect(report.rows[1].figures.failedDeploys == 0)
        #expect(report.rows[1].figures.restores == 1, "the restore counts where the good deploy is")
        #expect(report.rows[1].figures.timeToRestoreMedianS == Int64((7 * Self.day + 10) * 60))
        #expect(report.rows[1].figures.bands.timeToRestore == .low, "a week and ten minutes")
        #expect(report.totals.changeFailureRate == 0.5)
    }

    @Test("a deploy whose check failed is a failure although it finished succeeded; unsigned in a protected environment too")
    func failedCheckStillSucceeded() throws {
        let checked = try Self.report([Self.deploy(1, start: 60, state: .succeeded, failedCheck: true)])
        #expect(checked.totals.failedDeploys == 1)
        #expect(checked.totals.restores == 0)
        #expect(checked.totals.timeToRestoreMedianS == nil, "never restored")
        let unsigned = try Self.report([Self.deploy(1, start: 60, signed: false)], protected: true)
        #expect(unsigned.totals.failedDeploys == 1)
        let unprotected = try Self.report([Self.deploy(1, start: 60, signed: false)], protected: false)
        #expect(unprotected.totals.failedDeploys == 0)
    }

    @Test("a service with no failures: rate 0, no restores, time to restore null")
    func noFailures() throws {
        let report = try Self.report((1 ... 14).map { Self.deploy(Int64($0), start: Int64($0 - 1) * Self.day + 60) })
        #expect(report.totals.deploys == 14)
        #expect(report.totals.deployDays == 14)
        #expect(report.totals.changeFailureRate == 0)
        #expect(report.totals.restores == 0)
        #expect(report.totals.timeToRestoreMedianS == nil)
        #expect(report.totals.bands.timeToRestore == nil)
        #expect(report.totals.bands.changeFailureRate == .elite)
        #expect(report.totals.bands.deploymentFrequency == .elite, "14 deploys in 14 days: daily")
        #expect(report.rows.map(\.figures.deploys) == [7, 7])
    }

    @Test("lead time: deploy start minus commit time, the median of the deploys that have one; the others are named in the notes")
    func leadTime() throws {
        let report = try Self.report([
            Self.deploy(1, start: 600, committed: 540),                  // 1 h
            Self.deploy(2, start: 1200, committed: 900),                 // 5 h
            Self.deploy(3, start: 1300),                                 // built without a commit time
            Self.deploy(4, start: 2000, committed: 1990),                // 10 min
            Self.deploy(5, start: 2100, committed: 2000),                // 100 min
        ])
        #expect(report.totals.leadTimeMedianS == Int64((60 + 100) * 60 / 2), "of 10, 60, 100, 300 minutes: the mean of the middle two")
        #expect(report.totals.bands.leadTime == .elite)
        #expect(report.notes == ["1 deploys are left out of lead time: their builds were recorded without a commit time (committed_at)"])
        let none = try Self.report([Self.deploy(1, start: 600)])
        #expect(none.totals.leadTimeMedianS == nil)
        #expect(none.totals.bands.leadTime == nil)
    }

    @Test("a failure before the range restored inside it: the restore counts, timed from the earlier failure; the failure does not")
    func failureBeforeTheRange() throws {
        let report = try Self.report([
            Self.deploy(1, start: -2 * Self.day, state: .failed),         // Saturday before the range
            Self.deploy(2, start: 60, took: 0),                          // Monday 01:00, good
        ])
        #expect(report.totals.deploys == 1)
        #expect(report.totals.failedDeploys == 0)
        #expect(report.totals.restores == 1)
        #expect(report.totals.timeToRestoreMedianS == Int64((2 * Self.day + 60) * 60))
    }

    @Test("services are apart: one's failure is restored only by its own good deploy; --service keeps one")
    func perService() throws {
        let deploys = [
            Self.deploy(1, "api", start: 60, state: .failed),
            Self.deploy(2, "web", start: 120),                            // another service: restores nothing of api's
            Self.deploy(3, "api", start: 180),
        ]
        let report = try Self.report(deploys)
        #expect(report.rows.map(\.service) == ["api", "web"])
        #expect(report.rows[0].figures.restores == 1)
        #expect(report.rows[0].figures.timeToRestoreMedianS == Int64((190 - 60) * 60))
        #expect(report.rows[1].figures.restores == 0)
        #expect(report.totals.deploys == 3)
        let web = try Self.report(deploys, service: "web")
        #expect(web.rows.map(\.service) == ["web"])
        #expect(web.totals.deploys == 1)
    }

    @Test("months: a deploy on the 30th and one on the 1st fall in two periods")
    func months() throws {
        let report = try Self.report([Self.deploy(1, start: 28 * Self.day), Self.deploy(2, start: 29 * Self.day + 60)],
                                     from: "2026-11-01", to: "2026-12-31", by: .month)
        #expect(report.rows.map(\.period) == ["2026-11-01", "2026-12-01"])
        #expect(report.rows[0].figures.bands.deploymentFrequency == .medium, "once in November: monthly")
    }

    @Test("a range that ends before it starts is refused")
    func badRange() {
        #expect(throws: ValueError.self) { try Self.report([], from: "2026-11-10", to: "2026-11-01") }
    }
}
