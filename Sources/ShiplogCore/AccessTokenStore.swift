/// The server's API tokens, stored as hashes only.
package protocol AccessTokenReading: Sendable {
    /// The token whose SHA-256 is `hash`, unless it is unknown or revoked.
    func token(hash: [UInt8]) throws(LedgerError) -> APIToken?
    /// Every token, revoked ones too, by name: what an admin reviews (never a secret, never a hash).
    func tokens() throws(LedgerError) -> [TokenEntry]
    /// The token of the web session whose secret's SHA-256 is `hash`, while the session has not ended or expired at
    /// `time` and its token is not revoked.
    func sessionToken(hash: [UInt8], at time: Timestamp) throws(LedgerError) -> APIToken?
}

package protocol AccessTokenStore: AccessTokenReading {
    /// Stores a new token (only its hash); `invalidInput` when the name is taken.
    func add(_ token: APIToken) throws(LedgerError) -> APIToken
    /// Revokes the token named `name` from `time` on; revoking twice keeps the first time. `unknown` when
    /// there is no such token.
    func revokeToken(name: String, at time: Timestamp) throws(LedgerError) -> TokenEntry
    /// Starts a web session of `tokenName` (only the secret's hash is kept), ending at `expiry`.
    func startSession(hash: [UInt8], tokenName: String, at time: Timestamp, expiry: Timestamp) throws(LedgerError)
    /// Ends a web session (logout); ending an unknown or ended one does nothing.
    func endSession(hash: [UInt8], at time: Timestamp) throws(LedgerError)
}

/// A token as `tokens list` shows it.
package struct TokenEntry: Sendable, Hashable, Encodable {
    package var name: String
    package var scopes: [Scope]
    package var createdAt: Timestamp
    @Nullable package var revokedAt: Timestamp?

    package init(name: String, scopes: [Scope], createdAt: Timestamp, revokedAt: Timestamp?) {
        self.name = name
        self.scopes = scopes
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}
