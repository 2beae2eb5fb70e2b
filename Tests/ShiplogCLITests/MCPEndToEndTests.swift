import Foundation
import ShiplogTestSupport
import Testing

/// `shiplog mcp` driven by a real MCP client (PyPI's `mcp`, Tests/Stubs/mcp_client.py) on a ledger holding the
/// reference team's release (examples/release-flow.sh), each tool's structured result held to the CLI's `--json`.
@Suite("MCP server, end to end with the Python client")
struct MCPEndToEndTests {
    static let registry = "registry.example.com/acme"
    static let tools = ["live", "lkg", "rollback_plan", "image", "verify", "builds", "cost_report", "dora", "policy_check"]

    /// The release flow's ledger, then in staging a good gateway v2 and a v3 whose e2e check failed (so a plan has something to do), and a
    /// day of Langfuse cost for the orchestrator.
    static func referenceLedger(in directory: TemporaryDirectory) throws -> ShiplogBinary {
        let database = directory.path("ledger.sqlite")
        let binaries = ShiplogBinary.executable.deletingLastPathComponent().path
        let flow = try Tool.run("/usr/bin/env", ["PATH=\(binaries):/usr/bin:/bin", "HOME=\(directory.url.path)", "SHIPLOG_DB=\(database)",
                                                 "/bin/bash", Fixtures.packageRoot.appending(path: "examples/release-flow.sh").path])
        try #require(flow.status == 0, "\(flow.output.suffix(1500))")
        let shiplog = ShiplogBinary(database: database)
        let digest = "sha256:" + String(repeating: "3", count: 64)
        try #require(try shiplog.run(["build", "record", "--service", "gateway", "--image", "\(registry)/gateway:v3", "--digest", digest,
                                      "--commit", "commit-v3"]).status == 0)
        let started = try shiplog.run(["deploy", "start", "--env", "prod", "--service", "gateway", "--image", "\(registry)/gateway:v3"])
        // prod's policy wants CI's signature, which v3 lacks: the gate refuses, and the refusal is what the tools see for prod.
        #expect(started.status == 1, "\(started)")
        try #require(try shiplog.run(["env", "create", "staging"]).status == 0)
        let good = try shiplog.run(["deploy", "start", "--env", "staging", "--service", "gateway", "--image", "\(registry)/gateway:v2"])
        try #require(good.status == 0, "\(good)")
        try #require(try shiplog.run(["deploy", "finish", good.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "--status", "succeeded"]).status == 0)
        let id = try shiplog.run(["deploy", "start", "--env", "staging", "--service", "gateway", "--image", "\(registry)/gateway:v3"])
        try #require(id.status == 0, "\(id)")
        let deploy = id.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(try shiplog.run(["deploy", "finish", deploy, "--status", "succeeded"]).status == 0)
        try #require(try shiplog.run(["deploy", "check", deploy, "--name", "e2e", "--status", "fail", "--detail", "timeout"]).status == 0)
        let cost = try shiplog.run(["ingest", "langfuse", Fixtures.url("langfuse/docs_daily_metrics_example.json").path, "--service", "orchestrator"])
        try #require(cost.status == 0, "\(cost)")
        return shiplog
    }

    struct Call {
        var tool: String
        var arguments: [String: Any]
        /// The CLI command whose `--json` document the tool's structured result must equal; nil for an expected tool error.
        var cli: [String]?
    }

    static func calls(_ shiplog: ShiplogBinary) throws -> [Call] {
        let builds = try #require(try shiplog.json(["builds", "--service", "code-review"]) as? [[String: Any]])
        let codeReview = try #require(builds.first { $0["tag"] as? String == "v1" })
        let image = "\(registry)/code-review@\(try #require(codeReview["digest"] as? String))"
        return [
            Call(tool: "live", arguments: ["environment": "prod"], cli: ["live", "prod"]),
            Call(tool: "live", arguments: ["environment": "staging", "service": "gateway"], cli: ["live", "staging", "--service", "gateway"]),
            Call(tool: "lkg", arguments: ["environment": "prod", "service": "code-review"], cli: ["lkg", "prod", "--service", "code-review"]),
            Call(tool: "rollback_plan", arguments: ["environment": "staging"], cli: ["rollback-plan", "staging"]),
            Call(tool: "rollback_plan", arguments: ["environment": "prod", "service": "code-review", "to_previous": true],
                 cli: ["rollback-plan", "prod", "--service", "code-review", "--to-previous"]),
            Call(tool: "image", arguments: ["image": image], cli: ["image", image]),
            Call(tool: "image", arguments: ["image": String(image.split(separator: "@")[1])], cli: ["image", String(image.split(separator: "@")[1])]),
            Call(tool: "verify", arguments: ["image": image], cli: ["verify", image]),
            Call(tool: "verify", arguments: ["image": "\(registry)/gateway@sha256:" + String(repeating: "3", count: 64)],
                 cli: ["verify", "\(registry)/gateway@sha256:" + String(repeating: "3", count: 64)]),
            Call(tool: "builds", arguments: ["service": "gateway", "limit": 2], cli: ["builds", "--service", "gateway", "--limit", "2"]),
            Call(tool: "cost_report", arguments: ["from": "2024-02-01", "to": "2024-02-29", "by": "week"],
                 cli: ["cost", "report", "--from", "2024-02-01", "--to", "2024-02-29", "--by", "week"]),
            Call(tool: "dora", arguments: ["environment": "prod"], cli: ["report", "dora", "--env", "prod"]),
            Call(tool: "policy_check", arguments: ["environment": "prod", "image": "\(registry)/gateway:v3"],
                 cli: ["policy", "check", "prod", "\(registry)/gateway:v3"]),
            Call(tool: "policy_check", arguments: ["environment": "prod", "image": "\(registry)/code-review:v1"],
                 cli: ["policy", "check", "prod", "\(registry)/code-review:v1"]),
            // What a model gets wrong: each a tool error that says what, and the server keeps answering.
            Call(tool: "lkg", arguments: ["environment": "prod", "service": "nobody"], cli: nil),
            Call(tool: "live", arguments: ["environment": "nowhere"], cli: nil),
            Call(tool: "image", arguments: ["image": "\(registry)/gateway:v1"], cli: nil),
            Call(tool: "live", arguments: [:], cli: nil),
            Call(tool: "builds", arguments: ["limit": 0], cli: nil),
            Call(tool: "cost_report", arguments: ["from": "2024-02-01", "to": "2024-02-29", "by": "fortnight"], cli: nil),
            Call(tool: "live", arguments: ["environment": "prod", "env": "prod"], cli: nil),
            Call(tool: "live", arguments: ["environment": "prod"], cli: ["live", "prod"]),
        ]
    }

    static func runClient(_ calls: [Call], arguments: [String], directory: TemporaryDirectory,
                          environment: [String: String] = [:]) throws -> [String: Any] {
        let plan = calls.map { ["tool": $0.tool, "arguments": $0.arguments] as [String: Any] }
        let planPath = directory.path("calls-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: plan).write(to: URL(fileURLWithPath: planPath))
        // python3 as the tests find it (a pyenv shim on PATH, as scripts/test installs into); SHIPLOG_* only as given.
        let variables = ["-u", "SHIPLOG_DB", "-u", "SHIPLOG_SERVER", "-u", "SHIPLOG_TOKEN"] + environment.map { "\($0.key)=\($0.value)" }
        let client = try Tool.run("/usr/bin/env", variables + [
            "python3", Fixtures.packageRoot.appending(path: "Tests/Stubs/mcp_client.py").path, "calls", ShiplogBinary.executable.path,
            String(decoding: try JSONSerialization.data(withJSONObject: arguments), as: UTF8.self), planPath,
        ])
        try #require(client.status == 0, "python3 -m pip install mcp? \(client.output.suffix(3000))")
        let line = try #require(client.output.split(separator: "\n").last)
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    /// Each answer against the CLI's document (compared as parsed JSON), or a tool error naming what was wrong.
    static func expectAnswers(_ answers: [String: Any], for calls: [Call], cli shiplog: ShiplogBinary) throws {
        let results = try #require(answers["calls"] as? [[String: Any]])
        try #require(results.count == calls.count)
        for (call, result) in zip(calls, results) {
            let text = (result["text"] as? [String])?.joined() ?? ""
            guard let command = call.cli else {
                #expect(result["is_error"] as? Bool == true, "\(call.tool) \(call.arguments) should be a tool error: \(result)")
                #expect(text.hasPrefix("\(call.tool): "), "\(text)")
                #expect(text.count > call.tool.count + 12, "\(text)")
                continue
            }
            #expect(result["is_error"] as? Bool == false, "\(call.tool) \(call.arguments): \(text)")
            let output = try shiplog.run(command + ["--json"])
            let expected = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8))
            let structured = try #require(result["structured"] as? [String: Any], "\(call.tool): \(result)")
            let document: Any = call.tool == "builds" ? try #require(structured["builds"]) : structured
            #expect(NSDictionary(dictionary: ["d": document]).isEqual(to: ["d": expected]), "\(call.tool) \(call.arguments) differs from shiplog \(command)")
            #expect(!text.isEmpty && !text.contains("\n\n"), "\(call.tool): \(text)")
        }
    }

    @Test("tools/list names every tool with its schema; each call answers as the CLI's --json does, mistakes as tool errors")
    func localLedger() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shiplog = try Self.referenceLedger(in: directory)
        let calls = try Self.calls(shiplog)
        let answers = try Self.runClient(calls, arguments: ["--db", shiplog.database], directory: directory)
        #expect(answers["server"] as? String == "shiplog")
        let tools = try #require(answers["tools"] as? [[String: Any]])
        #expect(tools.compactMap { $0["name"] as? String } == Self.tools)
        for tool in tools {
            let schema = try #require(tool["input_schema"] as? [String: Any])
            #expect(schema["type"] as? String == "object" && schema["additionalProperties"] as? Bool == false, "\(tool)")
            #expect(((tool["description"] as? String)?.count ?? 0) > 80, "\(tool)")
            #expect(tool["read_only"] as? Bool == true)
        }
        let names = Dictionary(uniqueKeysWithValues: tools.map { ($0["name"] as? String ?? "", $0["input_schema"] as? [String: Any] ?? [:]) })
        #expect((names["lkg"]?["required"] as? [String]) == ["environment", "service"])
        try Self.expectAnswers(answers, for: calls, cli: shiplog)

        // The summaries say the answer, not only that there is one.
        let results = try #require(answers["calls"] as? [[String: Any]])
        let texts = results.map { ($0["text"] as? [String])?.joined() ?? "" }
        #expect(texts[0].contains("9 services live, 9 good"), "\(texts[0])")
        #expect(texts[3].contains("gateway: redeploy \(Self.registry)/gateway:v2@sha256:"), "\(texts[3])")
        #expect(texts[12].hasPrefix("refused"), "\(texts[12])")
        #expect(texts[14].contains("nobody"), "\(texts[14])")
        #expect(texts[16].contains("REPO@DIGEST"), "\(texts[16])")
        #expect(texts[18].contains("limit"), "\(texts[18])")
        #expect(texts[20].contains("env: unknown argument"), "\(texts[20])")
    }

    @Test("a non-blocking standard input is waited on, not a crash; the end of input ends the server cleanly")
    func nonBlockingInput() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let input = ChildPipe.make()
        let output = ChildPipe.make()
        let descriptor = input.fileHandleForReading.fileDescriptor
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        let process = Process()
        process.executableURL = ShiplogBinary.executable
        process.arguments = ["mcp", "--db", directory.path("ledger.sqlite")]
        process.environment = ["PATH": "/usr/bin:/bin"]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 0.3)  // the server finds its input empty first
        let initialize = #"{"jsonrpc":"2.0","id":7,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"#
            + #""clientInfo":{"name":"test","version":"1"}}}"# + "\n"
        input.fileHandleForWriting.write(Data(initialize.utf8))
        var answer = Data()
        while !answer.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            answer.append(chunk)
        }
        #expect(String(decoding: answer, as: UTF8.self).contains(#""id":7"#), "\(String(decoding: answer, as: UTF8.self))")
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test("with --server the tools answer the same through a shiplog server, with the token's scopes")
    func remoteLedger() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shiplog = try Self.referenceLedger(in: directory)
        let token = try #require(try shiplog.json(["tokens", "create", "--name", "agent", "--scope", "read"]) as? [String: Any])["token"] as? String
        let server = try ServerProcess(database: shiplog.database)
        defer { _ = server.stop() }
        let calls = try Self.calls(shiplog)
        let answers = try Self.runClient(calls, arguments: ["--server", server.url], directory: directory,
                                         environment: ["SHIPLOG_TOKEN": try #require(token)])
        try Self.expectAnswers(answers, for: calls, cli: shiplog)

        let refused = try Self.runClient([Call(tool: "live", arguments: ["environment": "prod"], cli: nil)], arguments: ["--server", server.url],
                                         directory: directory, environment: ["SHIPLOG_TOKEN": "not-a-token"])
        let result = try #require((refused["calls"] as? [[String: Any]])?.first)
        #expect(result["is_error"] as? Bool == true)
        let refusal = (result["text"] as? [String])?.joined() ?? ""
        #expect(refusal.contains("denied"), "\(result)")
    }
}
