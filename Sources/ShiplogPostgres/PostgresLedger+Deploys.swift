import ShiplogCore

extension PostgresLedger: DeployStore {
    // MARK: - Environments

    package func create(_ environment: Environment) throws(LedgerError) -> Environment {
        try write { session, log throws(LedgerError) in
            if let existing = try Self.environment(environment.name, session) {
                guard existing.slots == environment.slots, existing.requireSignature == environment.requireSignature else {
                    throw .invalidInput(InvalidInput(field: "environment", value: environment.name, reason: "already exists with other slots or protection"))
                }
                return existing
            }
            try session.execute("INSERT INTO environment (name, slots, active_slot, require_signature, created_at) VALUES ($1, $2, $3, $4, $5)",
                                [.text(environment.name), .text("[" + environment.slots.map { CanonicalJSON.string($0) }.joined(separator: ",") + "]"),
                                 .text(environment.activeSlot ?? ""), .integer(environment.requireSignature ? 1 : 0), .text(environment.createdAt.description)])
            try log?.append(.environment(environment), at: environment.createdAt)
            return environment
        }
    }

    package func environment(named name: String) throws(LedgerError) -> Environment? {
        try single { session throws(LedgerError) in try Self.environment(name, session) }
    }

    package func environments() throws(LedgerError) -> [Environment] {
        try single { session throws(LedgerError) in try session.rows("SELECT * FROM environment ORDER BY name").map(Self.environment(from:)) }
    }

    static func environment(_ name: String, _ session: PostgresSession) throws(LedgerError) -> Environment? {
        try session.row("SELECT * FROM environment WHERE name = $1", [.text(name)]).map(environment(from:))
    }

    package func switchSlot(environment: String, to slot: String, actor: String?, at time: Timestamp) throws(LedgerError) -> TrafficSwitch {
        try write { session, log throws(LedgerError) in
            guard let current = try Self.environment(environment, session) else { throw .notFound("no environment \(environment)") }
            let from = current.activeSlot ?? ""
            try session.execute("UPDATE environment SET active_slot = $1 WHERE name = $2", [.text(slot), .text(environment)])
            try session.execute("INSERT INTO traffic_switch (environment, from_slot, to_slot, actor, switched_at) VALUES ($1, $2, $3, $4, $5)",
                                [.text(environment), .text(from), .text(slot), .text(actor), .text(time.description)])
            let change = TrafficSwitch(environment: environment, fromSlot: from, toSlot: slot, actor: actor, switchedAt: time)
            try log?.append(.trafficSwitch(change), at: time)
            return change
        }
    }

    package func lastSwitch(environment: String) throws(LedgerError) -> TrafficSwitch? {
        try single { session throws(LedgerError) in
            try session.row("SELECT * FROM traffic_switch WHERE environment = $1 ORDER BY id DESC LIMIT 1", [.text(environment)]).map(Self.trafficSwitch(from:))
        }
    }

    // MARK: - Deploys

    package func start(_ deploy: NewDeploy, policy: PolicyJudgement?, at time: Timestamp) throws(LedgerError) -> Deploy {
        try write { session, log throws(LedgerError) in
            guard let row = try session.row("""
                INSERT INTO deploy (environment, slot, service, repository, tag, digest, state, actor, created_at, started_at,
                                    policy_version, policy_violations, written_by)
                VALUES ($1, $2, $3, $4, $5, $6, 'in_progress', $7, $8, $8, $9, $10, $11) RETURNING id
                """, [.text(deploy.environment), .text(deploy.slot ?? ""), .text(deploy.service), .text(deploy.repository.name), .text(deploy.tag),
                      .text(deploy.digest.description), .text(deploy.actor), .text(time.description), .integer(policy?.version),
                      .text(policy.map { PolicyViolation.json($0.violations) }), .text(deploy.writtenBy?.canonicalJSON)]) else {
                throw .storage("the deploy was not recorded")
            }
            let started = Deploy(id: try row.integer("id"), deploy, state: .inProgress, startedAt: time, finishedAt: nil, policy: policy)
            try log?.append(.deployStarted(started), at: time)
            return started
        }
    }

    package func recordRefusal(_ deploy: NewDeploy, verification: Verification, policy: PolicyJudgement?, at time: Timestamp) throws(LedgerError) {
        try write { session, log throws(LedgerError) in
            let reason = policy == nil ? verification.reason.rawValue : PolicyViolation.refusalReason
            let detail = policy.map { $0.violations.map { "\($0.rule.rawValue): \($0.detail)" }.joined(separator: "; ") } ?? verification.detail
            try session.execute("""
                INSERT INTO deploy_refusal (environment, slot, service, repository, tag, digest, reason, detail, actor, refused_at,
                                            policy_version, violations)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                """, [.text(deploy.environment), .text(deploy.slot ?? ""), .text(deploy.service), .text(deploy.repository.name), .text(deploy.tag),
                      .text(deploy.digest.description), .text(reason), .text(detail), .text(deploy.actor), .text(time.description),
                      .integer(policy?.version), .text(policy.map { PolicyViolation.json($0.violations) })])
            try log?.append(.deployRefused(deploy, verification, policy: policy, at: time), at: time)
        }
    }

    package func deploy(id: Int64) throws(LedgerError) -> Deploy? {
        try single { session throws(LedgerError) in
            try session.row("SELECT \(Self.deployColumns) FROM deploy d WHERE id = $1", [.integer(id)]).map(Self.deploy(from:))
        }
    }

    package func finish(deployID: Int64, as state: DeployState, at time: Timestamp) throws(LedgerError) -> Deploy {
        try write { session, log throws(LedgerError) in
            guard let row = try session.row("SELECT \(Self.deployColumns) FROM deploy d WHERE id = $1", [.integer(deployID)]) else {
                throw .unknown(InvalidInput(field: "deploy", value: String(deployID), reason: "no such deploy"))
            }
            let current = try Self.deploy(from: row)
            guard current.state == .inProgress || current.state == .pending else {
                throw .invalidInput(InvalidInput(field: "deploy", value: String(deployID), reason: "already finished as \(current.state.rawValue)"))
            }
            try session.execute("UPDATE deploy SET state = $1, finished_at = $2 WHERE id = $3", [.text(state.rawValue), .text(time.description), .integer(deployID)])
            try log?.append(.deployFinished(id: deployID, state: state, at: time), at: time)
            var finished = current
            finished.state = state
            finished.finishedAt = time
            return finished
        }
    }

    package func add(_ check: DeployCheck) throws(LedgerError) -> DeployCheck {
        try write { session, log throws(LedgerError) in
            guard try session.row("SELECT id FROM deploy WHERE id = $1", [.integer(check.deployID)]) != nil else {
                throw .unknown(InvalidInput(field: "deploy", value: String(check.deployID), reason: "no such deploy"))
            }
            try session.execute("INSERT INTO deploy_check (deploy_id, name, status, detail, checked_at) VALUES ($1, $2, $3, $4, $5)",
                                [.integer(check.deployID), .text(check.name), .text(check.status.rawValue), .text(check.detail), .text(check.checkedAt.description)])
            try log?.append(.deployCheck(check), at: check.checkedAt)
            return check
        }
    }

    package func checks(deployID: Int64) throws(LedgerError) -> [DeployCheck] {
        try single { session throws(LedgerError) in
            try session.rows("SELECT * FROM deploy_check WHERE deploy_id = $1 ORDER BY id", [.integer(deployID)]).map(Self.check(from:))
        }
    }

    package func checks(deployIDs: [Int64]) throws(LedgerError) -> [Int64: [DeployCheck]] {
        guard !deployIDs.isEmpty else { return [:] }
        return try single { session throws(LedgerError) in
            var found: [Int64: [DeployCheck]] = [:]
            for row in try session.rows("SELECT * FROM deploy_check WHERE deploy_id = ANY($1::bigint[]) ORDER BY id", [.integers(deployIDs)]) {
                let check = try Self.check(from: row)
                found[check.deployID, default: []].append(check)
            }
            return found
        }
    }

    package func markBad(repository: Repository, digest: Digest, reason: String, at time: Timestamp) throws(LedgerError) {
        try write { session, log throws(LedgerError) in
            if try session.execute("INSERT INTO bad_image (repository, digest, reason, marked_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                                   [.text(repository.name), .text(digest.description), .text(reason), .text(time.description)]) == 1 {
                try log?.append(.imageMarkedBad(repository: repository.name, digest: digest.description, reason: reason, at: time), at: time)
            }
        }
    }

    // MARK: - Reads that decide goodness

    package func liveDeploys(environment: String, slot: String?) throws(LedgerError) -> [DeployFacts] {
        try single { session throws(LedgerError) in
            try session.rows("""
                SELECT \(Self.factColumns) FROM live_deploy l JOIN deploy d ON d.id = l.deploy_id
                WHERE l.environment = $1 AND l.slot = $2 ORDER BY l.service
                """, [.text(environment), .text(slot ?? "")]).map(Self.facts(from:))
        }
    }

    package func succeededDeploys(environment: String, service: String, before: Int64?, limit: Int) throws(LedgerError) -> [DeployFacts] {
        try single { session throws(LedgerError) in
            try session.rows("""
                SELECT \(Self.factColumns) FROM deploy d
                WHERE d.environment = $1 AND d.service = $2 AND d.state = 'succeeded' AND d.id < $3
                ORDER BY d.id DESC LIMIT $4
                """, [.text(environment), .text(service), .integer(before ?? Int64.max), .int(limit)]).map(Self.facts(from:))
        }
    }

    package func deliveryDeploys(environment: String, startedBefore end: Timestamp, signatures: Bool) throws(LedgerError) -> [DeliveryDeploy] {
        try single { session throws(LedgerError) in
            // The commit time of the build with the deploy's own tag (the reference team tags by git sha), else of the earliest build of that image.
            try session.rows("""
                SELECT d.service, d.state, d.started_at, d.finished_at,
                       EXISTS (SELECT 1 FROM deploy_check c WHERE c.deploy_id = d.id AND c.status = 'fail') AS has_failed_check,
                       EXISTS (SELECT 1 FROM bad_image b WHERE b.repository = d.repository AND b.digest = d.digest) AS marked_bad,
                       \(signatures ? "EXISTS (SELECT 1 FROM trusted_signature t WHERE t.repository = d.repository AND t.digest = d.digest)" : "false")
                           AS trusted_signature,
                       coalesce((SELECT min(b.committed_at) FROM build b
                                 WHERE b.digest = d.digest AND b.repository = d.repository AND b.tag = d.tag AND b.committed_at IS NOT NULL),
                                (SELECT min(b.committed_at) FROM build b
                                 WHERE b.digest = d.digest AND b.repository = d.repository AND b.committed_at IS NOT NULL)) AS committed_at
                FROM deploy d
                WHERE d.environment = $1 AND d.started_at < $2 AND d.state IN ('succeeded', 'failed')
                ORDER BY d.started_at, d.id
                """, [.text(environment), .text(end.description)]).map { row throws(LedgerError) in
                DeliveryDeploy(service: try row.text("service"), state: DeployState(rawValue: try row.text("state")) ?? .pending,
                               startedAt: try Self.time(try row.text("started_at")), finishedAt: try Self.time(try row.optionalText("finished_at")),
                               hasFailedCheck: try row.bool("has_failed_check"), markedBad: try row.bool("marked_bad"),
                               trustedSignature: try row.bool("trusted_signature"), committedAt: try Self.time(try row.optionalText("committed_at")))
            }
        }
    }

    package func deploys(environment: String, repository: Repository, digest: Digest) throws(LedgerError) -> [DeployFacts] {
        try single { session throws(LedgerError) in
            try session.rows("""
                SELECT \(Self.factColumns) FROM deploy d WHERE d.digest = $1 AND d.repository = $2 AND d.environment = $3 ORDER BY d.id
                """, [.text(digest.description), .text(repository.name), .text(environment)]).map(Self.facts(from:))
        }
    }

    package func auditDeploys(environment: String, since: Timestamp?) throws(LedgerError) -> [(deploy: Deploy, passedChecks: [String])] {
        try single { session throws(LedgerError) in
            try session.rows("""
                SELECT \(Self.deployColumns),
                       (SELECT array_to_string(array_agg(c.name ORDER BY c.id), chr(31)) FROM deploy_check c
                        WHERE c.deploy_id = d.id AND c.status = 'pass') AS passed
                FROM deploy d WHERE d.environment = $1 AND d.started_at >= $2 ORDER BY d.id
                """, [.text(environment), .text(since?.description ?? "")]).map { row throws(LedgerError) in
                (try Self.deploy(from: row), try row.optionalText("passed").map { $0.split(separator: "\u{1F}").map(String.init) } ?? [])
            }
        }
    }

    package func serviceDeploys(service: String, limit: Int) throws(LedgerError) -> [DeployFacts] {
        try single { session throws(LedgerError) in
            try session.rows("SELECT \(Self.factColumns) FROM deploy d WHERE d.service = $1 ORDER BY d.id DESC LIMIT $2", [.text(service), .int(limit)])
                .map(Self.facts(from:))
        }
    }

    package func unfinishedDeploys(environment: String, from start: Timestamp, to end: Timestamp) throws(LedgerError) -> Int {
        try single { session throws(LedgerError) in
            Int(try session.row("""
                SELECT count(*) AS unfinished FROM deploy
                WHERE environment = $1 AND started_at >= $2 AND started_at < $3 AND state NOT IN ('succeeded', 'failed')
                """, [.text(environment), .text(start.description), .text(end.description)])?.integer("unfinished") ?? 0)
        }
    }

    // MARK: - For comparing the tables with the log

    package func allDeploys() throws(LedgerError) -> [Deploy] {
        try single { session throws(LedgerError) in try session.rows("SELECT \(Self.deployColumns) FROM deploy d ORDER BY id").map(Self.deploy(from:)) }
    }

    package func badImages() throws(LedgerError) -> [(image: String, reason: String, markedAt: String)] {
        try single { session throws(LedgerError) in
            try session.rows("SELECT repository || '@' || digest AS image, reason, marked_at FROM bad_image ORDER BY 1").map { row throws(LedgerError) in
                (try row.text("image"), try row.text("reason"), try row.text("marked_at"))
            }
        }
    }

    package func allChecks() throws(LedgerError) -> [DeployCheck] {
        try single { session throws(LedgerError) in try session.rows("SELECT * FROM deploy_check ORDER BY id").map(Self.check(from:)) }
    }

    package func allSwitches() throws(LedgerError) -> [TrafficSwitch] {
        try single { session throws(LedgerError) in try session.rows("SELECT * FROM traffic_switch ORDER BY id").map(Self.trafficSwitch(from:)) }
    }

    package func allRefusals() throws(LedgerError) -> [(deploy: NewDeploy, reason: String, refusedAt: String, policy: PolicyJudgement?)] {
        try single { session throws(LedgerError) in
            try session.rows("SELECT * FROM deploy_refusal ORDER BY id").map { row throws(LedgerError) in
                let slot = try row.text("slot")
                let deploy = NewDeploy(environment: try row.text("environment"), slot: slot.isEmpty ? nil : slot, service: try row.text("service"),
                                       repository: Repository(validated: try row.text("repository")), tag: try row.optionalText("tag"),
                                       digest: Digest(validated: try row.text("digest")), actor: try row.optionalText("actor"))
                let violations = try row.optionalText("violations")
                return (deploy, try row.text("reason"), try row.text("refused_at"),
                        try row.optionalInteger("policy_version").map { PolicyJudgement(version: $0, violations: PolicyViolation.parse(violations ?? "[]")) })
            }
        }
    }

    package func livePointers() throws(LedgerError) -> [(environment: String, slot: String?, service: String, deployID: Int64)] {
        try single { session throws(LedgerError) in
            try session.rows("SELECT environment, slot, service, deploy_id FROM live_deploy ORDER BY 1, 2, 3").map { row throws(LedgerError) in
                let slot = try row.text("slot")
                return (try row.text("environment"), slot.isEmpty ? nil : slot, try row.text("service"), try row.integer("deploy_id"))
            }
        }
    }
}
