/// A deploy with the facts that decide whether it is good, as the store found them.
package struct DeployFacts: Sendable, Hashable {
    package var deploy: Deploy
    package var hasFailedCheck: Bool
    package var markedBad: Bool
    /// A recorded signature over this digest verified with a trusted key that is not revoked.
    package var trustedSignature: Bool

    package init(deploy: Deploy, hasFailedCheck: Bool, markedBad: Bool, trustedSignature: Bool) {
        self.deploy = deploy
        self.hasFailedCheck = hasFailedCheck
        self.markedBad = markedBad
        self.trustedSignature = trustedSignature
    }

    /// The contract's *good*: succeeded, no failed check, not marked bad, and in a protected environment
    /// signed by a trusted, unrevoked key. Returns the reasons it is not good (empty when good).
    package func reasonsNotGood(protected: Bool) -> [String] {
        var reasons: [String] = []
        switch deploy.state {
        case .succeeded: break
        case .failed: reasons.append("deploy failed")
        case .inProgress: reasons.append("deploy still in progress")
        case .pending: reasons.append("deploy pending")
        }
        if hasFailedCheck { reasons.append("a check failed") }
        if markedBad { reasons.append("image marked bad") }
        if protected, !trustedSignature { reasons.append("no valid signature from a trusted, unrevoked key") }
        return reasons
    }

    package func isGood(protected: Bool) -> Bool {
        Self.isGood(state: deploy.state, hasFailedCheck: hasFailedCheck, markedBad: markedBad, trustedSignature: trustedSignature, protected: protected)
    }

    /// `reasonsNotGood` is empty exactly when this holds; without building the reasons, for reports that judge many deploys.
    package static func isGood(state: DeployState, hasFailedCheck: Bool, markedBad: Bool, trustedSignature: Bool, protected: Bool) -> Bool {
        state == .succeeded && !hasFailedCheck && !markedBad && (!protected || trustedSignature)
    }
}
