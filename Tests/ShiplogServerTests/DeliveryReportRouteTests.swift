import Foundation
import HummingbirdTesting
import ShiplogApp
import ShiplogCore
@testable import ShiplogServer
import ShiplogTestSupport
import Testing

@Suite("GET /v1/reports/dora")
struct DeliveryReportRouteTests {
    @Test("the contract's shape for a reader; a missing environment, an unknown one or a day period named as such")
    func report() async throws {
        let server = try TestServer()
        defer { server.directory.remove() }
        try await server.app.test(.router) { client in
            try await client.execute(uri: "/v1/environments", method: .post, headers: server.headers(.admin), body: body(#"{"name":"prod"}"#)) {
                #expect($0.status == .created)
            }
            let build = #"{"service":"api","repository":"ghcr.io/acme/api","tag":"v1","digest":"\#(digestA)","committed_at":"2026-11-01T00:00:00+01:00"}"#
            try await client.execute(uri: "/v1/builds", method: .post, headers: server.headers(.admin), body: body(build)) { response in
                #expect(response.status == .created)
                #expect(response.json["committed_at"] as? String == "2026-10-31T23:00:00.000Z")
            }
            var id = 0
            try await client.execute(uri: "/v1/deploys", method: .post, headers: server.headers(.admin),
                                     body: body(#"{"environment":"prod","service":"api","image":"ghcr.io/acme/api:v1"}"#)) { response in
                id = response.json["deploy_id"] as? Int ?? 0
            }
            try await client.execute(uri: "/v1/deploys/\(id)/finish", method: .post, headers: server.headers(.admin),
                                     body: body(#"{"status":"succeeded"}"#)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/reports/dora?environment=prod&by=month", method: .get, headers: server.headers(.read)) { response in
                #expect(response.status == .ok, "\(response.text)")
                let totals = response.json["totals"] as? [String: Any] ?? [:]
                #expect(totals["deploys"] as? Int == 1)
                #expect(totals["change_failure_rate"] as? Double == 0)
                #expect(totals["time_to_restore_median_s"] is NSNull)
                #expect((totals["lead_time_median_s"] as? Int ?? 0) > 0)
                #expect(response.json["by"] as? String == "month")
                #expect((response.json["rows"] as? [Any])?.count == 1)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.text.contains("shiplog_dora_deploys{environment=\"prod\"} 1\n"), "\(response.text)")
                #expect(response.text.contains("shiplog_dora_change_failure_rate{environment=\"prod\"} 0.0\n"))
                #expect(!response.text.contains("shiplog_dora_time_to_restore_median_seconds{"), "nothing to measure: no series")
            }
            for (query, status, field) in [("", 400, "environment"), ("?environment=qa", 404, "environment"),
                                           ("?environment=prod&by=day", 400, "by"), ("?environment=prod&from=soon", 400, "from")] {
                try await client.execute(uri: "/v1/reports/dora\(query)", method: .get, headers: server.headers(.read)) { response in
                    #expect(Int(response.status.code) == status, "\(query): \(response.text)")
                    #expect(response.json["field"] as? String == field, "\(query): \(response.text)")
                }
            }
        }
    }
}

@Suite("the DORA gauges are kept, and refreshed in the background")
struct DeliveryGaugesTests {
    @Test("a scrape after a write serves the kept figures and starts a refresh; a later scrape has the new ones")
    func refresh() async throws {
        let server = try TestServer()
        defer { server.directory.remove() }
        let ledger = server.ledger
        _ = try ledger.createEnvironment(name: "prod", slots: [], requireSignature: false)
        let gauges = DeliveryGauges(ledger: ledger, interval: .zero)
        #expect(try gauges.text().contains("shiplog_dora_deploys{environment=\"prod\"} 0\n"))
        _ = try ledger.recordBuild(NewBuild(service: "api", repository: try Repository(parsing: "ghcr.io/acme/api"), tag: "v1",
                                            digest: try Digest(parsing: digestA)))
        guard case let .started(deploy) = try ledger.startDeploy(environment: "prod", slot: nil, service: "api",
                                                                 image: try ImageReference(parsing: "ghcr.io/acme/api:v1"), actor: nil)
        else { throw LedgerError.storage("refused") }
        _ = try ledger.finishDeploy(id: deploy.id, state: .succeeded)
        #expect(try gauges.text().contains("shiplog_dora_deploys{environment=\"prod\"} 0\n"), "served at once, as kept")
        var fresh = false
        for _ in 0 ..< 100 where !fresh {
            try await Task.sleep(for: .milliseconds(20))
            fresh = try gauges.text().contains("shiplog_dora_deploys{environment=\"prod\"} 1\n")
        }
        #expect(fresh, "refreshed in the background")
    }
}
