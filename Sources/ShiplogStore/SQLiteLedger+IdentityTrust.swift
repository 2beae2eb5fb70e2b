import Foundation
import GRDB
import ShiplogCore

extension SQLiteLedger {
    package func addTrustRule(_ rule: NewTrustRule, at time: Timestamp) throws(LedgerError) -> TrustRule {
        try write { db in
            let scopes = SQLiteLedger.jsonArray(rule.scopes.sorted().map(\.rawValue))
            // The same constraints twice would make one of them unrevocable in practice: refuse the second.
            if let twin = try Int64.fetchOne(db, sql: """
                SELECT id FROM oidc_trust WHERE revoked_at IS NULL AND lower(repository) = lower(?) AND repository_id IS ?
                  AND ref IS ? AND environment IS ? AND workflow IS ?
                """, arguments: [rule.repository, rule.repositoryID, rule.ref, rule.environment, rule.workflow]) {
                throw LedgerError.invalidInput(InvalidInput(field: "repository", value: rule.repository,
                                                            reason: "rule \(twin) already trusts exactly these claims; revoke it first"))
            }
            try db.execute(sql: """
                INSERT INTO oidc_trust (repository, repository_id, ref, environment, workflow, scopes, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [rule.repository, rule.repositoryID, rule.ref, rule.environment, rule.workflow, scopes, time.description])
            return TrustRule(id: db.lastInsertedRowID, repository: rule.repository, repositoryID: rule.repositoryID, ref: rule.ref,
                             environment: rule.environment, workflow: rule.workflow, scopes: rule.scopes.sorted(), createdAt: time, revokedAt: nil)
        }
    }

    package func trustRules() throws(LedgerError) -> [TrustRule] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM oidc_trust ORDER BY id").map(Self.trustRule) }
    }

    package func revokeTrustRule(id: Int64, at time: Timestamp) throws(LedgerError) -> TrustRule {
        try write { db in
            try db.execute(sql: "UPDATE oidc_trust SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [time.description, id])
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM oidc_trust WHERE id = ?", arguments: [id]) else {
                throw LedgerError.unknown(InvalidInput(field: "id", value: String(id), reason: "no such trust rule"))
            }
            return try Self.trustRule(row)
        }
    }

    package func pinRepositoryID(_ repositoryID: String, rule id: Int64) throws(LedgerError) -> String? {
        try write { db in
            try db.execute(sql: "UPDATE oidc_trust SET repository_id = ? WHERE id = ? AND repository_id IS NULL", arguments: [repositoryID, id])
            return try String.fetchOne(db, sql: "SELECT repository_id FROM oidc_trust WHERE id = ?", arguments: [id])
        }
    }

    static func trustRule(_ row: Row) throws -> TrustRule {
        let scopes: String = row["scopes"]
        let names = (try? JSONDecoder().decode([String].self, from: Data(scopes.utf8))) ?? []
        let revokedAt: String? = row["revoked_at"]
        return TrustRule(id: row["id"], repository: row["repository"], repositoryID: row["repository_id"], ref: row["ref"],
                         environment: row["environment"], workflow: row["workflow"], scopes: names.compactMap(Scope.init(rawValue:)).sorted(),
                         createdAt: try Timestamp(rfc3339: row["created_at"]),
                         revokedAt: try revokedAt.map { text throws(ValueError) in try Timestamp(rfc3339: text) })
    }
}
