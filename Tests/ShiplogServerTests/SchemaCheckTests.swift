import Foundation
import HTTPTypes
import HummingbirdTesting
import ShiplogStore
import ShiplogTestSupport
import Testing

/// Issue 14: every CHECK in the migrations has a validation in front of it, so a value that would violate
/// it is a 4xx naming the field, never SQLite's constraint text in a 5xx. The test walks the migrations:
/// a CHECK added without a case here fails it.
@Suite("every schema CHECK is met by a 4xx first")
struct SchemaCheckTests {
    /// A request whose body breaks one CHECK, or why no client can reach the column.
    enum Violation {
        case request(HTTPRequest.Method, String, String)
        case unreachable(String)
    }

    static let repository = "ghcr.io/acme/api"
    static let long64 = String(repeating: "s", count: 64)

    static func build(_ fields: String) -> String {
        #"{"service":"api","repository":"\#(repository)","tag":"v1","digest":"\#(digestA)",\#(fields)}"#
    }

    static func registryPush(size: String = "10", action: String = "push") -> String {
        #"{"events":[{"id":"e1","timestamp":"2026-11-20T10:00:00Z","action":"\#(action)","target":{"#
            + #""mediaType":"application/vnd.oci.image.manifest.v1+json","size":\#(size),"digest":"\#(digestB)","#
            + #""repository":"acme/api","tag":"v9"},"request":{"host":"ghcr.io"}}]}"#
    }

    /// A DSSE envelope around a statement with this predicate type (its signature never gets looked at).
    static func envelope(predicateType: String) -> String {
        let statement = #"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"\#(repository)","digest":{"sha256":"\#(digestA.dropFirst(7))"}}],"#
            + #""predicateType":"\#(predicateType)","predicate":{}}"#
        return #"{"payloadType":"application/vnd.in-toto+json","payload":"\#(Data(statement.utf8).base64EncodedString())","#
            + #""signatures":[{"keyid":"","sig":"AAAA"}]}"#
    }

    /// By `table.column` (a table's own CHECK is `table.(row)`).
    static let violations: [String: Violation] = [
        "build.service": .request(.post, "/v1/builds", build(#""service":"\#(long64)""#)),
        "build.repository": .request(.post, "/v1/builds", build(#""repository":"ghcr.io/\#(String(repeating: "r", count: 260))""#)),
        "build.tag": .request(.post, "/v1/builds", build(#""tag":"\#(String(repeating: "t", count: 129))""#)),
        "build.digest": .request(.post, "/v1/builds", build(#""digest":"nocolon""#)),
        "build.run_attempt": .request(.post, "/v1/builds", build(#""run_attempt":0"#)),
        "build.labels": .request(.post, "/v1/builds", build(#""labels":["not","an","object"]"#)),
        "build.moved_tag": .unreachable("set by the store: whether recording the build moved its tag"),
        "tag_history.(row)": .unreachable("intervals are closed by the schema's trigger with max(since, now)"),
        "key.key_id": .unreachable("computed from the public key's bytes"),
        "key.name": .request(.post, "/v1/keys", #"{"name":"\#(String(repeating: "k", count: 129))","public_key":"AAAA"}"#),
        "key.algorithm": .request(.post, "/v1/keys", #"{"name":"p384","public_key":"\#(p384PublicKey)"}"#),
        "key.purpose": .unreachable("always the default, image-signing"),
        "signature.signature": .request(.post, "/v1/images/\(digestA)/signatures",
                                        #"{"repository":"\#(repository)","payload":"e30=","signature":""}"#),
        "signature.source": .request(.post, "/v1/images/\(digestA)/signatures",
                                     #"{"repository":"\#(repository)","payload":"e30=","signature":"AAAA","source":"forged"}"#),
        "attestation.predicate_type": .request(.post, "/v1/attestations", envelope(predicateType: "x:" + String(repeating: "p", count: 1023))),
        "attestation.statement": .unreachable("a statement is parsed before it is recorded: it is never empty"),
        "attestation.source": .unreachable("set by the application: attest, import or buildx"),
        "attestation.fingerprint": .unreachable("SHA-256 hex computed by the application"),
        "attestation.(row)": .unreachable("only buildx provenance is recorded without an envelope, by the application"),
        "manifest_deletion.reason": .unreachable("the plan's reason, cut to 1024 characters, or a fixed one when it is empty"),
        "policy.version": .unreachable("the store numbers an environment's versions from 1"),
        "policy.document": .unreachable("the canonical JSON object of a policy the application parsed"),
        "deploy.policy_version": .unreachable("set by the gate: the version of the stored policy that judged"),
        "deploy.policy_violations": .unreachable("set by the gate: the violations it found, as JSON"),
        "deploy_refusal.policy_version": .unreachable("set by the gate: the version of the stored policy that refused"),
        "deploy_refusal.violations": .unreachable("set by the gate: the violations it found, as JSON"),
        "environment.name": .request(.post, "/v1/environments", #"{"name":"\#(long64)"}"#),
        "environment.slots": .request(.post, "/v1/environments", #"{"name":"qa","slots":"blue"}"#),
        "environment.require_signature": .request(.post, "/v1/environments", #"{"name":"qa","require_signature":2}"#),
        "deploy.service": .request(.post, "/v1/deploys", #"{"environment":"prod","service":"\#(long64)","image":"\#(repository):v1"}"#),
        "deploy.state": .request(.post, "/v1/deploys/1/finish", #"{"status":"exploded"}"#),
        "deploy_check.name": .request(.post, "/v1/deploys/1/checks", #"{"name":"\#(String(repeating: "c", count: 129))","status":"pass"}"#),
        "deploy_check.status": .request(.post, "/v1/deploys/1/checks", #"{"name":"e2e","status":"maybe"}"#),
        "log_entry.leaf_index": .unreachable("the log's own bookkeeping"),
        "log_entry.leaf_hash": .unreachable("the log's own bookkeeping"),
        "log_node.level": .unreachable("the log's own bookkeeping"),
        "log_node.idx": .unreachable("the log's own bookkeeping"),
        "log_node.hash": .unreachable("the log's own bookkeeping"),
        "log_checkpoint.tree_size": .unreachable("the log's own bookkeeping"),
        "api_token.token_hash": .unreachable("the SHA-256 of a secret the server makes"),
        "web_session.session_hash": .unreachable("the SHA-256 of a session secret the server makes"),
        "api_token.name": .request(.post, "/v1/tokens", #"{"name":"\#(String(repeating: "n", count: 65))","scopes":["read"]}"#),
        "registry_event.action": .request(.post, "/v1/registry/events", registryPush(action: "explode")),
        "registry_event.bytes": .request(.post, "/v1/registry/events", registryPush(size: "-1")),
        "token_cost_sample.source": .unreachable("set by the parser: langfuse-daily or langfuse-observation"),
        "token_cost_sample.input_tokens": .request(.post, "/v1/usage/langfuse?service=api", daily(#""inputUsage":-1"#)),
        "token_cost_sample.output_tokens": .request(.post, "/v1/usage/langfuse?service=api", daily(#""outputUsage":-1"#)),
        "token_cost_sample.total_tokens": .request(.post, "/v1/usage/langfuse?service=api", daily(#""totalUsage":-1"#)),
        "token_cost_sample.cost_micros": .request(.post, "/v1/usage/langfuse?service=api", daily(#""totalCost":-0.5"#)),
        "oidc_trust.repository": .request(.post, "/v1/oidc/rules", #"{"repository":"no-slash","scopes":["read"]}"#),
        "oidc_trust.repository_id": .request(.post, "/v1/oidc/rules", #"{"repository":"a/b","repository_id":"12x","scopes":["read"]}"#),
        "oidc_trust.ref": .request(.post, "/v1/oidc/rules", #"{"repository":"a/b","ref":"main","scopes":["read"]}"#),
        "oidc_trust.workflow": .request(.post, "/v1/oidc/rules", #"{"repository":"a/b","workflow":"release.yml","scopes":["read"]}"#),
        "oidc_trust.scopes": .request(.post, "/v1/oidc/rules", #"{"repository":"a/b","scopes":[]}"#),
        "build.written_by": .unreachable("set by the server from a verified OIDC token, as canonical JSON"),
        "deploy.written_by": .unreachable("set by the server from a verified OIDC token, as canonical JSON"),
    ]

    static func daily(_ usage: String) -> String {
        #"{"data":[{"date":"2026-11-01","usage":[{"model":"m",\#(usage)}]}]}"#
    }

    /// A P-384 public key (base64 DER, made with `openssl genpkey -pkeyopt ec_paramgen_curve:P-384`): a real
    /// key of a curve shiplog does not trust.
    static let p384PublicKey = "MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEQ+TbLYqOvddpjgM8QY7FnZSNlLED0m6GU2g9onH2d3nWHuH+I26jLgr5D1vXNZF+"
        + "IIFgOMz+CH4qMYxgty154bHGXZkH1IXIzNiem6RtkVdMP96aZ9V1y9BbYvj9Clky"

    /// `table.column` of every CHECK in the migrations, in order.
    static func schemaChecks() -> [String] {
        var checks: [String] = []
        for migration in SchemaMigrations.all {
            var table: String?
            for line in migration.text.split(separator: "\n").map(String.init) {
                let words = line.split(whereSeparator: { $0 == " " || $0 == "(" }).map(String.init)
                if words.starts(with: ["CREATE", "TABLE"]), words.count > 2 { table = words[2] }
                if words.starts(with: ["ALTER", "TABLE"]), words.count > 5 {
                    table = words[2]
                    if line.contains("CHECK") { checks.append("\(words[2]).\(words[5])") }
                    continue
                }
                guard line.contains("CHECK ("), let table else { continue }
                let first = words.first ?? ""
                checks.append("\(table).\(first == "CHECK" ? "(row)" : first)")
            }
        }
        return checks
    }

    @Test("the walk finds every CHECK in the migrations, and each has a case")
    func everyCheckHasACase() {
        let checks = Self.schemaChecks()
        #expect(checks.count == 56, "\(checks)")
        #expect(Set(checks) == Set(Self.violations.keys), "CHECKs without a case: \(Set(checks).subtracting(Self.violations.keys).sorted())")
    }

    @Test("a value that would break each CHECK is a 4xx problem, the ledger unchanged", arguments: schemaChecks())
    func violated(_ check: String) async throws {
        guard case let .request(method, path, json)? = Self.violations[check] else { return }
        let server = try TestServer()
        defer { server.directory.remove() }
        try await server.app.test(.router) { client in
            // Something for deploy and check routes to name.
            try await client.execute(uri: "/v1/environments", method: .post, headers: server.headers(.admin), body: body(#"{"name":"prod"}"#)) {
                #expect($0.status == .created)
            }
            try await client.execute(uri: "/v1/builds", method: .post, headers: server.headers(.admin), body: body(Self.build(#""run_id":"1""#))) {
                #expect($0.status == .created)
            }
            try await client.execute(uri: "/v1/deploys", method: .post, headers: server.headers(.admin),
                                     body: body(#"{"environment":"prod","service":"api","image":"\#(Self.repository):v1"}"#)) {
                #expect($0.status == .created, "\($0.text)")
            }
            let before = try Self.rows(server)
            try await client.execute(uri: path, method: method, headers: server.headers(.admin), body: body(json)) { response in
                // Registries send actions shiplog does not record (mount): skipped and counted, as the contract says.
                let ignored = check == "registry_event.action" && response.status == .ok && response.text.contains(#""ignored":1"#)
                #expect((400 ..< 500).contains(response.status.code) || ignored, "\(check): \(response.status) \(response.text)")
                #expect(!response.text.contains("CHECK") && !response.text.contains("constraint"), "\(check): \(response.text)")
            }
            #expect(try Self.rows(server) == before, "\(check): the ledger changed")
        }
    }

    /// The ledger's content as row counts of its release and usage tables.
    static func rows(_ server: TestServer) throws -> String {
        let path = server.directory.path("ledger.sqlite")
        let counted = try Tool.run("/usr/bin/sqlite3", [path, """
            SELECT (SELECT count(*) FROM build), (SELECT count(*) FROM key), (SELECT count(*) FROM signature), (SELECT count(*) FROM attestation),
                   (SELECT count(*) FROM environment), (SELECT count(*) FROM deploy), (SELECT count(*) FROM deploy_check),
                   (SELECT count(*) FROM registry_event), (SELECT count(*) FROM token_cost_sample), (SELECT count(*) FROM api_token),
                   (SELECT count(*) FROM log_entry)
            """])
        return counted.output
    }
}
