import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ShiplogCore
import ShiplogStore
import ShiplogTestSupport
import Testing

@Suite("gc routes")
struct RetentionRouteTests {
    @Test("plan needs admin; a dry-run apply judges; a real apply on a server without registry deletes is 409; bad rules are 400")
    func routes() async throws {
        let server = try TestServer()
        defer { server.directory.remove() }
        let repository = try Repository(parsing: "registry.digitalocean.com/the-shop-infra/gateway")
        for number in 1 ... 5 {
            _ = try server.ledger.recordBuild(NewBuild(service: "gateway", repository: repository, tag: "v\(number)",
                                                       digest: try Digest(parsing: "sha256:" + String(repeating: "\(number)", count: 64))))
        }
        let rules = #"{"repository":"*","keep_last":2,"keep_days":0,"keep_good":3,"keep_tags":[]}"#
        try await server.app.test(.router) { client in
            try await client.execute(uri: "/v1/gc/plan", method: .post, headers: server.headers(.read), body: body(#"{"rules":\#(rules)}"#)) {
                #expect($0.status == .forbidden)
            }
            let plan = try await client.execute(uri: "/v1/gc/plan", method: .post, headers: server.headers(.admin), body: body(#"{"rules":\#(rules)}"#)) {
                #expect($0.status == .ok && $0.text.contains(#""deleted":3"#) && $0.text.contains(#""kept":2"#), "\($0.text)")
                return $0.text
            }
            try await client.execute(uri: "/v1/gc/plan", method: .post, headers: server.headers(.admin),
                                     body: body(#"{"rules":{"repository":"*","keep_last":-1,"keep_days":0,"keep_good":3,"keep_tags":[]}}"#)) {
                #expect($0.status == .badRequest && $0.text.contains("keep_last"), "\($0.text)")
            }
            try await client.execute(uri: "/v1/gc/apply", method: .post, headers: server.headers(.admin), body: body(#"{"plan":\#(plan),"dry_run":true}"#)) {
                #expect($0.status == .ok && $0.text.contains(#""dry_run":true"#) && $0.text.contains(#""deleted":3"#), "\($0.text)")
            }
            try await client.execute(uri: "/v1/gc/apply", method: .post, headers: server.headers(.admin), body: body(#"{"plan":\#(plan)}"#)) {
                #expect($0.status == .conflict, "\($0.text)")
            }
            // A plan edited to list one repository twice (it trapped once): judged, both halves merged.
            let entry = #"{"digest":"sha256:\#(String(repeating: "9", count: 64))","tags":["x"],"pushed_at":null,"reason":"r"}"#
            let twice = #"{"generated_at":"2026-12-01T00:00:00Z","source":"digitalocean","rules":\#(rules),"repositories":["#
                + #"{"repository":"r.example.com/a","keep":[],"delete":[\#(entry)]},{"repository":"r.example.com/a","keep":[],"delete":[]}],"#
                + #""kept":0,"deleted":1}"#
            try await client.execute(uri: "/v1/gc/apply", method: .post, headers: server.headers(.admin),
                                     body: body(#"{"plan":\#(twice),"dry_run":true}"#)) {
                #expect($0.status == .ok && $0.text.contains(#""action":"skipped""#) && $0.text.contains("newest"), "keep_last 2 keeps the one manifest: \($0.text)")
            }
        }
        #expect(try server.ledger.store.manifestDeletions().isEmpty, "nothing was deleted, nothing recorded")
    }
}
