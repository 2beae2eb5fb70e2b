import ShiplogCore

/// The short text beside each tool's structured result: the answer in one or two lines a model can quote.
enum ToolSummary {
    static func live(_ live: JSONValue) -> String {
        let services = live.items("services")
        let notGood = services.filter { $0["good"] != .bool(true) }
        var text = "\(live.text("environment"))\(live["slot"]?.stringValue.map { " (slot \($0))" } ?? ""): "
            + "\(services.count) service\(services.count == 1 ? "" : "s") live, \(services.count - notGood.count) good"
        if !notGood.isEmpty {
            text += "; not good: " + notGood.map { service in
                let reasons = service.items("not_good_because").compactMap(\.stringValue).joined(separator: ", ")
                return service.text("service") + (reasons.isEmpty ? "" : " (\(reasons))")
            }.joined(separator: "; ")
        }
        return text
    }

    static func lkg(_ deploy: JSONValue) -> String {
        "\(deploy.text("service")): last known good is \(reference(deploy)) (deploy \(deploy.text("deploy_id")), \(deploy.text("deployed_at")))"
    }

    static func rollbackPlan(_ plan: JSONValue) -> String {
        let actions = plan.items("actions")
        guard !actions.isEmpty else { return "nothing to roll back: every live service is good" }
        return actions.map { action in
            let target = action.text("action") == "switch-slot" ? "slot \(action.text("slot"))"
                : action["digest"]?.stringValue == nil ? "" : reference(action)
            return "\(action.text("service")): \(action.text("action")) \(target) (\(action.text("reason")))"
                .replacingOccurrences(of: "  ", with: " ")
        }.joined(separator: "\n")
    }

    static func image(_ document: JSONValue) -> String {
        let images = document["images"]?.arrayValue ?? [document]
        guard !images.isEmpty else { return "no repository holds this digest" }
        return images.map { image in
            var text = "\(image.text("repository"))@\(image.text("digest")): \(count(image, "builds", "build")), "
                + "\(count(image, "signatures", "signature")), \(count(image, "attestations", "attestation")), \(count(image, "deploys", "deploy"))"
            if let bad = image["marked_bad"], bad != .null { text += "; marked bad: \(bad.text("reason"))" }
            return text
        }.joined(separator: "\n")
    }

    static func verify(_ result: JSONValue) -> String {
        (result["verified"] == .bool(true) ? "verified" : "not verified") + ": \(result.text("reason")) (\(result.text("detail")))"
    }

    static func builds(_ builds: JSONValue) -> String {
        let list = builds.items("builds")
        guard let newest = list.first else { return "no builds match" }
        return "\(list.count) build\(list.count == 1 ? "" : "s"); newest: \(newest.text("service")) \(reference(newest)) at \(newest.text("built_at"))"
    }

    static func costReport(_ report: JSONValue) -> String {
        let totals = report["totals"] ?? .null
        return "\(report.text("from")) to \(report.text("to")) by \(report.text("by")): \(totals.text("cost_usd")) USD, "
            + "\(totals.text("total_tokens")) tokens, \(totals.text("pulls")) pulls, \(totals.text("deploys")) deploys"
    }

    static func dora(_ report: JSONValue) -> String {
        let totals = report["totals"] ?? .null
        return "\(report.text("environment")) \(report.text("from")) to \(report.text("to")): \(totals.text("deploys")) deploys, "
            + "change failure rate \(totals.text("change_failure_rate")), lead time median \(totals.text("lead_time_median_s")) s, "
            + "\(totals.text("restores")) restores"
    }

    static func policyCheck(_ decision: JSONValue) -> String {
        let violations = decision.items("violations").map { "\($0.text("rule")): \($0.text("detail"))" }
        let verdict = decision["allowed"] == .bool(true) ? (violations.isEmpty ? "allowed" : "allowed (audit mode)") : "refused"
        return ([verdict] + violations).joined(separator: "\n")
    }

    private static func reference(_ item: JSONValue) -> String {
        item.text("repository") + (item["tag"]?.stringValue.map { ":" + $0 } ?? "") + "@" + item.text("digest")
    }

    private static func count(_ item: JSONValue, _ key: String, _ noun: String) -> String {
        let count = item.items(key).count
        return "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}
