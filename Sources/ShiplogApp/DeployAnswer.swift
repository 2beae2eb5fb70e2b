import ShiplogCore

/// What asking to start a deploy produced: the deploy, or the gate's refusal (recorded too) with its verification.
package enum DeployAnswer: Sendable {
    case started(Document)
    case refused(DeployRefusal)
}

/// The gate's refusal of a deploy: the image's signature verification, the policy's decision when a policy
/// document decided (every violation), and the one line every door shows.
package struct DeployRefusal: Sendable {
    package var verification: Document
    package var decision: Document?
    package var message: String

    package init(environment: String, verification: Document, decision: Document? = nil) throws(LedgerError) {
        self.verification = verification
        self.decision = decision
        if let decision {
            let json = try decision.json()
            let violations = json.items("violations").map { "\($0["rule"]?.stringValue ?? "-"): \($0["detail"]?.stringValue ?? "-")" }
            let version = json["policy_version"].map { "v\($0.shortText)" } ?? ""
            message = "deploy refused by \(environment)'s policy \(version): " + violations.joined(separator: "; ")
        } else {
            let json = try verification.json()
            message = "deploy refused: \(environment) requires a trusted signature: "
                + "\(json["reason"]?.stringValue ?? "-"): \(json["detail"]?.stringValue ?? "-")"
        }
    }
}
