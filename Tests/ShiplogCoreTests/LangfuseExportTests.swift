import Foundation
import ShiplogCore
import ShiplogTestSupport
import Testing

@Suite("Langfuse exports and money")
struct LangfuseExportTests {
    @Test("the published daily-metrics example: one sample per day and model, amounts exact")
    func dailyFixture() throws {
        let parsed = try LangfuseExport.parse(try Fixtures.data("langfuse/docs_daily_metrics_example.json"), source: "daily.json",
                                              service: "orders-agent", mapping: nil)
        #expect(parsed.samples.count == 3)
        #expect(parsed.days == ["2024-02-18", "2024-02-17"])
        #expect(parsed.totalPages == 30)
        #expect(parsed.samples.map(\.cost.value) == [50_190_000, 52_000_000, 250_000_000])
        #expect(parsed.samples.reduce(MicroDollars(0)) { $0 + $1.cost } == MicroDollars(352_190_000), "the file's totalCost, 102.19 + 250.0")
        #expect(parsed.samples.map(\.model) == ["llama2", "gpt-4", "llama2"])
        #expect(parsed.samples[0].sourceID == "orders-agent/2024-02-18/llama2")
        #expect(parsed.samples.map(\.totalTokens) == [2500, 1050, 2100])
    }

    @Test("a null model, and costs that binary floating point cannot hold, are summed exactly")
    func exactSums() throws {
        // 0.1 + 0.2 is not 0.3 in Double; a million samples of $0.000001 must come to $1.
        let json = #"{"data":[{"date":"2026-11-01","usage":[{"model":null,"inputUsage":1,"outputUsage":2,"totalUsage":3,"totalCost":0.1},"#
            + #"{"model":"m","inputUsage":1,"outputUsage":1,"totalUsage":2,"totalCost":0.2}]}]}"#
        let parsed = try LangfuseExport.parse(Data(json.utf8), source: "f", service: "a", mapping: nil)
        #expect(parsed.samples.reduce(MicroDollars(0)) { $0 + $1.cost } == MicroDollars(300_000))
        #expect(parsed.samples[0].sourceID == "a/2026-11-01/")
        #expect(parsed.samples[0].model == nil)
        #expect(MicroDollars(dollars: Decimal(string: "0.0000005")!) == MicroDollars(1), "half a micro-dollar rounds away from zero")
        #expect(MicroDollars(352_190_000).description == "352.190000")
        #expect(MicroDollars(1_000_000).divided(by: 3) == MicroDollars(333_333))
        #expect(MicroDollars(2_000_000).divided(by: 3) == MicroDollars(666_667))
        #expect(MicroDollars(5).divided(by: 0) == nil)
    }

    static let observations = SampleExports.langfuseObservations

    @Test("observations: generations only; usageDetails or usage; costDetails or calculatedTotalCost",
          arguments: [("trace-name", ["orders-agent", "billing-agent"]), ("metadata:agent", ["orders", "billing"]),
                      ("tag:agent:", ["orders", "billing"])])
    func observations(_ mapping: String, _ services: [String]) throws {
        let parsed = try LangfuseExport.parse(Data(Self.observations.utf8), source: "obs.json", service: nil,
                                              mapping: try LangfuseExport.ServiceMapping(parsing: mapping))
        #expect(parsed.ignored == 1)
        #expect(parsed.samples.map(\.service) == services)
        #expect(parsed.samples.map(\.cost.value) == [700, 123])
        #expect(parsed.samples.map(\.totalTokens) == [120, 15])
        #expect(parsed.samples.map(\.day) == ["2026-11-02", "2026-11-03"], "days are UTC: 08:00+02:00 is 06:00Z")
        #expect(parsed.samples.map(\.sourceID) == ["o1", "o2"])
    }

    @Test("bad exports are input errors naming the field", arguments: [
        (#"{"data":[{"date":"2026-11-01","usage":[{"model":"m","totalCost":"cheap"}]}]}"#, "data[0].usage[0].totalCost"),
        (#"{"data":[{"date":"yesterday","usage":[]}]}"#, "data[0].date"),
        (#"{"data":[{"date":"2026-11-01","usage":[{"model":"m","totalCost":-1}]}]}"#, "totalCost"),
        (#"{"data":[{"date":"2026-11-01","usage":[{"model":"m","totalCost":9e11}]}]}"#, "1,000,000"),
        (#"{"data":[{"date":"2026-11-01","usage":[{"model":"m","inputUsage":1e18}]}]}"#, "10^12"),
        (#"{"data":[{"id":"x","type":"GENERATION","startTime":"2026-11-01T00:00:00Z"}]}"#, "no service"),
        (#"{"data":[{"id":"x","type":"GENERATION"}]}"#, "data[0].startTime"),
        (#"{"rows":[]}"#, "unknown Langfuse export"),
        ("nope", "not valid JSON"),
        // Issue 14: what would be stored otherwise than given, or stored once and counted twice.
        (#"{"data":[{"date":"2026-11-01","usage":[{"model":"m","inputUsage":1200.5}]}]}"#, "data[0].usage[0].inputUsage: \"1200.5\": a token count is a whole number"),
        (#"{"data":[{"date":"2026-11-01","usage":[{"model":"m"}]},{"date":"2026-11-01","usage":[{"model":"m"}]}]}"#,
         "data[1].usage[0]: \"m\": the same day and model as data[0].usage[0]"),
        (#"{"data":[{"id":"o1","startTime":"2026-11-01T00:00:00Z"},{"id":"o1","startTime":"2026-11-01T00:00:00Z"}]}"#,
         "data[1].id: \"o1\": the same observation as data[0].id"),
    ])
    func bad(_ json: String, _ mention: String) {
        #expect {
            _ = try LangfuseExport.parse(Data(json.utf8), source: "f.json", service: json.contains("date") || json.contains("o1") ? "a" : nil, mapping: nil)
        } throws: { error in
            "\(error)".contains(mention)
        }
    }

    @Test("periods: UTC day, ISO week from Monday, month")
    func periods() {
        #expect(CostReport.Period.week.start(of: "2026-11-29") == "2026-11-23", "a Sunday belongs to the week from Monday the 23rd")
        #expect(CostReport.Period.week.start(of: "2026-11-23") == "2026-11-23")
        #expect(CostReport.Period.week.start(of: "2021-01-03") == "2020-12-28", "ISO week 53 of 2020")
        #expect(CostReport.Period.month.start(of: "2024-02-29") == "2024-02-01")
        #expect(CostReport.Period.day.start(of: "2024-02-29") == "2024-02-29")
    }
}
