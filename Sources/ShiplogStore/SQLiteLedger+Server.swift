import Foundation
import GRDB
import ShiplogCore

/// What the server needs beyond the ledger's own records: API tokens and figures for /metrics.
extension SQLiteLedger {
    package func add(_ token: APIToken) throws(LedgerError) -> APIToken {
        try write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM api_token WHERE name = ?", arguments: [token.name]) == true {
                throw LedgerError.invalidInput(InvalidInput(field: "name", value: token.name, reason: "another token already has this name"))
            }
            try db.execute(sql: "INSERT INTO api_token (token_hash, name, scopes, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [Data(token.hash), token.name, token.scopes.sorted().map(\.rawValue).joined(separator: " "),
                                       token.createdAt.description])
            return token
        }
    }

    package func token(hash: [UInt8]) throws(LedgerError) -> APIToken? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT token_hash, name, scopes, created_at FROM api_token WHERE token_hash = ? AND revoked_at IS NULL
                """, arguments: [Data(hash)]) else { return nil }
            let scopes: String = row["scopes"]
            let stored: Data = row["token_hash"]
            return APIToken(name: row["name"], scopes: Set(scopes.split(separator: " ").compactMap { Scope(rawValue: String($0)) }),
                            hash: Array(stored), createdAt: try Timestamp(rfc3339: row["created_at"]))
        }
    }

    package func sessionToken(hash: [UInt8], at time: Timestamp) throws(LedgerError) -> APIToken? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT t.token_hash, t.name, t.scopes, t.created_at FROM web_session s JOIN api_token t ON t.name = s.token_name
                WHERE s.session_hash = ? AND s.ended_at IS NULL AND s.expires_at > ? AND t.revoked_at IS NULL
                """, arguments: [Data(hash), time.description]) else { return nil }
            let scopes: String = row["scopes"]
            let stored: Data = row["token_hash"]
            return APIToken(name: row["name"], scopes: Set(scopes.split(separator: " ").compactMap { Scope(rawValue: String($0)) }),
                            hash: Array(stored), createdAt: try Timestamp(rfc3339: row["created_at"]))
        }
    }

    package func startSession(hash: [UInt8], tokenName: String, at time: Timestamp, expiry: Timestamp) throws(LedgerError) {
        try write { db in
            try db.execute(sql: "INSERT INTO web_session (session_hash, token_name, created_at, expires_at) VALUES (?, ?, ?, ?)",
                           arguments: [Data(hash), tokenName, time.description, expiry.description])
        }
    }

    package func endSession(hash: [UInt8], at time: Timestamp) throws(LedgerError) {
        try write { db in
            try db.execute(sql: "UPDATE web_session SET ended_at = ? WHERE session_hash = ? AND ended_at IS NULL",
                           arguments: [time.description, Data(hash)])
        }
    }

    package func tokens() throws(LedgerError) -> [TokenEntry] {
        try read { db in try Row.fetchAll(db, sql: "SELECT name, scopes, created_at, revoked_at FROM api_token ORDER BY name").map(Self.tokenEntry) }
    }

    package func revokeToken(name: String, at time: Timestamp) throws(LedgerError) -> TokenEntry {
        try write { db in
            try db.execute(sql: "UPDATE api_token SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", arguments: [time.description, name])
            guard let row = try Row.fetchOne(db, sql: "SELECT name, scopes, created_at, revoked_at FROM api_token WHERE name = ?",
                                             arguments: [name]) else {
                throw LedgerError.unknown(InvalidInput(field: "token", value: name, reason: "no such token"))
            }
            return try Self.tokenEntry(row)
        }
    }

    static func tokenEntry(_ row: Row) throws -> TokenEntry {
        let scopes: String = row["scopes"]
        let revokedAt: String? = row["revoked_at"]
        return TokenEntry(name: row["name"], scopes: scopes.split(separator: " ").compactMap { Scope(rawValue: String($0)) }.sorted(),
                          createdAt: try Timestamp(rfc3339: row["created_at"]),
                          revokedAt: try revokedAt.map { text throws(ValueError) in try Timestamp(rfc3339: text) })
    }

    package func sizes() throws(LedgerError) -> [(kind: String, count: Int64)] {
        try read { db in
            // MAX(rowid) is O(log n) where COUNT(*) scans; every counted table is append-only, so they agree.
            let counts = [("builds", "SELECT COALESCE(MAX(id), 0) FROM build"),
                          ("deploys", "SELECT COALESCE(MAX(id), 0) FROM deploy"),
                          ("signatures", "SELECT COALESCE(MAX(id), 0) FROM signature"),
                          ("attestations", "SELECT COALESCE(MAX(id), 0) FROM attestation"),
                          ("log_entries", "SELECT COALESCE(MAX(leaf_index) + 1, 0) FROM log_entry"),
                          ("keys", "SELECT COUNT(*) FROM key")]
            return try counts.map { kind, sql in (kind, try Int64.fetchOne(db, sql: sql) ?? 0) }
        }
    }

    package func environments() throws(LedgerError) -> [Environment] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT name FROM environment ORDER BY name").compactMap { try Self.environment($0, db) }
        }
    }
}

extension SQLiteLedger {
    package func changeCounter() throws(LedgerError) -> Int64 {
        guard let path else {
            // The private in-memory ledger has one connection; its own writes are the only changes.
            return try read { db in Int64(db.totalChangesCount) }
        }
        do {
            return try changeWatcher.withLock { watcher in
                if watcher == nil {
                    var configuration = Configuration()
                    configuration.readonly = true
                    configuration.busyMode = .timeout(Self.busyTimeout)
                    watcher = try DatabaseQueue(path: path, configuration: configuration)
                }
                // Outside a transaction: the pragma alone, no BEGIN and COMMIT around it.
                return try watcher!.inDatabase { db in try Int64.fetchOne(try db.cachedStatement(sql: "PRAGMA data_version")) ?? 0 }
            }
        } catch {
            throw .storage("\(path): \(error)")
        }
    }
}
