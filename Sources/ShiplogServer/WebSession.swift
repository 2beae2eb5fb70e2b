import Foundation
import HTTPTypes
import Hummingbird
import ShiplogApp
import ShiplogCore

/// Who is looking at a page: a session cookie made from a read token on the login page, or nobody needed when
/// reads are open. The JSON API never reads the cookie; it keeps bearer tokens only.
struct WebSession: Sendable {
    static let cookie = "shiplog_session"

    let ledger: ReleaseLedger
    let openReads: Bool
    /// Seconds a session lasts (`serve --session-hours`, 12 by default).
    let lifetime: Int64

    /// The token behind the request's session cookie, when it is valid now.
    func token(_ request: Request) -> APIToken? {
        guard let secret = Self.cookieValue(request) else { return nil }
        return (try? ledger.sessionToken(secret: secret)).flatMap { $0 }
    }

    static func cookieValue(_ request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == cookie { return String(parts[1]) }
            }
        }
        return nil
    }

    /// `Set-Cookie` for a new session: HttpOnly, SameSite=Strict, Secure when the request came over HTTPS (a proxy
    /// in front says so with `X-Forwarded-Proto`).
    func setCookie(_ secret: String, for request: Request) -> String {
        "\(Self.cookie)=\(secret); Path=/; Max-Age=\(lifetime); HttpOnly; SameSite=Strict" + (Self.isHTTPS(request) ? "; Secure" : "")
    }

    static func clearCookie(for request: Request) -> String {
        "\(cookie)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (isHTTPS(request) ? "; Secure" : "")
    }

    static func isHTTPS(_ request: Request) -> Bool {
        request.uri.scheme?.rawValue == "https" || request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    /// Where to go after signing in: a path on this server only (never `//host` or a full URL).
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), !next.contains(where: \.isNewline) else { return "/" }
        return next
    }
}
