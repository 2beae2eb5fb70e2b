import ShiplogCore

/// What asking to start a deploy produced: the deploy, or the gate's refusal (recorded too) with its verification.
package enum DeployAnswer: Sendable {
    case started(Document)
    case refused(DeployRefusal)
}

/// The gate's refusal of a deploy: the verification that decided it, and the one line every door shows.
package struct DeployRefusal: Sendable {
    package var verification: Document
    package var message: String

    package init(environment: String, verification: Document) throws(LedgerError) {
        self.verification = verification
        let json = try verification.json()
        message = "deploy refused: \(environment) requires a trusted signature: "
            + "\(json["reason"]?.stringValue ?? "-"): \(json["detail"]?.stringValue ?? "-")"
    }
}
