import Foundation
import ShiplogCore

extension PostgresLedger: IdentityTrustStore {
    package func addTrustRule(_ rule: NewTrustRule, at time: Timestamp) throws(LedgerError) -> TrustRule {
        try write { session, _ throws(LedgerError) in
            let scopes = rule.scopes.sorted().map(\.rawValue)
            // The same constraints twice would make one of them unrevocable in practice: refuse the second.
            if let twin = try session.row("""
                SELECT id FROM oidc_trust WHERE revoked_at IS NULL AND lower(repository) = lower($1) AND repository_id IS NOT DISTINCT FROM $2
                  AND ref IS NOT DISTINCT FROM $3 AND environment IS NOT DISTINCT FROM $4 AND workflow IS NOT DISTINCT FROM $5
                """, [.text(rule.repository), .text(rule.repositoryID), .text(rule.ref), .text(rule.environment), .text(rule.workflow)]) {
                throw .invalidInput(InvalidInput(field: "repository", value: rule.repository,
                                                 reason: "rule \(try twin.integer("id")) already trusts exactly these claims; revoke it first"))
            }
            guard let inserted = try session.row("""
                INSERT INTO oidc_trust (repository, repository_id, ref, environment, workflow, scopes, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id
                """, [.text(rule.repository), .text(rule.repositoryID), .text(rule.ref), .text(rule.environment), .text(rule.workflow),
                      .text("[" + scopes.map { CanonicalJSON.string($0) }.joined(separator: ",") + "]"), .text(time.description)]) else {
                throw .storage("the trust rule was not recorded")
            }
            return TrustRule(id: try inserted.integer("id"), repository: rule.repository, repositoryID: rule.repositoryID, ref: rule.ref,
                             environment: rule.environment, workflow: rule.workflow, scopes: rule.scopes.sorted(), createdAt: time, revokedAt: nil)
        }
    }

    package func trustRules() throws(LedgerError) -> [TrustRule] {
        try single { session throws(LedgerError) in try session.rows("SELECT * FROM oidc_trust ORDER BY id").map(Self.trustRule(from:)) }
    }

    package func revokeTrustRule(id: Int64, at time: Timestamp) throws(LedgerError) -> TrustRule {
        try write { session, _ throws(LedgerError) in
            try session.execute("UPDATE oidc_trust SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL", [.text(time.description), .integer(id)])
            guard let row = try session.row("SELECT * FROM oidc_trust WHERE id = $1", [.integer(id)]) else {
                throw .unknown(InvalidInput(field: "id", value: String(id), reason: "no such trust rule"))
            }
            return try Self.trustRule(from: row)
        }
    }

    package func pinRepositoryID(_ repositoryID: String, rule id: Int64) throws(LedgerError) -> String? {
        try write { session, _ throws(LedgerError) in
            try session.execute("UPDATE oidc_trust SET repository_id = $1 WHERE id = $2 AND repository_id IS NULL", [.text(repositoryID), .integer(id)])
            return try session.row("SELECT repository_id FROM oidc_trust WHERE id = $1", [.integer(id)])?.optionalText("repository_id")
        }
    }

    static func trustRule(from row: SQLRow) throws(LedgerError) -> TrustRule {
        let names = (try? JSONDecoder().decode([String].self, from: Data(try row.text("scopes").utf8))) ?? []
        return TrustRule(id: try row.integer("id"), repository: try row.text("repository"), repositoryID: try row.optionalText("repository_id"),
                         ref: try row.optionalText("ref"), environment: try row.optionalText("environment"), workflow: try row.optionalText("workflow"),
                         scopes: names.compactMap(Scope.init(rawValue:)).sorted(), createdAt: try time(try row.text("created_at")),
                         revokedAt: try time(try row.optionalText("revoked_at")))
    }
}
