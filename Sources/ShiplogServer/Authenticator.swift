import Foundation
import HTTPTypes
import Hummingbird
import ShiplogApp
import ShiplogCore
import ShiplogCrypto
import Synchronization

/// Bearer tokens: who may call a route. 401 without a known token, 403 without the route's scope.
///
/// A token once seen is remembered for a few seconds so that a busy client does not cost a database
/// read per request; a token revoked through this server is forgotten at once (`forget`), one revoked
/// elsewhere (another server, the CLI on the file) within `memory` seconds.
final class Authenticator: Sendable {
    private let ledger: ReleaseLedger
    private let openReads: Bool
    private let remembered = Mutex<[[UInt8]: (token: APIToken, until: ContinuousClock.Instant)]>([:])
    private let memory: Duration = .seconds(5)

    init(ledger: ReleaseLedger, openReads: Bool) {
        self.ledger = ledger
        self.openReads = openReads
    }

    /// The caller's token, after checking it may call a route needing `scope`; nil for an open route called
    /// without one (a token given to an open route still counts, so a writer is known as one).
    @discardableResult
    func authorize(_ request: Request, for scope: Scope?) throws(Problem) -> APIToken? {
        guard let scope, !(scope == .read && openReads) else {
            // Open: a token given still says who calls (a bad one makes the call anonymous, not refused).
            return try? bearer(request)
        }
        guard let token = try bearer(request) else {
            throw challenge("this route needs a bearer token with scope \(scope.rawValue)")
        }
        guard token.allows(scope) else {
            throw Problem(.forbidden, detail: "token \(token.name) lacks scope \(scope.rawValue)")
        }
        return token
    }

    /// The token the request's `Authorization` header names; nil without the header.
    private func bearer(_ request: Request) throws(Problem) -> APIToken? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw challenge("the Authorization header must be `Bearer <token>`")
        }
        let secret = String(parts[1].filter { $0 != " " })
        guard let token = try known(secret) else { throw challenge("unknown or revoked token") }
        return token
    }

    private func known(_ secret: String) throws(Problem) -> APIToken? {
        let now = ContinuousClock.now
        // Remembered by hash: the server keeps no secret it does not need.
        let key = SHA256.hash(Array(secret.utf8))
        if let entry = remembered.withLock({ $0[key] }), entry.until > now { return entry.token }
        let token: APIToken?
        do { token = try ledger.token(secret: secret) } catch { throw Problem.from(error) }
        if let token {
            remembered.withLock { cache in
                if cache.count > 10_000 { cache.removeAll() }
                cache[key] = (token, now + memory)
            }
        }
        return token
    }

    /// Stops remembering the token named `name`: it was just revoked.
    func forget(name: String) {
        remembered.withLock { cache in cache = cache.filter { $0.value.token.name != name } }
    }

    private func challenge(_ detail: String) -> Problem {
        var problem = Problem(.unauthorized, detail: detail)
        problem.headers[.wwwAuthenticate] = "Bearer realm=\"shiplog\""
        return problem
    }
}
