import GRDB
import ShiplogCore

extension SQLiteLedger {
    /// A finished deploy with its checks, for filling a ledger in bulk.
    package struct SeedDeploy: Sendable {
        package var deploy: NewDeploy
        package var state: DeployState
        package var checks: [CheckStatus]
        /// When it started and finished; the batch's time when nil.
        package var at: Timestamp?

        package init(deploy: NewDeploy, state: DeployState, checks: [CheckStatus], at: Timestamp? = nil) {
            self.deploy = deploy
            self.state = state
            self.checks = checks
            self.at = at
        }
    }

    /// Writes many finished deploys in one transaction, through the same triggers as `start`/`finish`.
    /// For benchmarks that need a ledger of a million deploys; the doors never call it.
    package func seed(_ deploys: [SeedDeploy], at time: Timestamp) throws(LedgerError) {
        let now = time.description
        try write { db in
            let insert = try BulkStatement(db, sql: """
                INSERT INTO deploy (environment, slot, service, repository, tag, digest, state, actor, created_at, started_at, finished_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'seed', ?, ?, ?)
                """)
            let check = try BulkStatement(db, sql: """
                INSERT INTO deploy_check (deploy_id, name, status, checked_at) VALUES (?, 'health', ?, ?)
                """)
            let log = try logAppender(db, time: time)
            for seed in deploys {
                let deploy = seed.deploy
                let time = seed.at ?? time
                let now = seed.at?.description ?? now
                for (index, text) in [deploy.environment, deploy.slot ?? "", deploy.service, deploy.repository.name, deploy.tag,
                                      deploy.digest.description, seed.state.rawValue, now, now, now].enumerated() {
                    insert.bind(Int32(index + 1), text)
                }
                try insert.execute()
                let id = insert.lastInsertedRowID
                var started = deploy
                started.actor = "seed"
                try log?.append(.deployStarted(Deploy(id: id, started, state: seed.state, startedAt: time, finishedAt: time)))
                for status in seed.checks {
                    check.bind(1, Int(id))
                    check.bind(2, status.rawValue)
                    check.bind(3, now)
                    try check.execute()
                    try log?.append(.deployCheck(DeployCheck(deployID: id, name: "health", status: status, detail: nil, checkedAt: time)))
                }
            }
        }
    }
}

extension SQLiteLedger {
    /// Appends events to the transparency log alone, in one transaction: for benchmarks of large logs.
    package func appendToLog(_ events: [LedgerEvent], at time: Timestamp) throws(LedgerError) {
        try write { db in
            guard let log = try logAppender(db, time: time, force: true) else { return }
            for event in events { try log.append(event) }
        }
    }
}
