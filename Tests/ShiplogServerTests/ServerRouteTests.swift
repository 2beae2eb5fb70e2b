import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Metrics
import NIOCore
import Prometheus
import ShiplogApp
import ShiplogCore
import ShiplogServer
import ShiplogStore
import ShiplogTestSupport
import Testing

/// A server over a fresh ledger file, with one token per scope.
struct TestServer {
    /// swift-metrics takes one bootstrap per process, as the executable makes it; every test server shows it.
    static let metrics: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    let directory: TemporaryDirectory
    let ledger: ReleaseLedger
    let app: Application<RouterResponder<BasicRequestContext>>
    var tokens: [Scope: String] = [:]

    init(openReads: Bool = false, maxBodyBytes: Int = 1 << 20, sessionLifetime: Int64 = 12 * 3_600) throws {
        directory = try TemporaryDirectory()
        let path = directory.path("ledger.sqlite")
        ledger = ReleaseLedger(store: try SQLiteLedger(path: path))
        var configuration = ServerConfiguration()
        configuration.openReads = openReads
        configuration.maxBodyBytes = maxBodyBytes
        configuration.sessionLifetime = sessionLifetime
        let signer = try #require(try LogKeyFile(beside: path).signer(create: true))
        app = Application(router: ShiplogHTTPServer.router(ledger: ledger, logSigner: signer, configuration: configuration, metrics: Self.metrics))
        for scope in Scope.allCases {
            tokens[scope] = try ledger.createToken(name: "t-\(scope.rawValue.replacingOccurrences(of: ":", with: "-"))", scopes: [scope]).token
        }
    }

    func headers(_ scope: Scope?) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let scope, let token = tokens[scope] { fields[.authorization] = "Bearer \(token)" }
        return fields
    }
}

extension TestResponse {
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
    }
    var text: String { String(buffer: body) }
}

func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

let digestA = "sha256:" + String(repeating: "a", count: 64)
let digestB = "sha256:" + String(repeating: "b", count: 64)

@Suite("HTTP routes")
struct ServerRouteTests {
    @Test("a build posted is recorded, durable, and listed; posting it again returns the same build")
    func postBuild() async throws {
        let server = try TestServer()
        defer { server.directory.remove() }
        let build = #"{"service":"api","repository":"ghcr.io/acme/api","tag":"v1","digest":"\#(digestA)","run_id":42,"labels":{"team":"x"}}"#
        try await server.app.test(.router) { client in
            var firstID: Int?
            try await client.execute(uri: "/v1/builds", method: .post, headers: server.headers(.buildsWrite), body: body(build)) { response in
                #expect(response.status == .created)
                #expect(response.json["run_id"] as? String == "42")
                firstID = response.json["id"] as? Int
            }
            try await client.execute(uri: "/v1/builds", method: .post, headers: server.headers(.buildsWrite), body: body(build)) { response in
                #expect(response.json["id"] as? Int == firstID)
            }
            try await client.execute(uri: "/v1/builds?service=api", method: .get, headers: server.headers(.read)) { response in
                #expect(response.status == .ok)
                let list = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [[String: Any]])
                #expect(list.count == 1)
            }
        }
        #expect(try server.ledger.builds(BuildQuery()).count == 1)
    }

    @Test("concurrent single-build posts are all recorded (committed in shared transactions)")
    func concurrentBuilds() async throws {
        let server = try TestServer()
        defer { server.directory.remove() }
        try await server.app.test(.router) { client in
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for index in 0..<200 {
                    let digest = "sha256:" + String(format: "%064x", index)
                    let build = #"{"service":"svc\#(index % 7)","repository":"ghcr.io/acme/svc","tag":"b\#(index)","digest":"\#(digest)"}"#
                    group.addTask {
                        try await client.execute(uri: "/v1/builds", method: .post, headers: server.headers(.buildsWrite), body: body(build)) { $0.status }
                    }
                }
                for try await status in group { #expect(status == .created) }
            }
        }
        #expect(try server.ledger.builds(BuildQuery(limit: 1000)).count == 200)
        let verification = try server.ledger.verifyLog(logKey: nil)
        #expect(verification.intact)
        #expect(verification.treeSize == 200)
    }

    @Test("bad input is a 400 problem naming the field and value; nothing is written",
          arguments: [
              (#"{"service":"api","repository":"ghcr.io/acme/api","tag":"v1","digest":"sha256:abc"}"#, "digest", "sha256:abc"),
              (#"{"service":"api","repository":"ghcr.io/acme/api","tag":"v1"}"#, "digest", nil),
              (#"{"service":"api","repository":"ghcr.io/acme/api","tag":"v1","digest":"#, nil, nil),
              (#"{"service":"api","repository":"Not/Valid","tag":"v1","digest":"\#(digestA)"}"#, "repository", "Not/Valid"),
              ("[]", nil, nil),
          ])
    func badBuild(_ input: String, field: String?, value: String?) async throws {
        let server = try TestServer()
        defer { server.directory.remove() }
        try await server.app.test(.router) { client in
            try await client.execute(uri: "/v1/builds", method: .post, headers: server.headers(.admin), body: body(input)) { response in
                #expect(response.status == .badRequest)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.json["status"] as? Int == 400)
                #expect(response.json["source"] as? String == "request body")
                if let field { #expect(response.json["field"] as? String == field, "\(response.text)") }
                if let value { #expect(response.json["value"] as? String == value) }
                #expect((response.json["detail"] as? String)?.isEmpty == false)
            }
        }
        #expect(try server.ledger.builds(BuildQuery()).isEmpty)
        #expect(try server.ledger.store.logSize() == 0)
    }

    @Test("a body over the limit is 413; unknown routes 404; a known path with another method 405")
    func limitsAndRoutes() async throws {
        let server = try TestServer(maxBodyBytes: 2048)
        defer { server.directory.remove() }
        try await server.app.test(.router) { client in
            let big = #"{"service":"api","repository":"ghcr.io/acme/api","tag":"v1","digest":"\#(digestA)","builder":""# + String(repeating: "x", count: 4096) + "\"}"
            try await client.execute(uri: "/v1/builds", method: .post, headers: server.headers(.admin), body: body(big)) { response in
                #expect(response.status == .contentTooLarge)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            try await client.execute(uri: "/v1/nothing-here", method: .get, headers: server.headers(.admin)) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            try await client.execute(uri: "/v1/builds", method: .delete, headers: server.headers(.admin)) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "POST, GET")
            }
        }
        #expect(try server.ledger.builds(BuildQuery()).isEmpty)
    }

    @Test("no token is 401 with a challenge, an unknown token 401, the wrong scope 403, admin may do everything")
    func auth() async throws {
        let server = try TestServer()
        defer { server.directory.remove() }
        let build = #"{"service":"api","repository":"ghcr.io/acme/api","tag":"v1","digest":"\#(digestA)"}"#
        try await server.app.test(.router) { client in
            try await client.execute(uri: "/v1/builds", method: .post, headers: server.headers(nil), body: body(build)) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            }
            var wrong = server.headers(nil)
            wrong[.authorization] = "Bearer shiplog_" + String(repeating: "0", count: 64)
            try await client.execute(uri: "/v1/builds", method: .get, headers: wrong) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/v1/builds", method: .post, headers: server.headers(.read), body: body(build)) { response in
                #expect(response.status == .forbidden)
                #expect((response.json["detail"] as? String)?.contains("builds:write") == true)
            }
            try await client.execute(uri: "/v1/builds", method: .post, headers: server.headers(.deploysWrite), body: body(build)) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/v1/builds", method: .get, headers: server.headers(.buildsWrite)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/v1/tokens", method: .post, headers: server.headers(.buildsWrite),
                                     body: body(#"{"name":"x","scopes":["admin"]}"#)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/v1/builds", method: .post, headers: server.headers(.admin), body: body(build)) { #expect($0.status == .created) }
            try await client.execute(uri: "/v1/builds", method: .get, headers: server.headers(.read)) { #expect($0.status == .ok) }
            // Probes, metrics, the document and the log's public key are open.
            for path in ["/healthz", "/readyz", "/metrics", "/openapi.yaml", "/v1/log/public-key"] {
                try await client.execute(uri: path, method: .get) { #expect($0.status == .ok, "\(path)") }
            }
        }
    }

    @Test("open reads let GETs through without a token, never writes")
    func openReads() async throws {
        let server = try TestServer(openReads: true)
        defer { server.directory.remove() }
        try await server.app.test(.router) { client in
            try await client.execute(uri: "/v1/builds", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/environments", method: .post, body: body(#"{"name":"prod"}"#)) { #expect($0.status == .unauthorized) }
            // The one expensive read stays admin-only.
            try await client.execute(uri: "/v1/log/verification", method: .get) { #expect($0.status == .unauthorized) }
        }
    }

    @Test("tokens are stored only as SHA-256 hashes")
    func tokensHashed() async throws {
        let server = try TestServer()
        defer { server.directory.remove() }
        let file = try Data(contentsOf: URL(fileURLWithPath: server.directory.path("ledger.sqlite")))
            + ((try? Data(contentsOf: URL(fileURLWithPath: server.directory.path("ledger.sqlite-wal")))) ?? Data())
        for token in server.tokens.values {
            #expect(file.range(of: Data(token.utf8)) == nil, "a token secret is in the database file")
            #expect(file.range(of: Data(token.dropFirst("shiplog_".count).prefix(16).utf8)) == nil)
        }
        #expect(try server.ledger.token(secret: server.tokens[.read]!)?.scopes == [.read])
    }

    @Test("a refused deploy is a 409 carrying the verification; the refusal is recorded")
    func refusedDeploy() async throws {
        let server = try TestServer()
        defer { server.directory.remove() }
        try await server.app.test(.router) { client in
            let headers = server.headers(.deploysWrite)
            try await client.execute(uri: "/v1/environments", method: .post, headers: headers,
                                     body: body(#"{"name":"prod","require_signature":true}"#)) { #expect($0.status == .created) }
            try await client.execute(uri: "/v1/deploys", method: .post, headers: headers,
                                     body: body(#"{"environment":"prod","service":"api","image":"ghcr.io/acme/api@\#(digestA)"}"#)) { response in
                #expect(response.status == .conflict)
                let verification = try #require(response.json["verification"] as? [String: Any])
                #expect(verification["reason"] as? String == "no-signature")
                #expect(verification["verified"] as? Bool == false)
            }
            try await client.execute(uri: "/v1/environments/prod/live", method: .get, headers: server.headers(.read)) { response in
                #expect((response.json["services"] as? [Any])?.isEmpty == true)
            }
            try await client.execute(uri: "/v1/environments/prod/services/api/lkg", method: .get, headers: server.headers(.read)) {
                #expect($0.status == .notFound)
                #expect($0.headers[.contentType] == "application/problem+json")
            }
        }
        #expect(try server.ledger.store.logSize() == 2, "environment + refusal in the log")
    }

    @Test("metrics: request counters, ledger sizes and one live series per live service")
    func metrics() async throws {
        let server = try TestServer()
        defer { server.directory.remove() }
        try await server.app.test(.router) { client in
            let headers = server.headers(.admin)
            try await client.execute(uri: "/v1/environments", method: .post, headers: headers, body: body(#"{"name":"prod"}"#)) { _ in }
            for (service, digest) in [("api", digestA), ("web", digestB)] {
                try await client.execute(uri: "/v1/deploys", method: .post, headers: headers,
                                         body: body(#"{"environment":"prod","service":"\#(service)","image":"ghcr.io/acme/\#(service):v1@\#(digest)"}"#)) { response in
                    #expect(response.status == .created)
                    let id = try #require(response.json["deploy_id"] as? Int)
                    try await client.execute(uri: "/v1/deploys/\(id)/finish", method: .post, headers: headers,
                                             body: body(#"{"status":"succeeded"}"#)) { #expect($0.status == .ok) }
                }
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = response.text
                #expect(text.contains(#"shiplog_live_info{environment="prod",service="api",digest="\#(digestA)",tag="v1",good="true"} 1"#), "\(text)")
                #expect(text.contains(#"shiplog_live_info{environment="prod",service="web",digest="\#(digestB)",tag="v1",good="true"} 1"#))
                #expect(text.contains(#"shiplog_ledger_rows{kind="deploys"} 2"#))
                #expect(text.contains("hb_requests_total") || text.contains("hb_request"), "request counters")
            }
        }
    }

    @Test("registry webhooks: usage:write, the registry's media type, retries answered 200 and counted once")
    func registryWebhook() async throws {
        let server = try TestServer()
        defer { server.directory.remove() }
        let envelope = try Fixtures.data("distribution/docs_pull_manifest_envelope.json")
        var vendor = server.headers(.usageWrite)
        vendor[.contentType] = "application/vnd.docker.distribution.events.v2+json"
        let headers = vendor
        try await server.app.test(.router) { client in
            for attempt in 0 ..< 2 {
                try await client.execute(uri: "/v1/registry/events", method: .post, headers: headers, body: ByteBuffer(bytes: Array(envelope))) { response in
                    #expect(response.status == .ok)
                    #expect(response.json["recorded"] as? Int == (attempt == 0 ? 1 : 0))
                    #expect(response.json["duplicates"] as? Int == (attempt == 0 ? 0 : 1))
                }
            }
            try await client.execute(uri: "/v1/registry/events", method: .post, headers: server.headers(.buildsWrite),
                                     body: ByteBuffer(bytes: Array(envelope))) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/v1/images/sha256:fea8895f450959fa676bcc1df0611ea93823a735a01205fd8622846041d0c7cf",
                                     method: .get, headers: server.headers(.read)) { response in
                let images = try #require(response.json["images"] as? [[String: Any]])
                #expect((images.first?["pulls"] as? [String: Any])?["count"] as? Int == 1)
            }
        }
    }

    @Test("a check name of 100 characters but 200 code points is bad input (400), not a storage failure (503)")
    func codePoints() async throws {
        let server = try TestServer()
        defer { server.directory.remove() }
        let name = String(repeating: "e\u{301}", count: 100)  // 100 characters, 200 Unicode scalars: SQLite counts 200
        #expect(name.count == 100)
        #expect(name.unicodeScalars.count == 200)
        try await server.app.test(.router) { client in
            let headers = server.headers(.deploysWrite)
            try await client.execute(uri: "/v1/environments", method: .post, headers: headers, body: body(#"{"name":"dev"}"#)) { _ in }
            try await client.execute(uri: "/v1/deploys", method: .post, headers: headers,
                                     body: body(#"{"environment":"dev","service":"api","image":"ghcr.io/acme/api@\#(digestA)"}"#)) {
                #expect($0.status == .created)
            }
            try await client.execute(uri: "/v1/deploys/1/checks", method: .post, headers: headers,
                                     body: body(#"{"name":"\#(name)","status":"pass"}"#)) { response in
                #expect(response.status == .badRequest, "\(response.text)")
            }
        }
    }

    @Test("the OpenAPI document is served as it is in the repository")
    func servesDocument() async throws {
        let server = try TestServer()
        defer { server.directory.remove() }
        let file = try String(contentsOf: Fixtures.packageRoot.appending(path: "schemas/openapi.yaml"), encoding: .utf8)
        try await server.app.test(.router) { client in
            try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                #expect(response.text == file)
            }
        }
    }
}

@Suite("HTTP problems speak the API's names")
struct ProblemNamingTests {
    /// The application names fields as the domain does; a flag (`--env`) in a problem is a CLI word leaking.
    @Test("an unknown environment is a 404 naming it, on every route that takes one",
          arguments: [
              ("/v1/environments/nowhere/live", HTTPRequest.Method.get, Scope.read, nil as String?),
              ("/v1/environments/nowhere/services/api/lkg", .get, .read, nil),
              ("/v1/environments/nowhere/rollback-plan", .get, .read, nil),
              ("/v1/environments/nowhere/switch", .post, .deploysWrite, #"{"slot":"blue"}"#),
              ("/v1/deploys", .post, .deploysWrite, #"{"environment":"nowhere","service":"api","image":"ghcr.io/acme/api@\#(digestA)"}"#),
          ])
    func unknownEnvironment(_ uri: String, method: HTTPRequest.Method, scope: Scope, json: String?) async throws {
        let server = try TestServer()
        defer { server.directory.remove() }
        try await server.app.test(.router) { client in
            try await client.execute(uri: uri, method: method, headers: server.headers(scope), body: json.map(body)) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.json["field"] as? String == "environment")
                #expect(response.json["value"] as? String == "nowhere")
                #expect(!(response.json["detail"] as? String ?? "").contains("--"))
            }
        }
    }

    @Test("an unknown deploy is a 404 naming it")
    func unknownDeploy() async throws {
        let server = try TestServer()
        defer { server.directory.remove() }
        try await server.app.test(.router) { client in
            for (uri, json) in [("/v1/deploys/77/finish", #"{"status":"succeeded"}"#), ("/v1/deploys/77/checks", #"{"name":"e2e","status":"pass"}"#)] {
                try await client.execute(uri: uri, method: .post, headers: server.headers(.deploysWrite), body: body(json)) { response in
                    #expect(response.status == .notFound)
                    #expect(response.json["field"] as? String == "deploy")
                    #expect(response.json["value"] as? String == "77")
                }
            }
        }
    }

    @Test("input errors the application finds name request fields, never CLI flags")
    func noFlags() async throws {
        let server = try TestServer()
        defer { server.directory.remove() }
        _ = try server.ledger.createEnvironment(name: "prod", slots: ["blue", "green"], requireSignature: false)
        let cases: [(String, HTTPRequest.Method, Scope, String?, String)] = [
            ("/v1/deploys", .post, .deploysWrite, #"{"environment":"prod","service":"api","image":"ghcr.io/acme/api@\#(digestA)"}"#, "slot"),
            ("/v1/deploys", .post, .deploysWrite, #"{"environment":"prod","slot":"red","service":"api","image":"ghcr.io/acme/api@\#(digestA)"}"#, "slot"),
            ("/v1/deploys", .post, .deploysWrite, #"{"environment":"prod","slot":"blue","service":"API","image":"ghcr.io/acme/api@\#(digestA)"}"#, "service"),
            ("/v1/deploys", .post, .deploysWrite, #"{"environment":"prod","slot":"blue","service":"api","image":"ghcr.io/acme/api:v9"}"#, "image"),
            ("/v1/environments/prod/rollback-plan?to_previous=true", .get, .read, nil, "to_previous"),
            ("/v1/environments", .post, .deploysWrite, #"{"name":"staging","slots":["only"]}"#, "slots"),
            ("/v1/tokens", .post, .admin, #"{"name":"ci","scopes":[]}"#, "scopes"),
            ("/v1/reports/cost?from=2026-11-30&to=2026-11-01", .get, .read, nil, "to"),
            ("/v1/log/entries/0/proof?tree_size=5", .get, .read, nil, "tree_size"),
        ]
        try await server.app.test(.router) { client in
            for (uri, method, scope, json, field) in cases {
                try await client.execute(uri: uri, method: method, headers: server.headers(scope), body: json.map(body)) { response in
                    #expect(response.status == .badRequest, "\(uri)")
                    #expect(response.json["field"] as? String == field, "\(uri)")
                    #expect(!(response.json["detail"] as? String ?? "").contains("--"), "\(uri)")
                }
            }
        }
    }
}

@Suite("server failures are told safely")
struct SafeFailureTests {
    @Test("a database failure is a 503 whose body names neither SQL nor the file; the log keeps the rest")
    func storageFailure() async throws {
        let server = try TestServer(openReads: true)
        defer { server.directory.remove() }
        let path = server.directory.path("ledger.sqlite")
        // Break the schema behind the server's back: every read of builds now fails inside SQLite.
        let broken = try Tool.run("/usr/bin/sqlite3", [path, "DROP VIEW trusted_signature; DROP TABLE build;"])
        #expect(broken.status == 0, "\(broken.output)")
        try await server.app.test(.router) { client in
            for uri in ["/v1/builds", "/v1/images/\(digestA)", "/readyz"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .serviceUnavailable || uri != "/v1/builds", "\(uri)")
                    guard response.status.code >= 500 else { return }
                    #expect(response.headers[.contentType] == "application/problem+json", "\(uri)")
                    let text = response.text
                    for leak in ["no such table", "SQLITE", "sqlite", path, "build", "Error("] {
                        #expect(!text.contains(leak), "\(uri) leaks \(leak): \(text)")
                    }
                }
            }
        }
    }
}

@Suite("text the ledger cannot hold is refused before it is stored")
struct InputLimitTests {
    /// A NUL was stored cut off at the NUL (SQLite's C strings), after which `log verify` failed on an
    /// untouched build; a check name with one reached SQLite's CHECK as a 503.
    @Test("a NUL, a control character or an over-long value in a build or a check is a 400 naming the field", arguments: [
        ("/v1/builds", #"{"service":"api","repository":"ghcr.io/acme/api","tag":"v1","digest":"DIGEST","commit":"ab\u0000cd"}"#, "commit"),
        ("/v1/builds", #"{"service":"api","repository":"ghcr.io/acme/api","tag":"v1","digest":"DIGEST","ref":"refs/\u0000x"}"#, "ref"),
        ("/v1/builds", #"{"service":"api","repository":"ghcr.io/acme/api","tag":"v1","digest":"DIGEST","run_id":"1\n2"}"#, "run_id"),
        ("/v1/builds", #"{"service":"api","repository":"ghcr.io/acme/api","tag":"v1","digest":"DIGEST","run_url":"http://x/\u0000"}"#, "run_url"),
        ("/v1/builds", #"{"service":"api","repository":"ghcr.io/acme/api","tag":"v1","digest":"DIGEST","builder":"b\u0000"}"#, "builder"),
        ("/v1/builds", #"{"service":"api","repository":"ghcr.io/acme/api","tag":"v1","digest":"DIGEST","commit":"LONG"}"#, "commit"),
        ("/v1/builds", #"{"service":"api","repository":"ghcr.io/acme/api","tag":"v1","digest":"DIGEST","labels":{"k":"v\u0000"}}"#, "labels.k"),
        ("/v1/deploys/1/checks", #"{"name":"e2e\u0000","status":"pass"}"#, "name"),
        ("/v1/deploys/1/checks", #"{"name":"e2e","status":"fail","detail":"timed out\u0000"}"#, "detail"),
    ])
    func refused(_ uri: String, _ json: String, _ field: String) async throws {
        let server = try TestServer()
        defer { server.directory.remove() }
        _ = try server.ledger.createEnvironment(name: "dev", slots: [], requireSignature: false)
        let image = try ImageReference(parsing: "ghcr.io/acme/api@\(digestB)")
        _ = try server.ledger.startDeploy(environment: "dev", slot: nil, service: "api", image: image, actor: nil)
        let sizeBefore = try server.ledger.store.logSize()
        let request = json.replacingOccurrences(of: "DIGEST", with: digestA).replacingOccurrences(of: "LONG", with: String(repeating: "c", count: 129))
        try await server.app.test(.router) { client in
            try await client.execute(uri: uri, method: .post, headers: server.headers(.admin), body: body(request)) { response in
                #expect(response.status == .badRequest, "\(response.text)")
                #expect(response.json["field"] as? String == field, "\(response.text)")
            }
        }
        #expect(try server.ledger.store.logSize() == sizeBefore, "nothing was written")
        #expect(try server.ledger.verifyLog(logKey: nil).intact)
    }
}

@Suite("API tokens: listed and revoked by an admin")
struct TokenRouteTests {
    @Test("a revoked token is refused at once on the server that revoked it; the list shows it revoked, no secret")
    func revoke() async throws {
        let server = try TestServer()
        defer { server.directory.remove() }
        let reader = try #require(server.tokens[.read])
        try await server.app.test(.router) { client in
            try await client.execute(uri: "/v1/builds", method: .get, headers: server.headers(.read)) { response in
                #expect(response.status == .ok)  // the token is now remembered by the server
            }
            try await client.execute(uri: "/v1/tokens/t-read", method: .delete, headers: server.headers(.admin)) { response in
                #expect(response.status == .ok, "\(response.text)")
                #expect(response.json["name"] as? String == "t-read")
                #expect(response.json["revoked_at"] is String)
            }
            try await client.execute(uri: "/v1/builds", method: .get, headers: server.headers(.read)) { response in
                #expect(response.status == .unauthorized, "revocation takes effect at once, not when the memory expires")
            }
            try await client.execute(uri: "/v1/tokens", method: .get, headers: server.headers(.admin)) { response in
                #expect(response.status == .ok)
                #expect(!response.text.contains(reader), "the list never holds a secret")
                let list = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [[String: Any]])
                #expect(list.count == Scope.allCases.count)
                let revoked = try #require(list.first { $0["name"] as? String == "t-read" })
                #expect(revoked["revoked_at"] is String)
                #expect(list.filter { $0["revoked_at"] is NSNull }.count == Scope.allCases.count - 1)
            }
            try await client.execute(uri: "/v1/tokens/nobody", method: .delete, headers: server.headers(.admin)) { response in
                #expect(response.status == .notFound)
                #expect(response.json["field"] as? String == "token")
            }
            try await client.execute(uri: "/v1/tokens/t-admin", method: .delete, headers: server.headers(.deploysWrite)) { response in
                #expect(response.status == .forbidden, "only admin revokes")
            }
        }
    }
}

@Suite("checkpoints are signed by writers only")
struct CheckpointScopeTests {
    /// A `read` token (or anyone, with open reads) used to make the server write a checkpoint row.
    @Test("a reader gets the latest checkpoint and writes nothing; a caller who may write signs a new one", arguments: [false, true])
    func readersDoNotWrite(openReads: Bool) async throws {
        let server = try TestServer(openReads: openReads)
        defer { server.directory.remove() }
        _ = try server.ledger.createEnvironment(name: "dev", slots: [], requireSignature: false)
        let readHeaders: HTTPFields = openReads ? [:] : server.headers(.read)
        try await server.app.test(.router) { client in
            try await client.execute(uri: "/v1/log/checkpoint", method: .get, headers: readHeaders) { response in
                #expect(response.status == .notFound, "none signed yet: \(response.text)")
            }
            #expect(try server.ledger.store.checkpoints().isEmpty)
            try await client.execute(uri: "/v1/log/checkpoint", method: .get, headers: server.headers(.admin)) { response in
                #expect(response.status == .ok)
                #expect(response.json["tree_size"] as? Int == 1)
            }
            _ = try server.ledger.createEnvironment(name: "prod", slots: [], requireSignature: false)
            try await client.execute(uri: "/v1/log/checkpoint", method: .get, headers: readHeaders) { response in
                #expect(response.status == .ok)
                #expect(response.json["tree_size"] as? Int == 1, "the latest kept, not a new one")
            }
            #expect(try server.ledger.store.checkpoints().count == 1)
        }
    }
}
