import Foundation
import Metrics
import Prometheus
import ShiplogApp
import ShiplogCore

/// What /metrics answers. The executable bootstraps swift-metrics into the registry the server is given
/// (once per process: tests build many routers, each over a registry of its own).
enum ServerMetrics {
    /// Row counts, and one `shiplog_live_info` series per live service (written here rather than kept as
    /// gauges, so a service that is no longer live leaves no stale series behind).
    static func ledgerSeries(_ ledger: ReleaseLedger) throws(LedgerError) -> String {
        var text = "# HELP shiplog_ledger_rows Rows in the ledger, by kind.\n# TYPE shiplog_ledger_rows gauge\n"
        for (kind, count) in try ledger.store.sizes() {
            text += "shiplog_ledger_rows{kind=\"\(kind)\"} \(count)\n"
        }
        text += "# HELP shiplog_live_info The deploy live in each environment's active slot, per service (1).\n"
        text += "# TYPE shiplog_live_info gauge\n"
        for environment in try ledger.store.environments() {
            let live = try ledger.live(environment: environment.name, slot: nil)
            for service in live.services {
                let deploy = service.facts.deploy
                let labels = [("environment", environment.name), ("service", deploy.service), ("digest", deploy.digest),
                              ("tag", deploy.tag ?? ""), ("good", service.good ? "true" : "false")]
                text += "shiplog_live_info{" + labels.map { "\($0)=\"\(escaped($1))\"" }.joined(separator: ",") + "} 1\n"
            }
        }
        return text
    }

    /// Label values escape backslash, double quote and newline (Prometheus text format 0.0.4).
    static func escaped(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
