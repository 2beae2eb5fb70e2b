import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogCrypto
import ShiplogStore
import ShiplogTestBackends
import ShiplogTestSupport
import Testing

/// `report dora` through the real store: which deploys the query finds, whose commit time each gets, and
/// goodness judged as `live` judges it now (a mark made later counts).
@Suite("DORA keys from a ledger file")
struct DeliveryReportStoreTests {
    /// A clock the test moves: every write happens when the test says.
    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var now = Timestamp(millisecondsSinceEpoch: 1_793_577_600_000)  // Monday 2026-11-02 00:00 UTC
        func read() -> Timestamp { lock.withLock { now } }
        func set(day: Int64, minute: Int64) {
            lock.withLock { now = Timestamp(millisecondsSinceEpoch: 1_793_577_600_000 + (day * 1440 + minute) * 60_000) }
        }
    }

    @Test("finished deploys only; the commit time of the build with the deploy's tag; a mark made a week later fails its deploy", arguments: StoreBackend.allCases)
    func throughTheStore(_ backend: StoreBackend) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clock = Clock()
        let ledger = ReleaseLedger(store: try backend.open(in: directory), clock: { clock.read() })
        let repository = try Repository(parsing: "ghcr.io/acme/api")
        let digest = try Digest(parsing: "sha256:" + String(repeating: "a", count: 64))
        let other = try Digest(parsing: "sha256:" + String(repeating: "b", count: 64))
        let committed = try Timestamp(rfc3339: "2026-11-01T22:00:00Z")
        // One image built twice: an older commit under tag "old", the deployed commit under "v1".
        _ = try ledger.recordBuild(NewBuild(service: "api", repository: repository, tag: "old", digest: digest, runID: "1",
                                            committedAt: try Timestamp(rfc3339: "2026-10-01T00:00:00Z")))
        _ = try ledger.recordBuild(NewBuild(service: "api", repository: repository, tag: "v1", digest: digest, runID: "2", committedAt: committed))
        _ = try ledger.recordBuild(NewBuild(service: "api", repository: repository, tag: "v2", digest: other, runID: "3"))
        _ = try ledger.createEnvironment(name: "prod", slots: [], requireSignature: false)
        func deploy(_ tag: String, day: Int64, minute: Int64, finish: DeployState?) throws {
            clock.set(day: day, minute: minute)
            guard case let .started(started) = try ledger.startDeploy(environment: "prod", slot: nil, service: "api",
                                                                      image: try ImageReference(parsing: "ghcr.io/acme/api:\(tag)"), actor: "ci")
            else { throw LedgerError.storage("refused") }
            clock.set(day: day, minute: minute + 5)
            if let finish { _ = try ledger.finishDeploy(id: started.id, state: finish) }
        }
        try deploy("v1", day: 0, minute: 60, finish: .succeeded)     // Monday 01:00, lead time 3 h (from 22:00 the day before)
        try deploy("v2", day: 1, minute: 60, finish: .succeeded)     // Tuesday: marked bad a week later, so a failure
        try deploy("v1", day: 2, minute: 60, finish: .succeeded)     // Wednesday: restores it
        try deploy("v2", day: 3, minute: 60, finish: nil)            // Thursday: still running, not counted
        clock.set(day: 8, minute: 0)
        try ledger.markBad(repository: repository, digest: other, reason: "CVE found a week later")

        let report = try ledger.deliveryReport(DeliveryReportRequest(environment: "prod", from: "2026-11-02", to: "2026-11-08"))
        #expect(report.rows.count == 1)
        let figures = try #require(report.rows.first?.figures)
        #expect(figures.deploys == 3)
        #expect(figures.deployDays == 3)
        #expect(figures.failedDeploys == 1)
        #expect(figures.changeFailureRate == 0.3333)
        #expect(figures.restores == 1)
        #expect(figures.timeToRestoreMedianS == Int64(24 * 3600 + 5 * 60), "Tuesday 01:00 to Wednesday 01:05")
        #expect(figures.leadTimeMedianS == Int64((3 + 51) / 2 * 3600), "3 h (Monday) and 51 h (Wednesday) from the v1 build's commit at 22:00, not the older build's")
        #expect(report.notes.contains("1 deploys are left out of lead time: their builds were recorded without a commit time (committed_at)"))
        #expect(report.notes.contains("1 deploys in the range have not finished and are not counted yet"))
        // The range defaults to the 30 days up to today, by week.
        let defaults = try ledger.deliveryReport(DeliveryReportRequest(environment: "prod"))
        #expect(defaults.to == "2026-11-10")
        #expect(defaults.from == "2026-10-12")
        #expect(defaults.by == .week)
        #expect(try ledger.verifyLog(logKey: nil).intact)
    }

    @Test("bad requests name their field", arguments: [
        (DeliveryReportRequest(environment: "nowhere"), "environment"),
        (DeliveryReportRequest(environment: "prod", from: "yesterday"), "from"),
        (DeliveryReportRequest(environment: "prod", to: "2026-13-01"), "to"),
        (DeliveryReportRequest(environment: "prod", from: "2026-11-10", to: "2026-11-01"), "to"),
        (DeliveryReportRequest(environment: "prod", service: "Not A Service"), "service"),
    ])
    func bad(_ request: DeliveryReportRequest, _ field: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let ledger = ReleaseLedger(store: try SQLiteLedger(path: directory.path("l.sqlite")))
        _ = try ledger.createEnvironment(name: "prod", slots: [], requireSignature: false)
        #expect {
            _ = try ledger.deliveryReport(request)
        } throws: { error in
            guard let error = error as? LedgerError else { return false }
            switch error {
            case let .invalidInput(input), let .unknown(input): return input.field == field
            default: return false
            }
        }
    }
}
