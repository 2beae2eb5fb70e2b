import Foundation
import ShiplogTestSupport
import Testing

/// `shiplog langfuse pull` against a local stand-in for Langfuse's API (Tests/Stubs/langfuse_stub.py).
// Serialized: a child process started while another test's pipes are open inherits them, and that
// test would then wait for an end of file the stub holds back.
@Suite("shiplog langfuse pull, end to end", .serialized)
struct LangfusePullEndToEndTests {
    final class Stub: @unchecked Sendable {
        let process = Process()
        let port: String
        init(log: String) throws {
            let portFile = log + ".port"
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", Fixtures.packageRoot.appending(path: "Tests/Stubs/langfuse_stub.py").path,
                                 Fixtures.url("langfuse/docs_daily_metrics_example.json").path, log, portFile]
            // No pipes: a child holding a pipe's write end would keep another process's reader waiting.
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            var text: String?
            for _ in 0 ..< 100 where text == nil {
                text = try? String(contentsOfFile: portFile, encoding: .utf8)
                if text == nil { Thread.sleep(forTimeInterval: 0.05) }
            }
            port = text ?? ""
        }

        /// SIGKILL: the stub may inherit a blocked SIGTERM from the test process.
        func stop() {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }

        deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
    }

    @Test("daily metrics: every page fetched with basic auth, ingested once however often pulled")
    func daily() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let log = directory.path("requests.log")
        let stub = try Stub(log: log)
        defer { stub.stop() }
        let shiplog = ShiplogBinary(database: directory.path("ledger.sqlite"))
        let pull = ["langfuse", "pull", "--host", "http://127.0.0.1:\(stub.port)", "--public-key", "pk-lf-test", "--secret-key", "sk-lf-test",
                    "--from", "2024-02-17", "--to", "2024-02-18", "--service", "orders-agent"]
        for _ in 0 ..< 2 {
            let result = try shiplog.run(pull)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let requests = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(requests.count == 60, "30 pages, twice")
        // On a terminal the pages are counted on stderr; stdout, sent to a file, holds only the answers.
        let answers = directory.path("answers.json")
        let onTerminal = try ProgressEndToEndTests.onTerminal(([ShiplogBinary.executable.path] + pull + ["--json", "--db", directory.path("ledger.sqlite")])
            .map(ProgressEndToEndTests.quoted).joined(separator: " ") + " > " + ProgressEndToEndTests.quoted(answers))
        #expect(onTerminal.status == 0, "\(onTerminal.screen)")
        #expect(onTerminal.screen.contains("langfuse pull: page 1"), "\(onTerminal.screen)")
        #expect(!(try String(contentsOfFile: answers, encoding: .utf8)).contains("langfuse pull:"))
        #expect(requests.first?.contains("fromTimestamp=2024-02-17T00%3A00%3A00.000Z") == true, "\(requests.first ?? "")")
        #expect(requests.first?.contains("toTimestamp=2024-02-19T00%3A00%3A00.000Z") == true, "through the end of the last day")
        let report = try #require(try shiplog.json(["cost", "report", "--from", "2024-02-17", "--to", "2024-02-18"]) as? [String: Any])
        let totals = try #require(report["totals"] as? [String: Any])
        #expect((totals["cost_usd"] as? NSNumber)?.decimalValue == Decimal(string: "352.19"))
        #expect(totals["total_tokens"] as? Int == 5650)

        var wrong = pull
        wrong[wrong.firstIndex(of: "sk-lf-test")!] = "sk-lf-wrong"
        #expect(try shiplog.run(wrong).status == 77, "a refused key pair")
        stub.stop()
        #expect(try shiplog.run(pull).status == 69, "Langfuse unreachable")
    }

    @Test("observations: generations over two pages, services from the trace name")
    func observations() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let stub = try Stub(log: directory.path("requests.log"))
        defer { stub.stop() }
        let shiplog = ShiplogBinary(database: directory.path("ledger.sqlite"))
        let result = try shiplog.run(["langfuse", "pull", "--host", "http://127.0.0.1:\(stub.port)", "--public-key", "pk-lf-test",
                                      "--secret-key", "sk-lf-test", "--from", "2024-02-17", "--to", "2024-02-18",
                                      "--what", "observations", "--service-from", "trace-name"])
        #expect(result.status == 0, "\(result.stderr)")
        let csv = try shiplog.run(["cost", "report", "--from", "2024-02-17", "--to", "2024-02-18", "--by", "week", "--format", "csv"])
        #expect(csv.stdout == """
            service,period,input_tokens,output_tokens,total_tokens,cost_usd,pulls,bytes_pulled,deploys,failed_deploys,cost_per_deploy_usd,cost_per_1k_pulls_usd
            billing-agent,2024-02-12,1,1,2,0.000004,0,,0,0,,
            orders-agent,2024-02-12,30,10,40,0.003000,0,,0,0,,
            TOTAL,,31,11,42,0.003004,0,,0,0,,

            """, "\(csv.stdout)")
    }
}
