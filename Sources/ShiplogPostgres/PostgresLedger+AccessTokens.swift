import ShiplogCore

/// API tokens and web sessions: only hashes, and not in the transparency log (access control, not release history).
extension PostgresLedger: AccessTokenStore {
    package func add(_ token: APIToken) throws(LedgerError) -> APIToken {
        try write { session, _ throws(LedgerError) in
            if try session.row("SELECT 1 AS found FROM api_token WHERE name = $1", [.text(token.name)]) != nil {
                throw .invalidInput(InvalidInput(field: "name", value: token.name, reason: "another token already has this name"))
            }
            try session.execute("INSERT INTO api_token (token_hash, name, scopes, created_at) VALUES ($1, $2, $3, $4)",
                                [.bytes(token.hash), .text(token.name), .text(token.scopes.sorted().map(\.rawValue).joined(separator: " ")),
                                 .text(token.createdAt.description)])
            return token
        }
    }

    package func token(hash: [UInt8]) throws(LedgerError) -> APIToken? {
        try single { session throws(LedgerError) in
            try session.row("SELECT token_hash, name, scopes, created_at FROM api_token WHERE token_hash = $1 AND revoked_at IS NULL",
                            [.bytes(hash)]).map(Self.apiToken(from:))
        }
    }

    package func sessionToken(hash: [UInt8], at time: Timestamp) throws(LedgerError) -> APIToken? {
        try single { session throws(LedgerError) in
            try session.row("""
                SELECT t.token_hash, t.name, t.scopes, t.created_at FROM web_session s JOIN api_token t ON t.name = s.token_name
                WHERE s.session_hash = $1 AND s.ended_at IS NULL AND s.expires_at > $2 AND t.revoked_at IS NULL
                """, [.bytes(hash), .text(time.description)]).map(Self.apiToken(from:))
        }
    }

    package func startSession(hash: [UInt8], tokenName: String, at time: Timestamp, expiry: Timestamp) throws(LedgerError) {
        try write { session, _ throws(LedgerError) in
            try session.execute("INSERT INTO web_session (session_hash, token_name, created_at, expires_at) VALUES ($1, $2, $3, $4)",
                                [.bytes(hash), .text(tokenName), .text(time.description), .text(expiry.description)])
        }
    }

    package func endSession(hash: [UInt8], at time: Timestamp) throws(LedgerError) {
        try write { session, _ throws(LedgerError) in
            try session.execute("UPDATE web_session SET ended_at = $1 WHERE session_hash = $2 AND ended_at IS NULL", [.text(time.description), .bytes(hash)])
        }
    }

    package func tokens() throws(LedgerError) -> [TokenEntry] {
        try single { session throws(LedgerError) in
            try session.rows("SELECT name, scopes, created_at, revoked_at FROM api_token ORDER BY name").map(Self.tokenEntry(from:))
        }
    }

    package func revokeToken(name: String, at time: Timestamp) throws(LedgerError) -> TokenEntry {
        try write { session, _ throws(LedgerError) in
            try session.execute("UPDATE api_token SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL", [.text(time.description), .text(name)])
            guard let row = try session.row("SELECT name, scopes, created_at, revoked_at FROM api_token WHERE name = $1", [.text(name)]) else {
                throw .unknown(InvalidInput(field: "token", value: name, reason: "no such token"))
            }
            return try Self.tokenEntry(from: row)
        }
    }

    static func scopes(_ text: String) -> [Scope] {
        text.split(separator: " ").compactMap { Scope(rawValue: String($0)) }
    }

    static func apiToken(from row: SQLRow) throws(LedgerError) -> APIToken {
        APIToken(name: try row.text("name"), scopes: Set(scopes(try row.text("scopes"))), hash: try row.bytes("token_hash"),
                 createdAt: try time(try row.text("created_at")))
    }

    static func tokenEntry(from row: SQLRow) throws(LedgerError) -> TokenEntry {
        TokenEntry(name: try row.text("name"), scopes: scopes(try row.text("scopes")).sorted(), createdAt: try time(try row.text("created_at")),
                   revokedAt: try time(try row.optionalText("revoked_at")))
    }
}
