/// The server's API tokens, stored as hashes only.
package protocol AccessTokenReading: Sendable {
    /// The token whose SHA-256 is `hash`, unless it is unknown or revoked.
    func token(hash: [UInt8]) throws(LedgerError) -> APIToken?
}

package protocol AccessTokenStore: AccessTokenReading {
    /// Stores a new token (only its hash); `invalidInput` when the name is taken.
    func add(_ token: APIToken) throws(LedgerError) -> APIToken
}
