import Foundation
import ShiplogCore

/// The context each page's template reads, built from the same JSON documents the API answers.
package enum PageViews {
    /// `/`: environments as columns, services as rows.
    package static func overview(_ overview: JSONValue) -> [String: Any] {
        let environments = overview.items("environments")
        var banners: [[String: Any]] = []
        var columns: [[String: Any]] = []
        var cellsByService: [String: [String: [String: Any]]] = [:]
        for environment in environments {
            let name = environment.shown("name")
            let notGood = Int(environment["not_good"].map { $0.shortText } ?? "0") ?? 0
            if notGood > 0 { banners.append(["environment": name, "count": String(notGood)]) }
            columns.append(["name": name, "slots": slots(environment), "policyVersion": PageValue.text(environment["policy_version"])])
            for service in environment.items("services") {
                let live = service["live"] ?? .null
                cellsByService[live.shown("service"), default: [:]][name] = cell(live: live, service: service)
            }
        }
        let rows: [[String: Any]] = overview.items("services").compactMap(\.stringValue).map { service in
            let cells: [[String: Any]] = environments.map { environment in
                cellsByService[service]?[environment.shown("name")] ?? ["cssClass": "empty", "deployed": false]
            }
            return ["service": service, "cells": cells]
        }
        return ["banners": banners, "environments": columns, "hasEnvironments": !columns.isEmpty, "rows": rows]
    }

    static func slots(_ environment: JSONValue) -> [[String: Any]] {
        let active = environment["active_slot"]?.stringValue
        return environment.items("slots").compactMap(\.stringValue).map { ["name": $0, "active": $0 == active] }
    }

    static func cell(live: JSONValue, service: JSONValue) -> [String: Any] {
        let good = live["good"] == .bool(true)
        var deployed = image(live)
        deployed["state"] = live.shown("state")
        deployed["good"] = good
        deployed["reasons"] = live.items("not_good_because").compactMap(\.stringValue)
        if let lkg = service["last_known_good"], lkg != .null {
            deployed["lkg"] = ["lkgDigest": lkg.shown("digest"), "lkgRepository": lkg.shown("repository"),
                               "lkgShort": PageValue.shortDigest(lkg.shown("digest")), "lkgTag": PageValue.text(lkg["tag"])]
        } else {
            deployed["lkg"] = NSNull()
        }
        deployed["signedBy"] = PageValue.text(service["signed_by"])
        deployed["checks"] = service.items("checks").map(check)
        return ["cssClass": good ? "good" : "bad", "deployed": deployed]
    }

    /// `digest`, `repository`, `shortDigest`, `tag` of an entry naming an image.
    static func image(_ entry: JSONValue) -> [String: Any] {
        ["digest": entry.shown("digest"), "repository": entry.shown("repository"), "shortDigest": PageValue.shortDigest(entry.shown("digest")),
         "tag": PageValue.text(entry["tag"])]
    }

    static func check(_ check: JSONValue) -> [String: Any] {
        ["name": check.shown("name"), "status": check.shown("status"), "detail": PageValue.text(check["detail"])]
    }

    /// `/environments/{env}`: what is live, the rollback plan, the policy.
    package static func environment(_ overview: JSONValue, name: String, plan: JSONValue, policy: JSONValue?) -> [String: Any]? {
        guard let environment = overview.items("environments").first(where: { $0.shown("name") == name }) else { return nil }
        let services: [[String: Any]] = environment.items("services").map { service in
            let live = service["live"] ?? .null
            var row = image(live)
            let good = live["good"] == .bool(true)
            row["cssClass"] = good ? "good" : "bad"
            row["service"] = live.shown("service")
            row["deployID"] = live.shown("deploy_id")
            row["state"] = live.shown("state")
            row["good"] = good
            row["reasonText"] = live.items("not_good_because").compactMap(\.stringValue).joined(separator: "; ")
            row["deployedAt"] = live.shown("deployed_at")
            return row
        }
        let actions: [[String: Any]] = plan.items("actions").map { action in
            var row: [String: Any] = ["service": action.shown("service"), "action": action.shown("action"), "reason": action.shown("reason"),
                                      "slot": PageValue.text(action["slot"])]
            if let digest = action["digest"]?.stringValue {
                row["digest"] = digest
                row["repository"] = action.shown("repository")
                row["shortDigest"] = PageValue.shortDigest(digest)
            } else {
                row["digest"] = NSNull()
            }
            return row
        }
        var policyView: Any = NSNull()
        if let policy, let document = policy["policy"] {
            let pretty = (try? ContractJSON.pretty.encode(document)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            policyView = ["version": policy.shown("version"), "document": pretty]
        }
        let slotViews = slots(environment)
        return [
            "slots": slotViews, "hasSlots": !slotViews.isEmpty, "protected": environment["protected"] == .bool(true),
            "policyVersion": PageValue.text(environment["policy_version"]),
            "policyMode": policy?["policy"]?["mode"]?.stringValue ?? "enforce",
            "needsRollback": plan.items("actions").contains { $0.shown("action") != "none" },
            "slot": PageValue.text(environment["active_slot"]), "services": services, "actions": actions, "policy": policyView,
        ]
    }

    /// `/services/{service}`: its deploys as a timeline.
    package static func service(_ history: JSONValue) -> [String: Any] {
        let deploys: [[String: Any]] = history.items("deploys").map { entry in
            let deploy = entry["deploy"] ?? .null
            var row = image(deploy)
            let good = entry["good"] == .bool(true)
            row["cssClass"] = good ? "good" : "bad"
            row["environment"] = deploy.shown("environment")
            row["slot"] = PageValue.text(deploy["slot"])
            row["deployID"] = deploy.shown("deploy_id")
            row["startedAt"] = deploy.shown("started_at")
            row["state"] = deploy.shown("state")
            row["good"] = good
            row["reasons"] = entry.items("not_good_because").compactMap(\.stringValue)
            row["checks"] = entry.items("checks").map(check)
            return row
        }
        return ["deploys": deploys]
    }

    /// `/images/{digest}`: each repository's record of the digest, with its signature verification.
    package static func image(_ images: JSONValue, verifications: [String: JSONValue]) -> [String: Any] {
        var views: [[String: Any]] = []
        // One image when a repository was named, every repository's otherwise.
        for image in images.arrayValue ?? [images] {
            var view = (PageValue.from(image) as? [String: Any]) ?? [:]
            let verification = verifications[image.shown("repository")]
            let verified = verification?["verified"] == .bool(true)
            view["verification"] = verification.map { "\($0.shown("reason")): \($0.shown("detail"))" } ?? "not verified"
            view["verificationClass"] = verified ? "ok" : "failed"
            views.append(view)
        }
        return ["images": views]
    }
}

extension JSONValue {
    /// A field as a page shows it ("" when absent or null).
    func shown(_ key: String) -> String {
        switch self[key] {
        case let .string(text)?: text
        case nil, .null?: ""
        case let value?: value.shortText
        }
    }
}
