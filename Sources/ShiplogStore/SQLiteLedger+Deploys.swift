import Foundation
import GRDB
import ShiplogCore

extension SQLiteLedger {
    // MARK: - Environments

    package func create(_ environment: Environment) throws(LedgerError) -> Environment {
        try write { db in
            if let existing = try Self.environment(environment.name, db) {
                guard existing.slots == environment.slots, existing.requireSignature == environment.requireSignature else {
                    throw LedgerError.invalidInput(InvalidInput(field: "environment", value: environment.name,
                                                                reason: "already exists with other slots or protection"))
                }
                return existing
            }
            try db.execute(sql: """
                INSERT INTO environment (name, slots, active_slot, require_signature, created_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [environment.name, Self.jsonArray(environment.slots), environment.activeSlot ?? "",
                                 environment.requireSignature, environment.createdAt.description])
            try logAppender(db, time: environment.createdAt)?.append(.environment(environment))
            return environment
        }
    }

    package func environment(named name: String) throws(LedgerError) -> Environment? {
        try read { db in try Self.environment(name, db) }
    }

    package func switchSlot(environment: String, to slot: String, actor: String?, at time: Timestamp) throws(LedgerError) -> TrafficSwitch {
        try write { db in
            guard let current = try Self.environment(environment, db) else { throw LedgerError.notFound("no environment \(environment)") }
            let from = current.activeSlot ?? ""
            try db.execute(sql: "UPDATE environment SET active_slot = ? WHERE name = ?", arguments: [slot, environment])
            try db.execute(sql: """
                INSERT INTO traffic_switch (environment, from_slot, to_slot, actor, switched_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [environment, from, slot, actor, time.description])
            let change = TrafficSwitch(environment: environment, fromSlot: from, toSlot: slot, actor: actor, switchedAt: time)
            try logAppender(db, time: time)?.append(.trafficSwitch(change))
            return change
        }
    }

    package func lastSwitch(environment: String) throws(LedgerError) -> TrafficSwitch? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM traffic_switch WHERE environment = ? ORDER BY id DESC LIMIT 1",
                             arguments: [environment]).map(Self.trafficSwitch(from:))
        }
    }

    static func trafficSwitch(from row: Row) throws -> TrafficSwitch {
        TrafficSwitch(environment: row["environment"], fromSlot: row["from_slot"], toSlot: row["to_slot"], actor: row["actor"],
                      switchedAt: try Timestamp(rfc3339: row["switched_at"]))
    }

    static func check(from row: Row) throws -> DeployCheck {
        let status: String = row["status"]
        return DeployCheck(deployID: row["deploy_id"], name: row["name"], status: CheckStatus(rawValue: status) ?? .skip,
                           detail: row["detail"], checkedAt: try Timestamp(rfc3339: row["checked_at"]))
    }

    static func environment(_ name: String, _ db: Database) throws -> Environment? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM environment WHERE name = ?", arguments: [name]) else { return nil }
        let slotsText: String = row["slots"]
        let slots = (try? JSONDecoder().decode([String].self, from: Data(slotsText.utf8))) ?? []
        let active: String = row["active_slot"]
        return Environment(name: row["name"], slots: slots, activeSlot: active.isEmpty ? nil : active,
                           requireSignature: row["require_signature"], createdAt: try Timestamp(rfc3339: row["created_at"]))
    }

    static func jsonArray(_ values: [String]) -> String {
        "[" + values.map { CanonicalJSON.string($0) }.joined(separator: ",") + "]"
    }

    // MARK: - Deploys

    package func start(_ deploy: NewDeploy, policy: PolicyJudgement?, at time: Timestamp) throws(LedgerError) -> Deploy {
        try write { db in
            try db.execute(sql: """
                INSERT INTO deploy (environment, slot, service, repository, tag, digest, state, actor, created_at, started_at,
                                    policy_version, policy_violations, written_by)
                VALUES (?, ?, ?, ?, ?, ?, 'in_progress', ?, ?, ?, ?, ?, ?)
                """, arguments: [deploy.environment, deploy.slot ?? "", deploy.service, deploy.repository.name, deploy.tag,
                                 deploy.digest.description, deploy.actor, time.description, time.description, policy?.version,
                                 policy.map { PolicyViolation.json($0.violations) }, deploy.writtenBy?.canonicalJSON])
            let started = Deploy(id: db.lastInsertedRowID, deploy, state: .inProgress, startedAt: time, finishedAt: nil, policy: policy)
            try logAppender(db, time: time)?.append(.deployStarted(started))
            return started
        }
    }

    package func recordRefusal(_ deploy: NewDeploy, verification: Verification, policy: PolicyJudgement?, at time: Timestamp) throws(LedgerError) {
        try write { db in
            let reason = policy == nil ? verification.reason.rawValue : PolicyViolation.refusalReason
            let detail = policy.map { $0.violations.map { "\($0.rule.rawValue): \($0.detail)" }.joined(separator: "; ") } ?? verification.detail
            try db.execute(sql: """
                INSERT INTO deploy_refusal (environment, slot, service, repository, tag, digest, reason, detail, actor, refused_at,
                                            policy_version, violations)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [deploy.environment, deploy.slot ?? "", deploy.service, deploy.repository.name, deploy.tag,
                                 deploy.digest.description, reason, detail, deploy.actor, time.description, policy?.version,
                                 policy.map { PolicyViolation.json($0.violations) }])
            try logAppender(db, time: time)?.append(.deployRefused(deploy, verification, policy: policy, at: time))
        }
    }

    package func deploy(id: Int64) throws(LedgerError) -> Deploy? {
        try read { db in try Row.fetchOne(db, sql: "SELECT \(Self.deployColumns) FROM deploy d WHERE id = ?", arguments: [id]).map(Self.deploy(from:)) }
    }

    package func finish(deployID: Int64, as state: DeployState, at time: Timestamp) throws(LedgerError) -> Deploy {
        try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT \(Self.deployColumns) FROM deploy d WHERE id = ?", arguments: [deployID]) else {
                throw LedgerError.unknown(InvalidInput(field: "deploy", value: String(deployID), reason: "no such deploy"))
            }
            let current = try Self.deploy(from: row)
            guard current.state == .inProgress || current.state == .pending else {
                throw LedgerError.invalidInput(InvalidInput(field: "deploy", value: String(deployID),
                                                            reason: "already finished as \(current.state.rawValue)"))
            }
            try db.execute(sql: "UPDATE deploy SET state = ?, finished_at = ? WHERE id = ?",
                           arguments: [state.rawValue, time.description, deployID])
            try logAppender(db, time: time)?.append(.deployFinished(id: deployID, state: state, at: time))
            var finished = current
            finished.state = state
            finished.finishedAt = time
            return finished
        }
    }

    package func add(_ check: DeployCheck) throws(LedgerError) -> DeployCheck {
        try write { db in
            guard try Int64.fetchOne(db, sql: "SELECT id FROM deploy WHERE id = ?", arguments: [check.deployID]) != nil else {
                throw LedgerError.unknown(InvalidInput(field: "deploy", value: String(check.deployID), reason: "no such deploy"))
            }
            try db.execute(sql: "INSERT INTO deploy_check (deploy_id, name, status, detail, checked_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [check.deployID, check.name, check.status.rawValue, check.detail, check.checkedAt.description])
            try logAppender(db, time: check.checkedAt)?.append(.deployCheck(check))
            return check
        }
    }

    package func checks(deployID: Int64) throws(LedgerError) -> [DeployCheck] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM deploy_check WHERE deploy_id = ? ORDER BY id", arguments: [deployID]).map(Self.check(from:))
        }
    }

    package func checks(deployIDs: [Int64]) throws(LedgerError) -> [Int64: [DeployCheck]] {
        guard !deployIDs.isEmpty else { return [:] }
        return try read { db in
            var found: [Int64: [DeployCheck]] = [:]
            for start in stride(from: 0, to: deployIDs.count, by: 500) {
                let chunk = Array(deployIDs[start ..< min(start + 500, deployIDs.count)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                for row in try Row.fetchAll(db, sql: "SELECT * FROM deploy_check WHERE deploy_id IN (\(marks)) ORDER BY id",
                                            arguments: StatementArguments(chunk)) {
                    let check = try Self.check(from: row)
                    found[check.deployID, default: []].append(check)
                }
            }
            return found
        }
    }

    package func markBad(repository: Repository, digest: Digest, reason: String, at time: Timestamp) throws(LedgerError) {
        try write { db in
            try db.execute(sql: """
                INSERT INTO bad_image (repository, digest, reason, marked_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING
                """, arguments: [repository.name, digest.description, reason, time.description])
            if db.changesCount == 1 {
                try logAppender(db, time: time)?
                    .append(.imageMarkedBad(repository: repository.name, digest: digest.description, reason: reason, at: time))
            }
        }
    }

    /// A deploy's columns in the order `deploy(from:)` reads them by position (name lookups cost more
    /// than the query on the hot paths, `live` and `lkg`).
    static let deployColumns = """
        d.id, d.environment, d.slot, d.service, d.repository, d.tag, d.digest, d.state, d.actor, d.started_at, d.finished_at,
        d.policy_version, d.policy_violations, d.written_by
        """

    /// The facts that decide goodness, computed next to each deploy row in one query (columns 14, 15, 16).
    static let factColumns = """
        \(deployColumns),
        EXISTS (SELECT 1 FROM deploy_check c WHERE c.deploy_id = d.id AND c.status = 'fail') AS has_failed_check,
        EXISTS (SELECT 1 FROM bad_image b WHERE b.repository = d.repository AND b.digest = d.digest) AS marked_bad,
        EXISTS (SELECT 1 FROM trusted_signature t WHERE t.repository = d.repository AND t.digest = d.digest) AS trusted_signature
        """

    package func liveDeploys(environment: String, slot: String?) throws(LedgerError) -> [DeployFacts] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Self.factColumns) FROM live_deploy l JOIN deploy d ON d.id = l.deploy_id
                WHERE l.environment = ? AND l.slot = ? ORDER BY l.service
                """, arguments: [environment, slot ?? ""]).map(Self.facts(from:))
        }
    }

    package func succeededDeploys(environment: String, service: String, before: Int64?, limit: Int) throws(LedgerError) -> [DeployFacts] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Self.factColumns) FROM deploy d INDEXED BY deploy_succeeded
                WHERE d.environment = ? AND d.service = ? AND d.state = 'succeeded' AND d.id < ?
                ORDER BY d.id DESC LIMIT ?
                """, arguments: [environment, service, before ?? Int64.max, limit]).map(Self.facts(from:))
        }
    }

    package func deliveryDeploys(environment: String, startedBefore end: Timestamp, signatures: Bool) throws(LedgerError) -> [DeliveryDeploy] {
        try read { db in
            // The commit time of the build with the deploy's own tag (the reference team tags by git sha), else of
            // the earliest build of that image; both from the covering index of builds that have one.
            let rows = try Row.fetchCursor(db, sql: """
                SELECT d.service, d.state, d.started_at, d.finished_at,
                       EXISTS (SELECT 1 FROM deploy_check c WHERE c.deploy_id = d.id AND c.status = 'fail'),
                       EXISTS (SELECT 1 FROM bad_image b WHERE b.repository = d.repository AND b.digest = d.digest),
                       \(signatures ? "EXISTS (SELECT 1 FROM trusted_signature t WHERE t.repository = d.repository AND t.digest = d.digest)" : "0"),
                       coalesce((SELECT min(b.committed_at) FROM build b INDEXED BY build_commit_time
                                 WHERE b.digest = d.digest AND b.repository = d.repository AND b.tag = d.tag AND b.committed_at IS NOT NULL),
                                (SELECT min(b.committed_at) FROM build b INDEXED BY build_commit_time
                                 WHERE b.digest = d.digest AND b.repository = d.repository AND b.committed_at IS NOT NULL))
                FROM deploy d INDEXED BY deploy_by_environment
                WHERE d.environment = ? AND d.started_at < ? AND d.state IN ('succeeded', 'failed')
                ORDER BY d.started_at, d.id
                """, arguments: [environment, end.description])
            var deploys: [DeliveryDeploy] = []
            while let row = try rows.next() {
                let state: String = row[1]
                let started: String = row[2]
                let finished: String? = row[3]
                let committed: String? = row[7]
                deploys.append(DeliveryDeploy(
                    service: row[0], state: DeployState(rawValue: state) ?? .pending, startedAt: try Timestamp(rfc3339: started),
                    finishedAt: try finished.map { text throws(ValueError) in try Timestamp(rfc3339: text) },
                    hasFailedCheck: row[4], markedBad: row[5], trustedSignature: row[6],
                    committedAt: try committed.map { text throws(ValueError) in try Timestamp(rfc3339: text) }))
            }
            return deploys
        }
    }

    package func deploys(environment: String, repository: Repository, digest: Digest) throws(LedgerError) -> [DeployFacts] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Self.factColumns) FROM deploy d INDEXED BY deploy_by_image
                WHERE d.digest = ? AND d.repository = ? AND d.environment = ? ORDER BY d.id
                """, arguments: [digest.description, repository.name, environment]).map(Self.facts(from:))
        }
    }

    package func auditDeploys(environment: String, since: Timestamp?) throws(LedgerError) -> [(deploy: Deploy, passedChecks: [String])] {
        try read { db in
            // One pass with the passed checks' names alongside (unit separator: a check name holds no control character).
            let rows = try Row.fetchCursor(db, sql: """
                SELECT \(Self.deployColumns),
                       (SELECT group_concat(c.name, char(31)) FROM deploy_check c WHERE c.deploy_id = d.id AND c.status = 'pass')
                FROM deploy d WHERE d.environment = ? AND d.started_at >= ? ORDER BY d.id
                """, arguments: [environment, since?.description ?? ""])
            var found: [(deploy: Deploy, passedChecks: [String])] = []
            while let row = try rows.next() {
                let passed: String? = row[14]
                found.append((try Self.deploy(from: row), passed.map { $0.split(separator: "\u{1F}").map(String.init) } ?? []))
            }
            return found
        }
    }

    package func serviceDeploys(service: String, limit: Int) throws(LedgerError) -> [DeployFacts] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Self.factColumns) FROM deploy d INDEXED BY deploy_by_service WHERE d.service = ? ORDER BY d.id DESC LIMIT ?
                """, arguments: [service, limit]).map(Self.facts(from:))
        }
    }

    package func unfinishedDeploys(environment: String, from start: Timestamp, to end: Timestamp) throws(LedgerError) -> Int {
        try read { db in
            try Int.fetchOne(db, sql: """
                SELECT count(*) FROM deploy INDEXED BY deploy_by_environment
                WHERE environment = ? AND started_at >= ? AND started_at < ? AND state NOT IN ('succeeded', 'failed')
                """, arguments: [environment, start.description, end.description]) ?? 0
        }
    }

    package func currentDigest(repository: Repository, tag: String) throws(LedgerError) -> Digest? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT digest FROM tag WHERE repository = ? AND tag = ?", arguments: [repository.name, tag])
                .flatMap { try? Digest(parsing: $0) }
        }
    }

    static func deploy(from row: Row) throws -> Deploy {
        let slot: String = row[2]
        let state: String = row[7]
        let started: String? = row[9]
        let finished: String? = row[10]
        let policyVersion: Int64? = row[11]
        let violations: String? = row[12]
        let writer: String? = row[13]
        // Values as stored, validated when they were recorded.
        let deploy = NewDeploy(environment: row[1], slot: slot.isEmpty ? nil : slot, service: row[3], repository: Repository(validated: row[4]),
                               tag: row[5], digest: Digest(validated: row[6]), actor: row[8], writtenBy: writer.flatMap(WorkloadIdentity.init(canonical:)))
        return Deploy(id: row[0], deploy, state: DeployState(rawValue: state) ?? .pending,
                      startedAt: try started.map { text throws(ValueError) in try Timestamp(rfc3339: text) },
                      finishedAt: try finished.map { text throws(ValueError) in try Timestamp(rfc3339: text) },
                      policy: policyVersion.map { PolicyJudgement(version: $0, violations: violations.map(PolicyViolation.parse) ?? []) })
    }

    static func facts(from row: Row) throws -> DeployFacts {
        DeployFacts(deploy: try deploy(from: row), hasFailedCheck: row[14], markedBad: row[15], trustedSignature: row[16])
    }
}
