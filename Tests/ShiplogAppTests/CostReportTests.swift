import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogStore
import ShiplogTestBackends
import ShiplogTestSupport
import Testing

@Suite("Usage ingest and the cost report")
struct CostReportTests {
    static let observations = SampleExports.langfuseObservations

    @Test("re-ingesting a day replaces it; the report reconciles with the samples to the micro-dollar", arguments: StoreBackend.allCases)
    func reconcile(_ backend: StoreBackend) throws {
        let ledger = ReleaseLedger(store: try backend.open())
        let daily = try Fixtures.data("langfuse/docs_daily_metrics_example.json")
        _ = try ledger.ingestLangfuse(daily, source: "d", service: "orders-agent", mapping: nil)
        let again = try ledger.ingestLangfuse(daily, source: "d", service: "orders-agent", mapping: nil)
        #expect(again.replaced == 3, "the same days replace what they recorded")
        let observations = Data(Self.observations.utf8)
        _ = try ledger.ingestLangfuse(observations, source: "o", service: nil, mapping: .traceName)
        _ = try ledger.ingestLangfuse(observations, source: "o", service: nil, mapping: .traceName)

        // 3 pulls of the orders agent's image on 2024-02-18 (one retried), deploys of it that day.
        let repository = try Repository(parsing: "registry.example.com/acme/orders")
        let digest = try Digest(parsing: "sha256:" + String(repeating: "a", count: 64))
        _ = try ledger.recordBuild(NewBuild(service: "orders-agent", repository: repository, tag: "v1", digest: digest))
        let pulls = (1...3).map { index in
            #"{"id":"p\#(index)","timestamp":"2024-02-18T1\#(index):00:00Z","action":"pull","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(digest)","size":1000,"repository":"acme/orders"},"request":{"host":"registry.example.com"}}"#
        }
        let envelope = Data(#"{"events":[\#(pulls.joined(separator: ",")),\#(pulls[0])]}"#.utf8)
        _ = try ledger.ingestRegistryEvents(envelope, source: "e")

        let report = try ledger.costReport(from: "2024-02-17", to: "2024-02-18", by: .day)
        #expect(report.rows.map { "\($0.service) \($0.period)" } == ["orders-agent 2024-02-17", "orders-agent 2024-02-18"])
        #expect(report.totals.cost == MicroDollars(352_190_000), "102.19 + 250.00 however often the file was ingested")
        #expect(report.totals.totalTokens == 5650)
        #expect(report.rows[1].figures.pulls == 3)
        #expect(report.rows[1].figures.bytesPulled == 3000)
        #expect(report.rows[1].figures.costPerThousandPulls == MicroDollars(34_063_333_333), "102.19 / 3 pulls × 1000")
        #expect(report.rows[0].figures.costPerDeploy == nil, "no deploys: no ratio rather than a division by zero")

        let november = try ledger.costReport(from: "2026-11-01", to: "2026-11-30", by: .month)
        #expect(november.rows.map(\.service) == ["billing-agent", "orders-agent"])
        #expect(november.totals.cost == MicroDollars(823), "0.0007 + 0.000123, each observation once")
        let weekly = try ledger.costReport(from: "2026-11-01", to: "2026-11-30", by: .week)
        #expect(weekly.rows.map(\.period) == ["2026-11-02", "2026-11-02"], "Monday the 2nd starts the week both generations fall in")

        #expect(throws: LedgerError.self) { _ = try ledger.costReport(from: "2026-11-30", to: "2026-11-01", by: .day) }
        #expect(throws: LedgerError.self) { _ = try ledger.costReport(from: "last week", to: "2026-11-01", by: .day) }
    }
}
