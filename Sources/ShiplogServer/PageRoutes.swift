import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ShiplogApp
import ShiplogCore
import ShiplogPages

/// The web pages: HTML over the same application layer and documents as the JSON API, readable without JavaScript.
struct PageRoutes {
    let api: LocalLedger
    let renderer: PageRenderer?
    let session: WebSession
    let cache: ResponseCache
    let verifications: LastVerification

    /// Every page path, for the router and for telling 404 from 405.
    static let paths: [(method: HTTPRequest.Method, path: String)] = [
        (.get, "/"), (.get, "/environments/{env}"), (.get, "/services/{service}"), (.get, "/images/{digest}"), (.get, "/cost"),
        (.get, "/cost.csv"), (.get, "/dora"), (.get, "/log"), (.get, "/login"), (.post, "/login"), (.post, "/logout"),
        (.get, "/static/shiplog.css"),
    ]

    /// Strict by default: no script at all, styles and images from this server (and inline SVG), no framing.
    static let securityHeaders: HTTPFields = [
        HTTPField.Name("Content-Security-Policy")!: "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
        .cacheControl: "no-store",
    ]

    func register(on router: Router<BasicRequestContext>) {
        router.get("/static/shiplog.css") { _, _ in
            var headers = Self.securityHeaders
            headers[.contentType] = "text/css; charset=utf-8"
            headers[.cacheControl] = "max-age=3600"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: renderer?.stylesheet ?? "")))
        }
        router.get("/login") { request, _ in
            page(.ok, "login", title: "Sign in", twin: "/openapi.yaml", viewer: nil,
                 ["next": WebSession.safeNext(request.uri.queryParameters.get("next").map { String($0) }), "hours": String(session.lifetime / 3600),
                  "error": NSNull()])
        }
        router.post("/login") { request, _ in
            var body = try await request.body.collect(upTo: 16 << 10)
            let form = Self.form(body.readString(length: body.readableBytes) ?? "")
            let next = WebSession.safeNext(form["next"])
            do {
                let secret = try session.ledger.startSession(tokenSecret: form["token"] ?? "", lifetime: session.lifetime)
                var headers = Self.securityHeaders
                headers[.location] = next
                headers[.setCookie] = session.setCookie(secret, for: request)
                return Response(status: .seeOther, headers: headers)
            } catch {
                return page(.unauthorized, "login", title: "Sign in", twin: "/openapi.yaml", viewer: nil,
                            ["next": next, "hours": String(session.lifetime / 3600),
                             "error": "That token is unknown, revoked, or may not read."])
            }
        }
        router.post("/logout") { request, _ in
            if let secret = WebSession.cookieValue(request) { try? session.ledger.endSession(secret: secret) }
            var headers = Self.securityHeaders
            headers[.location] = "/login"
            headers[.setCookie] = WebSession.clearCookie(for: request)
            return Response(status: .seeOther, headers: headers)
        }
        get(router, "/", title: { _ in "Live" }, twin: { _ in "/v1/overview" }) { _ in
            ("index", PageViews.overview(try await api.overview().json()))
        }
        get(router, "/environments/{env}", title: { $0.env }, twin: { "/v1/environments/\($0.env)/live" }) { request in
            let env = request.env
            let plan = try await api.rollbackPlan(environment: env, service: nil, toPrevious: false).json()
            let policy = try? await api.policy(environment: env).json()
            guard let context = PageViews.environment(try await api.overview().json(), name: env, plan: plan, policy: policy) else {
                throw LedgerError.notFound("no environment \(env)")
            }
            return ("environment", context)
        }
        get(router, "/services/{service}", title: { $0.service }, twin: { "/v1/services/\($0.service)/deploys" }) { request in
            ("service", PageViews.service(try await api.serviceHistory(service: request.service, limit: 100).json()))
        }
        get(router, "/images/{digest}", title: { PageValue.shortDigest($0.digestText) }, twin: { "/v1/images/\($0.digestText)" }) { request in
            let digest: Digest
            do throws(ValueError) { digest = try Digest(parsing: request.digestText) } catch { throw LedgerError.invalidInput(error.at("digest")) }
            let repository = try request.query("repository").map { text throws(LedgerError) in
                do throws(ValueError) { return try Repository(parsing: text) } catch { throw LedgerError.invalidInput(error.at("repository")) }
            }
            let images = try await api.image(digest: digest, repository: repository).json()
            var verifications: [String: JSONValue] = [:]
            // One image when a repository was named, every repository's otherwise (as the page's view reads it).
            for image in images.arrayValue ?? [images] {
                let name = image["repository"]?.stringValue ?? ""
                if let parsed = try? Repository(parsing: name) {
                    verifications[name] = try await api.verify(repository: parsed, digest: digest, keyID: nil).json()
                }
            }
            return ("image", PageViews.image(images, verifications: verifications))
        }
        get(router, "/cost", title: { _ in "Cost" }, twin: { "/v1/reports/cost?" + Self.costQuery($0) }) { request in
            let (from, to, by) = try Self.costPeriod(request)
            let report = try await api.costReport(from: from, to: to, by: by).json()
            return ("cost", PageViews.cost(report, csv: "/cost.csv?" + Self.costQuery(request)))
        }
        router.get("/cost.csv") { request, context in
            guard authorized(request) != nil else { return redirectToLogin(request) }
            do {
                let (from, to, by) = try Self.costPeriod(PageRequest(request, context))
                var headers = Self.securityHeaders
                headers[.contentType] = "text/csv; charset=utf-8"
                headers[.contentDisposition] = "attachment; filename=\"shiplog-cost-\(from)-\(to).csv\""
                let csv = PageViews.costCSV(try await api.costReport(from: from, to: to, by: by).json())
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: csv)))
            } catch {
                return failure(error, viewer: authorized(request))
            }
        }
        get(router, "/dora", title: { _ in "Delivery" }, twin: { "/v1/reports/dora?environment=" + ($0.query("env") ?? "prod") }) { request in
            let environments = try await api.overview().json()["environments"]
            let names = (environments?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
            let selected = request.query("env") ?? (names.contains("prod") ? "prod" : names.first)
            guard let selected else { return ("dora", PageViews.dora(nil, environments: names, selected: nil, message: "No environment yet.")) }
            let report = try await api.deliveryReport(DeliveryReportRequest(environment: selected, from: nil, to: nil, by: .week, service: nil)).json()
            return ("dora", PageViews.dora(report, environments: names, selected: selected, message: ""))
        }
        get(router, "/log", title: { _ in "Transparency log" }, twin: { _ in "/v1/log/checkpoint" }) { _ in
            let checkpoint = try? await api.latestCheckpoint().json()
            return ("log", PageViews.log(checkpoint: checkpoint, treeSize: try api.ledger.store.logSize(), lastVerification: verifications.latest))
        }
    }

    /// A page behind sign-in (unless reads are open), answered from the read cache while the ledger is unchanged.
    private func get(
        _ router: Router<BasicRequestContext>, _ path: String, title: @escaping @Sendable (PageRequest) -> String,
        twin: @escaping @Sendable (PageRequest) -> String, build: @escaping @Sendable (PageRequest) async throws -> (String, [String: Any])
    ) {
        router.get(RouterPath(path)) { request, context in
            guard let viewer = authorized(request) else { return redirectToLogin(request) }
            let asked = PageRequest(request, context)
            do {
                let html = try await cache.answer("page \(request.uri) \(viewer)") {
                    let (template, values) = try await build(asked)
                    return ByteBuffer(string: render(template, title: title(asked), twin: twin(asked), viewer: viewer, values))
                }
                var headers = Self.securityHeaders
                headers[.contentType] = "text/html; charset=utf-8"
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: html))
            } catch {
                return failure(error, viewer: viewer)
            }
        }
    }

    /// Who may read: the session's token name, or "" when reads are open; nil when the viewer must sign in.
    private func authorized(_ request: Request) -> String? {
        if let token = session.token(request), token.allows(.read) { return token.name }
        return session.openReads ? "" : nil
    }

    private func redirectToLogin(_ request: Request) -> Response {
        var headers = Self.securityHeaders
        let next = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        headers[.location] = "/login?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/")
        return Response(status: .seeOther, headers: headers)
    }

    private func render(_ template: String, title: String, twin: String, viewer: String?, _ values: [String: Any]) -> String {
        guard let renderer else { return "<!DOCTYPE html><html><body>the page templates did not load; the server's log says why</body></html>" }
        return renderer.render(template, title: title, twin: twin, signedIn: viewer.flatMap { $0.isEmpty ? nil : $0 }, values)
    }

    private func page(_ status: HTTPResponse.Status, _ template: String, title: String, twin: String, viewer: String?,
                      _ values: [String: Any]) -> Response {
        var headers = Self.securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers,
                        body: .init(byteBuffer: ByteBuffer(string: render(template, title: title, twin: twin, viewer: viewer, values))))
    }

    /// An error as a page: what the API would say, in the status it would use; storage details stay in the log.
    private func failure(_ error: any Error, viewer: String?) -> Response {
        let (status, message): (HTTPResponse.Status, String) = switch error as? LedgerError {
        case let .notFound(text)?: (.notFound, text)
        case let .unknown(input)?: (.notFound, input.description)
        case let .invalidInput(input)?: (.badRequest, input.description)
        case let .denied(text)?: (.forbidden, text)
        default: (.serviceUnavailable, "the ledger could not answer; the server's log says why")
        }
        return page(status, "error", title: status.reasonPhrase, twin: "/openapi.yaml", viewer: viewer, ["message": message])
    }

    static func costPeriod(_ request: PageRequest) throws(LedgerError) -> (String, String, CostReport.Period) {
        let to = request.query("to") ?? Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970).date
        let from = request.query("from") ?? Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970 - 29 * 86_400).date
        guard let by = CostReport.Period(rawValue: request.query("by") ?? "week") else {
            throw .invalidInput(InvalidInput(field: "by", value: request.query("by"), reason: "expected day, week or month"))
        }
        return (from, to, by)
    }

    static func costQuery(_ request: PageRequest) -> String {
        let (from, to, by) = (try? costPeriod(request)) ?? ("", "", .week)
        return "from=\(from)&to=\(to)&by=\(by.rawValue)"
    }

    /// An `application/x-www-form-urlencoded` body.
    static func form(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ") }
            guard let name = parts.first?.removingPercentEncoding else { continue }
            fields[name] = parts.count > 1 ? parts[1].removingPercentEncoding ?? "" : ""
        }
        return fields
    }
}

/// The parts of a page request the pages read.
struct PageRequest: Sendable {
    let queries: [String: String]
    let parameters: Parameters

    init(_ request: Request, _ context: BasicRequestContext) {
        var queries: [String: String] = [:]
        for (name, value) in request.uri.queryParameters where queries[String(name)] == nil {
            queries[String(name)] = String(value)  // already percent-decoded
        }
        self.queries = queries
        parameters = context.parameters
    }

    var env: String { parameter("env") }
    var service: String { parameter("service") }
    var digestText: String { parameter("digest") }

    func parameter(_ name: String) -> String {
        let raw = parameters.get(name) ?? ""
        return raw.removingPercentEncoding ?? raw
    }

    func query(_ name: String) -> String? { queries[name] }
}
