import Foundation
import ShiplogCore

/// Rows back into the domain's values, as stored (validated when they were recorded), the same way SQLite's store reads them.
extension PostgresLedger {
    static func build(from row: SQLRow) throws(LedgerError) -> Build {
        Build(id: try row.integer("id"), try newBuild(from: row), builtAt: try time(try row.text("built_at")))
    }

    static func newBuild(from row: SQLRow) throws(LedgerError) -> NewBuild {
        let labelsText = try row.text("labels")
        let labels = labelsText == "{}" ? [:] : ((try? JSONDecoder().decode([String: String].self, from: Data(labelsText.utf8))) ?? [:])
        let runID = try row.text("run_id")
        var build = NewBuild(
            service: try row.text("service"), repository: Repository(validated: try row.text("repository")), tag: try row.text("tag"),
            digest: Digest(validated: try row.text("digest")), commit: try row.optionalText("commit_sha"), ref: try row.optionalText("ref"),
            runID: runID.isEmpty ? nil : runID, runAttempt: try row.optionalInteger("run_attempt").map(Int.init),
            runURL: try row.optionalText("run_url"), builder: try row.optionalText("builder"), labels: labels,
            committedAt: try time(try row.optionalText("committed_at")))
        build.writtenBy = try row.optionalText("written_by").flatMap(WorkloadIdentity.init(canonical:))
        return build
    }

    static let deployColumns = """
        d.id, d.environment, d.slot, d.service, d.repository, d.tag, d.digest, d.state, d.actor, d.started_at, d.finished_at,
        d.policy_version, d.policy_violations, d.written_by
        """

    /// The facts that decide goodness, computed next to each deploy row in one query.
    static let factColumns = """
        \(deployColumns),
        EXISTS (SELECT 1 FROM deploy_check c WHERE c.deploy_id = d.id AND c.status = 'fail') AS has_failed_check,
        EXISTS (SELECT 1 FROM bad_image b WHERE b.repository = d.repository AND b.digest = d.digest) AS marked_bad,
        EXISTS (SELECT 1 FROM trusted_signature t WHERE t.repository = d.repository AND t.digest = d.digest) AS trusted_signature
        """

    static func deploy(from row: SQLRow) throws(LedgerError) -> Deploy {
        let slot = try row.text("slot")
        let deploy = NewDeploy(environment: try row.text("environment"), slot: slot.isEmpty ? nil : slot, service: try row.text("service"),
                               repository: Repository(validated: try row.text("repository")), tag: try row.optionalText("tag"),
                               digest: Digest(validated: try row.text("digest")), actor: try row.optionalText("actor"),
                               writtenBy: try row.optionalText("written_by").flatMap(WorkloadIdentity.init(canonical:)))
        let violations = try row.optionalText("policy_violations")
        return Deploy(id: try row.integer("id"), deploy, state: DeployState(rawValue: try row.text("state")) ?? .pending,
                      startedAt: try time(try row.optionalText("started_at")), finishedAt: try time(try row.optionalText("finished_at")),
                      policy: try row.optionalInteger("policy_version").map { PolicyJudgement(version: $0, violations: violations.map(PolicyViolation.parse) ?? []) })
    }

    static func facts(from row: SQLRow) throws(LedgerError) -> DeployFacts {
        DeployFacts(deploy: try deploy(from: row), hasFailedCheck: try row.bool("has_failed_check"), markedBad: try row.bool("marked_bad"),
                    trustedSignature: try row.bool("trusted_signature"))
    }

    static func check(from row: SQLRow) throws(LedgerError) -> DeployCheck {
        DeployCheck(deployID: try row.integer("deploy_id"), name: try row.text("name"), status: CheckStatus(rawValue: try row.text("status")) ?? .skip,
                    detail: try row.optionalText("detail"), checkedAt: try time(try row.text("checked_at")))
    }

    static func trafficSwitch(from row: SQLRow) throws(LedgerError) -> TrafficSwitch {
        TrafficSwitch(environment: try row.text("environment"), fromSlot: try row.text("from_slot"), toSlot: try row.text("to_slot"),
                      actor: try row.optionalText("actor"), switchedAt: try time(try row.text("switched_at")))
    }

    static func environment(from row: SQLRow) throws(LedgerError) -> Environment {
        let slots = (try? JSONDecoder().decode([String].self, from: Data(try row.text("slots").utf8))) ?? []
        let active = try row.text("active_slot")
        return Environment(name: try row.text("name"), slots: slots, activeSlot: active.isEmpty ? nil : active,
                           requireSignature: try row.bool("require_signature"), createdAt: try time(try row.text("created_at")))
    }
}
