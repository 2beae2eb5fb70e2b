import Foundation
import HTTPTypes
import Hummingbird
import ShiplogApp
import ShiplogCore
import ShiplogCrypto
import Synchronization

/// Who calls: a shiplog token, or a CI job's OIDC token let in by a trust rule (then also who the job is).
struct Caller: Sendable {
    var token: APIToken?
    var identity: WorkloadIdentity?

    static let anonymous = Caller(token: nil, identity: nil)
}

/// Bearer tokens: who may call a route. 401 without a known token, 403 without the route's scope.
///
/// With `serve --oidc-issuer`, a bearer that is a JWT is a CI job's OIDC token: verified against the issuer's
/// keys and claims (401 naming what failed), then admitted by the most specific trust rule (403 when none),
/// whose scopes it gets.
///
/// A token once seen is remembered for a few seconds so that a busy client does not cost a database
/// read per request; a token revoked through this server is forgotten at once (`forget`), one revoked
/// elsewhere (another server, the CLI on the file) within `memory` seconds.
final class Authenticator: Sendable {
    private let ledger: ReleaseLedger
    private let openReads: Bool
    private let identities: IdentityTokenVerifier?
    /// The trust rules, kept until the ledger changes (a revocation or a pin is a change).
    private let rules: ReadCache<[TrustRule]>
    private let remembered = Mutex<[[UInt8]: (caller: Caller, until: ContinuousClock.Instant)]>([:])
    private let memory: Duration = .seconds(5)

    init(ledger: ReleaseLedger, openReads: Bool, identities: IdentityTokenVerifier? = nil) {
        self.ledger = ledger
        self.openReads = openReads
        self.identities = identities
        rules = ReadCache(store: ledger.store)
    }

    /// The caller's token, after checking it may call a route needing `scope`; nil for an open route called
    /// without one (a token given to an open route still counts, so a writer is known as one).
    @discardableResult
    func authorize(_ request: Request, for scope: Scope?) async throws(Problem) -> Caller {
        guard let scope, !(scope == .read && openReads) else {
            // Open: a token given still says who calls (a bad one makes the call anonymous, not refused).
            return (try? await bearer(request)) ?? .anonymous
        }
        guard let caller = try await bearer(request), let token = caller.token else {
            throw challenge("this route needs a bearer token with scope \(scope.rawValue)")
        }
        guard token.allows(scope) else {
            throw Problem(.forbidden, detail: "token \(token.name) lacks scope \(scope.rawValue)")
        }
        return caller
    }

    /// The caller the request's `Authorization` header names; nil without the header.
    private func bearer(_ request: Request) async throws(Problem) -> Caller? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw challenge("the Authorization header must be `Bearer <token>`")
        }
        let secret = String(parts[1].filter { $0 != " " })
        let now = ContinuousClock.now
        // Remembered by hash: the server keeps no secret it does not need.
        let key = SHA256.hash(Array(secret.utf8))
        if let entry = remembered.withLock({ $0[key] }), entry.until > now { return entry.caller }
        let caller: Caller
        var until = now + memory
        if IdentityToken.looksLikeJWT(secret) {
            let (admitted, expiry) = try await ciJob(secret)
            caller = admitted
            // Never past the token's own expiry (with the leeway it was accepted under).
            until = min(until, now + .seconds(max(0, expiry + 60 - ledger.clockNow.millisecondsSinceEpoch / 1000)))
        } else {
            let token: APIToken?
            do { token = try ledger.token(secret: secret) } catch { throw Problem.from(error) }
            guard let token else { throw challenge("unknown or revoked token") }
            caller = Caller(token: token, identity: nil)
        }
        remembered.withLock { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[key] = (caller, until)
        }
        return caller
    }

    /// A CI job's OIDC token: verified, then admitted by a trust rule; the caller and the token's `exp`.
    private func ciJob(_ text: String) async throws(Problem) -> (Caller, Int64) {
        guard let identities else { throw challenge(IdentityTokenError.notConfigured.description) }
        let token: IdentityToken
        do { token = try await identities.verify(text, at: ledger.clockNow) } catch { throw challenge(error.description) }
        let admitted: (rule: TrustRule, identity: WorkloadIdentity)
        do {
            let known = try await rules.answer("rules") { try ledger.identityTrustRules() }
            admitted = try ledger.admit(token, among: known)
        } catch let error as LedgerError {
            throw Problem.from(error)
        } catch {
            throw Problem.from(error)
        }
        let principal = APIToken(name: admitted.identity.name, scopes: Set(admitted.rule.scopes), hash: [], createdAt: admitted.rule.createdAt)
        return (Caller(token: principal, identity: admitted.identity), token.expiresAt ?? 0)
    }

    /// Stops remembering the token named `name`: it was just revoked.
    func forget(name: String) {
        remembered.withLock { cache in cache = cache.filter { $0.value.caller.token?.name != name } }
    }

    /// Stops remembering the CI jobs trust rule `id` let in: it was just revoked.
    func forget(rule id: Int64) {
        remembered.withLock { cache in cache = cache.filter { $0.value.caller.identity?.rule != id } }
    }

    private func challenge(_ detail: String) -> Problem {
        var problem = Problem(.unauthorized, detail: detail)
        problem.headers[.wwwAuthenticate] = "Bearer realm=\"shiplog\""
        return problem
    }
}
