import Foundation
import ShiplogCore

extension PageViews {
    /// `/cost`: the chart over the report's rows, the table under it.
    package static func cost(_ report: JSONValue, csv: String) -> [String: Any] {
        let rows = report.items("rows")
        let bars = rows.map { row in
            CostChart.Bar(service: row.shown("service"), period: row.shown("period"), cost: Double(row.shown("cost_usd")) ?? 0)
        }
        let by = report.shown("by")
        return [
            "from": report.shown("from"), "to": report.shown("to"), "by": by, "csv": csv,
            "periods": ["day", "week", "month"].map { ["name": $0, "selected": $0 == by] },
            "chart": CostChart.context(bars),
            "rows": rows.map { row in
                ["period": row.shown("period"), "service": row.shown("service"), "cost": row.shown("cost_usd"), "tokens": row.shown("total_tokens"),
                 "pulls": row.shown("pulls"), "deploys": row.shown("deploys"), "perThousandPulls": row.shown("cost_per_1k_pulls_usd")]
            },
        ]
    }

    /// The cost report as CSV, as `shiplog cost report --format csv` writes it (RFC 4180 quoting).
    package static func costCSV(_ report: JSONValue) -> String {
        let columns = ["cost_usd", "input_tokens", "output_tokens", "total_tokens", "pulls", "bytes_pulled", "deploys", "failed_deploys",
                       "cost_per_deploy_usd", "cost_per_1k_pulls_usd"]
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        let lines = [["service", "period"] + columns] + report.items("rows").map { row in [row.shown("service"), row.shown("period")] + columns.map(row.shown) }
        return lines.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// `/dora`: the environment's delivery report by period.
    package static func dora(_ report: JSONValue?, environments: [String], selected: String?, message: String) -> [String: Any] {
        var context: [String: Any] = ["environments": environments.map { ["name": $0, "selected": $0 == selected] }, "message": message]
        guard let report else {
            context["report"] = NSNull()
            return context
        }
        func duration(_ value: JSONValue?) -> String {
            guard let seconds = value.flatMap({ Double($0.shortText) }), value != .null else { return "—" }
            return seconds >= 86_400 ? String(format: "%.1f d", seconds / 86_400) : seconds >= 3_600 ? String(format: "%.1f h", seconds / 3_600)
                : String(format: "%.0f min", seconds / 60)
        }
        context["report"] = ["periods": report.items("rows").map { row -> [String: Any] in
            let rate = row["change_failure_rate"].flatMap { $0 == .null ? nil : Double($0.shortText) }
            return ["start": row.shown("period") + (row.shown("service").isEmpty ? "" : " · " + row.shown("service")), "deploys": row.shown("deploys"),
                    "leadTime": duration(row["lead_time_median_s"]), "failureRate": rate.map { String(format: "%.0f %%", $0 * 100) } ?? "—",
                    "restore": duration(row["time_to_restore_median_s"])]
        }]
        return context
    }

    /// `/log`: the latest checkpoint, the tree size, the last verification this server ran.
    package static func log(checkpoint: JSONValue?, treeSize: Int64, lastVerification: (result: JSONValue, at: Timestamp)?) -> [String: Any] {
        var context: [String: Any] = ["treeSize": String(treeSize)]
        if let checkpoint {
            context["checkpoint"] = ["treeSize": checkpoint.shown("tree_size"), "rootHash": checkpoint.shown("root_hash"), "note": checkpoint.shown("note")]
        } else {
            context["checkpoint"] = NSNull()
        }
        if let (result, at) = lastVerification {
            let intact = result["intact"] == .bool(true)
            context["verify"] = intact ? "intact, \(result.shown("tree_size")) entries, at \(at)"
                : "FAILED at \(at): \(result.shown("problem"))"
            context["verifyClass"] = intact ? "ok" : "failed"
        } else {
            context["verify"] = "none since this server started (GET /v1/log/verification runs one)"
            context["verifyClass"] = ""
        }
        return context
    }
}
