import ShiplogCore
import ShiplogCrypto

extension ReleaseLedger {
    /// Makes a bearer token: 32 random bytes, shown once; the ledger keeps only their SHA-256.
    package func createToken(name: String, scopes: Set<Scope>) throws(LedgerError) -> IssuedToken {
        do { try APIToken.validateName(name) } catch { throw .invalidInput(error.at("name")) }
        guard !scopes.isEmpty else {
            throw .invalidInput(InvalidInput(field: "scopes", reason: "name at least one of " + Scope.allCases.map(\.rawValue).joined(separator: ", ")))
        }
        let secret: String
        do { secret = "shiplog_" + (try SecureRandom.bytes(32)).map(Self.hexByte).joined() } catch {
            throw .storage("no random bytes for the token: \(error)")
        }
        let stored = try store.add(APIToken(name: name, scopes: scopes, hash: SHA256.hash(Array(secret.utf8)), createdAt: clock()))
        return IssuedToken(name: stored.name, scopes: stored.scopes.sorted().map(\.rawValue), token: secret)
    }

    /// The token a bearer secret names, when it is known and not revoked.
    ///
    /// The lookup is by SHA-256 of the secret (an index probe that reveals nothing about the stored
    /// secret's bytes); the hashes are then compared in constant time before the token counts.
    package func token(secret: String) throws(LedgerError) -> APIToken? {
        let hash = SHA256.hash(Array(secret.utf8))
        guard let token = try store.token(hash: hash), ConstantTime.equal(token.hash, hash) else { return nil }
        return token
    }

    /// A web session for the token `secret` names, when it may read: a new random secret for the session cookie
    /// (returned once; only its SHA-256 is kept), valid for `lifetime` seconds.
    package func startSession(tokenSecret secret: String, lifetime: Int64) throws(LedgerError) -> String {
        guard let token = try token(secret: secret), token.allows(.read) else {
            throw .denied("unknown or revoked token, or one that may not read")
        }
        let session: String
        do { session = "shiplog_session_" + (try SecureRandom.bytes(32)).map(Self.hexByte).joined() } catch {
            throw .storage("no random bytes for the session: \(error)")
        }
        let now = clock()
        try store.startSession(hash: SHA256.hash(Array(session.utf8)), tokenName: token.name, at: now,
                               expiry: Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + lifetime * 1_000))
        return session
    }

    /// The token behind a session cookie, while the session lasts and the token is not revoked.
    package func sessionToken(secret: String) throws(LedgerError) -> APIToken? {
        try store.sessionToken(hash: SHA256.hash(Array(secret.utf8)), at: clock())
    }

    package func endSession(secret: String) throws(LedgerError) {
        try store.endSession(hash: SHA256.hash(Array(secret.utf8)), at: clock())
    }

    /// Every token, by name; secrets are never kept, so none is shown.
    package func tokens() throws(LedgerError) -> [TokenEntry] { try store.tokens() }

    /// Revokes a token at once; its requests are refused from now on.
    package func revokeToken(name: String) throws(LedgerError) -> TokenEntry {
        try store.revokeToken(name: name, at: clock())
    }

    private static func hexByte(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
    }
}
