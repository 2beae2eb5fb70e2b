import Foundation
import ShiplogApp
import ShiplogCore
import Synchronization

/// The `shiplog_dora_*` gauges of /metrics: each environment's DORA keys over the last 30 days.
///
/// Computing them reads every deploy of those days, far too much for every scrape: the text is kept, and
/// recomputed in the background when the ledger has changed (or the UTC day turned), at most once every
/// `interval`. A scrape never waits for a computation but the very first.
final class DeliveryGauges: Sendable {
    private struct State {
        var text: String?
        var counter: Int64 = -1
        var day = ""
        var computedAt = ContinuousClock.Instant.now
        var refreshing = false
    }

    private let ledger: ReleaseLedger
    private let interval: Duration
    private let state = Mutex(State())

    init(ledger: ReleaseLedger, interval: Duration = .seconds(60)) {
        self.ledger = ledger
        self.interval = interval
    }

    func text() throws(LedgerError) -> String {
        let counter = try ledger.store.changeCounter()
        let today = ReleaseLedger.systemClock().date
        enum Next { case serve(String), compute, refresh(String) }
        let next: Next = state.withLock { state in
            guard let text = state.text else { return .compute }
            let stale = state.counter != counter || state.day != today
            guard stale, !state.refreshing, ContinuousClock.now - state.computedAt >= interval else { return .serve(text) }
            state.refreshing = true
            return .refresh(text)
        }
        switch next {
        case let .serve(text):
            return text
        case .compute:
            let text = try Self.compute(ledger)
            state.withLock { $0 = State(text: text, counter: counter, day: today) }
            return text
        case let .refresh(text):
            Task.detached { [self] in
                let fresh = try? Self.compute(ledger)
                state.withLock { state in
                    if let fresh { state = State(text: fresh, counter: counter, day: today) } else { state.refreshing = false }
                }
            }
            return text
        }
    }

    static func compute(_ ledger: ReleaseLedger) throws(LedgerError) -> String {
        let gauges: [(name: String, help: String, value: (DeliveryReport.Figures) -> String?)] = [
            ("deploys", "Finished deploys in the last 30 days.", { String($0.deploys) }),
            ("deploy_days", "UTC days with a finished deploy in the last 30 days.", { String($0.deployDays) }),
            ("failed_deploys", "Deploys of the last 30 days that did not end good.", { String($0.failedDeploys) }),
            ("change_failure_rate", "Failed deploys over deploys, last 30 days.", { $0.changeFailureRate.map { String($0) } }),
            ("lead_time_median_seconds", "Median commit-to-deploy time, last 30 days.", { $0.leadTimeMedianS.map { String($0) } }),
            ("restores", "First good deploys after a failure, last 30 days.", { String($0.restores) }),
            ("time_to_restore_median_seconds", "Median failure-to-restore time, last 30 days.", { $0.timeToRestoreMedianS.map { String($0) } }),
        ]
        var reports: [(String, DeliveryReport.Figures)] = []
        for environment in try ledger.store.environments() {
            reports.append((environment.name, try ledger.deliveryReport(DeliveryReportRequest(environment: environment.name)).totals))
        }
        var text = ""
        for gauge in gauges {
            text += "# HELP shiplog_dora_\(gauge.name) \(gauge.help)\n# TYPE shiplog_dora_\(gauge.name) gauge\n"
            for (environment, figures) in reports {
                // Nothing to measure leaves the series out rather than reporting a made-up 0.
                if let value = gauge.value(figures) {
                    text += "shiplog_dora_\(gauge.name){environment=\"\(ServerMetrics.escaped(environment))\"} \(value)\n"
                }
            }
        }
        return text
    }
}
