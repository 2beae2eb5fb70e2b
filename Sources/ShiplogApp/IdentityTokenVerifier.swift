import Foundation
import ShiplogCore
import ShiplogCrypto
import Synchronization

/// Checks CI jobs' OIDC tokens for `serve --oidc-issuer`: the signature against the issuer's key set (kept,
/// and read again when a token names a key it lacks, at most once a minute), then `iss`, `aud` and the times.
package final class IdentityTokenVerifier: Sendable {
    package let issuer: String
    package let audience: String
    /// Where the key set comes from (a file, or the issuer's JWKS URL): the executable supplies the reading.
    private let readKeySet: @Sendable () async throws(IdentityTokenError) -> IssuerKeySet
    private let state = Mutex<(keys: IssuerKeySet?, readAt: ContinuousClock.Instant?)>((nil, nil))
    private let refetchInterval: Duration

    package init(issuer: String, audience: String, refetchInterval: Duration = .seconds(60),
                 readKeySet: @escaping @Sendable () async throws(IdentityTokenError) -> IssuerKeySet) {
        self.issuer = issuer
        self.audience = audience
        self.refetchInterval = refetchInterval
        self.readKeySet = readKeySet
    }

    /// Reads the key set now (at start-up, so a wrong path or URL shows at once).
    package func load() async throws(IdentityTokenError) {
        let keys = try await readKeySet()
        state.withLock { $0 = (keys, ContinuousClock.now) }
    }

    /// The token, once its signature and claims hold.
    package func verify(_ text: String, at now: Timestamp) async throws(IdentityTokenError) -> IdentityToken {
        let token = try IdentityToken(compact: text)
        let key = try await key(token.keyID)
        guard key.isValidJWS(token.signature, for: token.signingInput, es256: token.algorithm == .es256) else { throw .badSignature }
        try token.validate(issuer: issuer, audience: audience, at: now)
        return token
    }

    private func key(_ kid: String) async throws(IdentityTokenError) -> PublicKey {
        let (known, readAt) = state.withLock { ($0.keys?.keys[kid], $0.readAt) }
        if let known { return known }
        // An unknown kid may be a rotation: read the set again, but not more than once a minute (a flood of made-up
        // kids must not become a flood of requests to the issuer).
        if let readAt, ContinuousClock.now - readAt < refetchInterval { throw .unknownKey(kid) }
        state.withLock { $0.readAt = ContinuousClock.now }
        let keys = try await readKeySet()
        state.withLock { $0.keys = keys }
        guard let key = keys.keys[kid] else { throw .unknownKey(kid) }
        return key
    }
}
