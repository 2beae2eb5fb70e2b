import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ShiplogCore
import ShiplogCrypto
import ShiplogServer
import ShiplogStore
import ShiplogTestSupport
import Testing

/// The web pages as a browser gets them: well-formed, every ledger value escaped, the security headers on every
/// page, sign-in through a read token as a session cookie that ends with its token.
@Suite("web pages")
struct PageTests {
    static let repository = "registry.digitalocean.com/the-shop-infra/gateway"
    static let digest = "sha256:" + String(repeating: "c", count: 64)
    static let hostile = "<script>alert(1)</script>"

    /// A ledger with something on every page: prod with slots, a deploy whose check detail and build label hold markup.
    static func seeded(_ server: TestServer) throws {
        let ledger = server.ledger
        let repository = try Repository(parsing: Self.repository)
        let digest = try Digest(parsing: Self.digest)
        _ = try ledger.recordBuild(NewBuild(service: "gateway", repository: repository, tag: "v1", digest: digest,
                                            labels: ["org.opencontainers.image.title": hostile]))
        _ = try ledger.createEnvironment(name: "prod", slots: ["blue", "green"], requireSignature: false)
        guard case let .started(deploy) = try ledger.startDeploy(environment: "prod", slot: "blue", service: "gateway",
                                                                 image: try ImageReference(parsing: "\(Self.repository)@\(Self.digest)"),
                                                                 actor: hostile) else { return }
        _ = try ledger.finishDeploy(id: deploy.id, state: .succeeded)
        _ = try ledger.checkDeploy(id: deploy.id, name: "e2e", status: .fail, detail: hostile)
    }

    static let pages = ["/", "/environments/prod", "/services/gateway", "/images/\(digest)?repository=\(repository)", "/cost", "/dora", "/log",
                        "/login"]

    @Test("every page is well-formed XHTML, escapes what the ledger holds, and carries the security headers", arguments: pages)
    func page(_ path: String) async throws {
        let server = try TestServer(openReads: true)
        defer { server.directory.remove() }
        try Self.seeded(server)
        try await server.app.test(.router) { client in
            try await client.execute(uri: path, method: .get) { response in
                #expect(response.status == .ok, "\(path): \(response.text)")
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                let policy = response.headers[HTTPField.Name("Content-Security-Policy")!] ?? ""
                #expect(policy.contains("default-src 'none'") && policy.contains("frame-ancestors 'none'"), "\(policy)")
                #expect(!policy.contains("script-src"), "no script is allowed at all")
                #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
                let body = response.text
                #expect(!body.contains("<script"), "\(path) holds raw markup from the ledger")
                #expect(!body.lowercased().contains("shiplog_"), "\(path) must never carry a token or session")
                let parser = XMLParser(data: Data(body.utf8))
                #expect(parser.parse(), "\(path) is not well-formed at line \(parser.lineNumber): \(String(describing: parser.parserError))")
            }
        }
    }

    @Test("the failing service's reason and the escaped detail are on the front page; links go to its service and image pages")
    func frontPage() async throws {
        let server = try TestServer(openReads: true)
        defer { server.directory.remove() }
        try Self.seeded(server)
        try await server.app.test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                let body = response.text
                #expect(body.contains("a check failed"))
                #expect(body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the check detail shows as text")
                #expect(body.contains(#"href="/services/gateway""#))
                #expect(body.contains(#"href="/images/\#(Self.digest)?repository=\#(Self.repository)""#))
                #expect(body.contains("blue ●"), "the active slot is marked")
                #expect(body.contains("the rollback plan is not empty"))
            }
            try await client.execute(uri: "/v1/overview", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains(#""not_good":1"#), "the page's JSON twin: \(response.text)")
            }
            try await client.execute(uri: "/static/shiplog.css", method: .get) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "text/css; charset=utf-8")
            }
            try await client.execute(uri: "/images/\(Self.digest)?repository=\(Self.repository)", method: .get) { response in
                #expect(response.text.contains("<h2>\(Self.repository)</h2>"), "the image page names its repository: \(response.text)")
            }
            try await client.execute(uri: "/environments/qa", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/images/sha256:nothex", method: .get) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/", method: .post) { #expect($0.status == .methodNotAllowed) }
        }
    }

    @Test("sign in with a read token: a hashed session in an HttpOnly SameSite=Strict cookie; it ends at logout and with its token")
    func signIn() async throws {
        let server = try TestServer()
        defer { server.directory.remove() }
        try Self.seeded(server)
        let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        try await server.app.test(.router) { client in
            try await client.execute(uri: "/services/gateway", method: .get) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/login?next=%2Fservices%2Fgateway")
            }
            try await client.execute(uri: "/login", method: .post, headers: form,
                                     body: body("token=\(server.tokens[.buildsWrite] ?? "")&next=/")) { response in
                #expect(response.status == .unauthorized, "a token that may not read cannot sign in")
                #expect(response.headers[.setCookie] == nil)
            }
            try await client.execute(uri: "/login", method: .post, headers: form, body: body("token=wrong&next=/")) {
                #expect($0.status == .unauthorized)
            }
            let cookie = try await client.execute(uri: "/login", method: .post, headers: form,
                                                  body: body("token=\(server.tokens[.read] ?? "")&next=%2Fservices%2Fgateway")) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/services/gateway")
                let set = response.headers[.setCookie] ?? ""
                #expect(set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Max-Age=43200"), "\(set)")
                #expect(!set.contains("Secure"), "plain HTTP on loopback")
                return String(set.split(separator: ";")[0])
            }
            var session: HTTPFields = [.cookie: cookie]
            try await client.execute(uri: "/services/gateway", method: .get, headers: session) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains("t-read"), "who is signed in")
            }
            // The JSON API keeps bearer tokens only.
            try await client.execute(uri: "/v1/overview", method: .get, headers: session) { #expect($0.status == .unauthorized) }
            // Behind an HTTPS proxy the cookie is Secure; an outside `next` goes home instead.
            try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded",
                                                                             HTTPField.Name("X-Forwarded-Proto")!: "https"],
                                     body: body("token=\(server.tokens[.read] ?? "")&next=//evil.example.com/")) { response in
                #expect(response.headers[.setCookie]?.contains("; Secure") == true)
                #expect(response.headers[.location] == "/")
            }
            try await client.execute(uri: "/logout", method: .post, headers: session) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.setCookie]?.contains("Max-Age=0") == true)
            }
            try await client.execute(uri: "/", method: .get, headers: session) { #expect($0.status == .seeOther, "logged out") }
            // A new session ends when its token is revoked.
            session[.cookie] = try await client.execute(uri: "/login", method: .post, headers: form,
                                                        body: body("token=\(server.tokens[.admin] ?? "")&next=/")) {
                String(($0.headers[.setCookie] ?? "").split(separator: ";")[0])
            }
            try await client.execute(uri: "/", method: .get, headers: session) { #expect($0.status == .ok) }
            _ = try server.ledger.revokeToken(name: "t-admin")
            try await client.execute(uri: "/", method: .get, headers: session) { #expect($0.status == .seeOther, "revoked with its token") }
        }
    }

    @Test("a session lasts its lifetime from sign-in and no longer; only its hash is stored")
    func sessionExpires() async throws {
        let server = try TestServer(sessionLifetime: 2 * 3_600)
        defer { server.directory.remove() }
        let database = server.directory.path("ledger.sqlite")
        try await server.app.test(.router) { client in
            let cookie = try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                  body: body("token=\(server.tokens[.read] ?? "")&next=/")) { response in
                #expect(response.headers[.setCookie]?.contains("Max-Age=7200") == true)
                return String((response.headers[.setCookie] ?? "").split(separator: ";")[0])
            }
            let secret = String(cookie.dropFirst("shiplog_session=".count))
            let stored = try Tool.run("/usr/bin/sqlite3", [database, "SELECT lower(hex(session_hash)), created_at, expires_at FROM web_session"])
            let fields = stored.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").map(String.init)
            try #require(fields.count == 3, "\(stored.output)")
            #expect(fields[0] == SHA256Hex.of(secret), "only the SHA-256 is kept")
            #expect(!stored.output.contains(secret))
            let created = try Timestamp(rfc3339: fields[1])
            let expires = try Timestamp(rfc3339: fields[2])
            #expect(expires.millisecondsSinceEpoch - created.millisecondsSinceEpoch == 7_200_000, "the lifetime from sign-in")
            try await client.execute(uri: "/log", method: .get, headers: [.cookie: cookie]) { #expect($0.status == .ok) }
            // Its time passed (set in the file, as waiting two hours would): the cookie no longer signs in.
            let aged = try Tool.run("/usr/bin/sqlite3", [database, "UPDATE web_session SET expires_at = '2000-01-01T00:00:00.000Z'"])
            try #require(aged.status == 0, "\(aged.output)")
            try await client.execute(uri: "/log", method: .get, headers: [.cookie: cookie]) { #expect($0.status == .seeOther, "expired") }
        }
    }

    @Test("the cost page draws its chart as inline SVG and links its CSV")
    func costPage() async throws {
        let server = try TestServer(openReads: true)
        defer { server.directory.remove() }
        try Self.seeded(server)
        try await server.app.test(.router) { client in
            try await client.execute(uri: "/cost?from=2026-11-01&to=2026-11-30&by=week", method: .get) { response in
                #expect(response.text.contains("<svg class=\"chart\""))
                #expect(response.text.contains(#"href="/cost.csv?from=2026-11-01&amp;to=2026-11-30&amp;by=week""#), "\(response.text)")
            }
            try await client.execute(uri: "/cost.csv?from=2026-11-01&to=2026-11-30&by=week", method: .get) { response in
                #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
                #expect(response.text.hasPrefix("service,period,cost_usd,"))
            }
        }
    }
}

/// The hex SHA-256 the ledger keeps of a secret (through the project's OpenSSL wrapper).
enum SHA256Hex {
    static func of(_ text: String) -> String { SHA256.hex(Array(text.utf8)) }
}
