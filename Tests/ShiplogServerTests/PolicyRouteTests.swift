import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ShiplogCore
import ShiplogCrypto
import ShiplogStore
import ShiplogTestSupport
import Testing

@Suite("policy and promotion routes")
struct PolicyRouteTests {
    static let repository = "registry.digitalocean.com/the-shop-infra/gateway"
    static let digest = "sha256:" + String(repeating: "a", count: 64)

    @Test("admin sets, read checks and audits; a refused deploy is 409 with every violation; bad policies are 400 and change nothing")
    func routes() async throws {
        let server = try TestServer()
        defer { server.directory.remove() }
        let key = try PrivateKey.generate(.ed25519)
        _ = try server.ledger.trust(try key.publicKey, name: "ci")
        _ = try server.ledger.createEnvironment(name: "staging", slots: [], requireSignature: false)
        _ = try server.ledger.createEnvironment(name: "prod", slots: [], requireSignature: false)
        let policy = #"{"signatures":{"min":1,"keys":["ci"]},"checks":["health"],"soak":{"environment":"staging","duration":"1h"}}"#
        try await server.app.test(.router) { client in
            try await client.execute(uri: "/v1/environments/prod/policy", method: .put, headers: server.headers(.deploysWrite), body: body(policy)) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/v1/environments/prod/policy", method: .get, headers: server.headers(.read)) {
                #expect($0.status == .notFound, "no policy yet: \($0.text)")
            }
            try await client.execute(uri: "/v1/environments/prod/policy", method: .put, headers: server.headers(.admin), body: body(policy)) {
                #expect($0.status == .ok, "\($0.text)")
                #expect($0.json["version"] as? Int == 1)
                #expect($0.json["actor"] as? String == "t-admin", "who set it is the token")
            }
            for (bad, field) in [(#"{"signatures":{"min":-1}}"#, "signatures.min"), (#"{"signatures":{"keys":["nobody"]}}"#, "signatures.keys[0]"),
                                 (#"{"soak":{"environment":"staging","duration":"1 hour"}}"#, "soak.duration"), (#"{"rule":1}"#, "rule"),
                                 (#"{"repositories":["Nope Nope"]}"#, "repositories[0]"), ("not json", nil)] {
                try await client.execute(uri: "/v1/environments/prod/policy", method: .put, headers: server.headers(.admin), body: body(bad)) {
                    #expect($0.status == .badRequest, "\(bad): \($0.text)")
                    if let field { #expect($0.json["field"] as? String == field, "\(bad): \($0.text)") }
                    #expect($0.headers[.contentType] == "application/problem+json")
                }
            }
            try await client.execute(uri: "/v1/environments/prod/policy", method: .get, headers: server.headers(.read)) {
                #expect($0.status == .ok && $0.json["version"] as? Int == 1, "the policy in force is unchanged: \($0.text)")
            }
            let check = #"{"image":"\#(Self.repository)@\#(Self.digest)"}"#
            try await client.execute(uri: "/v1/environments/prod/policy/check", method: .post, headers: server.headers(.read), body: body(check)) {
                #expect($0.status == .ok, "\($0.text)")
                #expect($0.json["allowed"] as? Bool == false)
                let rules = ($0.json["violations"] as? [[String: Any]])?.compactMap { $0["rule"] as? String }
                #expect(rules == ["signatures", "soak"])
            }
            let deploy = #"{"environment":"prod","service":"gateway","image":"\#(Self.repository)@\#(Self.digest)"}"#
            try await client.execute(uri: "/v1/deploys", method: .post, headers: server.headers(.deploysWrite), body: body(deploy)) {
                #expect($0.status == .conflict, "\($0.text)")
                let decision = $0.json["decision"] as? [String: Any]
                #expect((decision?["violations"] as? [Any])?.count == 2, "\($0.text)")
                #expect(($0.json["detail"] as? String)?.contains("soak:") == true)
                #expect($0.json["verification"] != nil)
            }
            try await client.execute(uri: "/v1/environments/prod/policy/audit?since=2020-01-01T00:00:00Z", method: .get, headers: server.headers(.read)) {
                #expect($0.status == .ok && $0.json["deploys"] as? Int == 0, "\($0.text)")
            }
            try await client.execute(uri: "/v1/environments/prod/policy/audit?since=yesterday", method: .get, headers: server.headers(.read)) {
                #expect($0.status == .badRequest && $0.json["field"] as? String == "since", "\($0.text)")
            }
            try await client.execute(uri: "/v1/promotions?from=staging&to=prod", method: .get, headers: server.headers(.read)) {
                #expect($0.status == .ok && $0.json["actions"] as? [Any] != nil, "\($0.text)")
            }
            try await client.execute(uri: "/v1/promotions?from=staging", method: .get, headers: server.headers(.read)) {
                #expect($0.status == .badRequest && $0.json["field"] as? String == "to", "\($0.text)")
            }
            try await client.execute(uri: "/v1/promotions?from=staging&to=qa", method: .get, headers: server.headers(.read)) {
                #expect($0.status == .notFound, "\($0.text)")
            }
        }
        #expect(try server.ledger.store.allPolicies().count == 1)
        #expect(try server.ledger.store.allRefusals().count == 1)
    }
}
