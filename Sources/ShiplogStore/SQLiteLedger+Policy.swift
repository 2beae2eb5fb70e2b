import Foundation
import GRDB
import ShiplogCore

extension SQLiteLedger {
    package func setPolicy(environment: String, document: String, actor: String?, at time: Timestamp) throws(LedgerError) -> PolicyVersion {
        try write { db in
            guard try Self.environment(environment, db) != nil else {
                throw LedgerError.unknown(InvalidInput(field: "environment", value: environment, reason: "no such environment"))
            }
            let version = (try Int64.fetchOne(db, sql: "SELECT max(version) FROM policy WHERE environment = ?", arguments: [environment]) ?? 0) + 1
            try db.execute(sql: "INSERT INTO policy (environment, version, document, actor, set_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [environment, version, document, actor, time.description])
            let policy = PolicyVersion(environment: environment, version: version, policy: try Self.document(document), actor: actor, setAt: time)
            try logAppender(db, time: time)?.append(.policySet(policy, document: document))
            return policy
        }
    }

    package func policy(environment: String) throws(LedgerError) -> PolicyVersion? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM policy WHERE environment = ? ORDER BY version DESC LIMIT 1", arguments: [environment])
                .map(Self.policy(from:))
        }
    }

    package func policyDocument(environment: String) throws(LedgerError) -> (version: Int64, document: String)? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT version, document FROM policy WHERE environment = ? ORDER BY version DESC LIMIT 1",
                             arguments: [environment]).map { ($0[0], $0[1]) }
        }
    }

    package func allPolicies() throws(LedgerError) -> [(policy: PolicyVersion, document: String)] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM policy ORDER BY id").map { row in (try Self.policy(from: row), row["document"]) } }
    }

    static func policy(from row: Row) throws -> PolicyVersion {
        PolicyVersion(environment: row["environment"], version: row["version"], policy: try document(row["document"]), actor: row["actor"],
                      setAt: try Timestamp(rfc3339: row["set_at"]))
    }

    static func document(_ text: String) throws -> JSONValue {
        try JSONInput.value(from: Data(text.utf8), source: "stored policy")
    }
}
