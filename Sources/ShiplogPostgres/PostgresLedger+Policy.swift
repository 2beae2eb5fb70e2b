import Foundation
import ShiplogCore

extension PostgresLedger: PolicyStore {
    package func setPolicy(environment: String, document: String, actor: String?, at time: Timestamp) throws(LedgerError) -> PolicyVersion {
        try write { session, log throws(LedgerError) in
            guard try session.row("SELECT 1 AS found FROM environment WHERE name = $1", [.text(environment)]) != nil else {
                throw .unknown(InvalidInput(field: "environment", value: environment, reason: "no such environment"))
            }
            let version = (try session.row("SELECT max(version) AS version FROM policy WHERE environment = $1", [.text(environment)])?
                .optionalInteger("version") ?? 0) + 1
            try session.execute("INSERT INTO policy (environment, version, document, actor, set_at) VALUES ($1, $2, $3, $4, $5)",
                                [.text(environment), .integer(version), .text(document), .text(actor), .text(time.description)])
            let policy = PolicyVersion(environment: environment, version: version, policy: try Self.document(document), actor: actor, setAt: time)
            try log?.append(.policySet(policy, document: document), at: time)
            return policy
        }
    }

    package func policy(environment: String) throws(LedgerError) -> PolicyVersion? {
        try single { session throws(LedgerError) in
            try session.row("SELECT * FROM policy WHERE environment = $1 ORDER BY version DESC LIMIT 1", [.text(environment)]).map(Self.policy(from:))
        }
    }

    package func policyDocument(environment: String) throws(LedgerError) -> (version: Int64, document: String)? {
        try single { session throws(LedgerError) in
            try session.row("SELECT version, document FROM policy WHERE environment = $1 ORDER BY version DESC LIMIT 1", [.text(environment)])
                .map { row throws(LedgerError) in (try row.integer("version"), try row.text("document")) }
        }
    }

    package func allPolicies() throws(LedgerError) -> [(policy: PolicyVersion, document: String)] {
        try single { session throws(LedgerError) in
            try session.rows("SELECT * FROM policy ORDER BY id").map { row throws(LedgerError) in (try Self.policy(from: row), try row.text("document")) }
        }
    }

    static func policy(from row: SQLRow) throws(LedgerError) -> PolicyVersion {
        PolicyVersion(environment: try row.text("environment"), version: try row.integer("version"), policy: try document(try row.text("document")),
                      actor: try row.optionalText("actor"), setAt: try time(try row.text("set_at")))
    }

    static func document(_ text: String) throws(LedgerError) -> JSONValue {
        do { return try JSONInput.value(from: Data(text.utf8), source: "stored policy") } catch { throw .storage("stored policy: \(error)") }
    }
}
