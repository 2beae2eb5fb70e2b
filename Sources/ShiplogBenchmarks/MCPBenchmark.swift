import Foundation

/// Issue 20's MCP targets, measured by the real Python client (Tests/Stubs/mcp_client.py): `tools/call live` round
/// trips over stdio ≤ 5 ms p99 after start-up, and start-up (spawn, initialize, the first `live` answer) ≤ 100 ms,
/// on the ledger examples/release-flow.sh leaves (the reference team's nine services in prod).
enum MCPBenchmark {
    static func run(in folder: URL, shiplog: URL) throws -> [Finding] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let database = folder.appending(path: "mcp.sqlite").path
        let path = shiplog.deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let flow = try python(["/usr/bin/env", "PATH=\(path)", "SHIPLOG_DB=\(database)", "/bin/bash", root.appending(path: "examples/release-flow.sh").path])
        guard flow.status == 0 else {
            return [Finding(name: "mcp", figure: "examples/release-flow.sh failed: \(flow.output.suffix(300))", target: "-", met: false)]
        }
        let client = root.appending(path: "Tests/Stubs/mcp_client.py").path
        let arguments = "[\"--db\", \"\(database)\"]"
        func bench(_ calls: Int) throws -> [String: Double] {
            let answer = try python(["/usr/bin/env", "python3", client, "bench", shiplog.path, arguments, String(calls)])
            guard answer.status == 0, let line = answer.output.split(separator: "\n").last,
                  let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Double] else {
                throw ProcessTimer.Failure(description: "the MCP client failed (python3 -m pip install mcp): \(answer.output.suffix(500))")
            }
            return object
        }
        let steady = try bench(3000)
        var startups = try (0 ..< 10).map { _ in try bench(1)["startup_ms"] ?? .infinity }
        startups.sort()
        let p99 = steady["p99_ms"] ?? .infinity
        return [
            Finding(name: "MCP tools/call live (9 services), Python client over stdio, 3000 calls",
                    figure: String(format: "p99 %.2f ms, p50 %.2f ms", p99, steady["p50_ms"] ?? .infinity), target: "p99 <= 5 ms", met: p99 <= 5),
            Finding(name: "MCP start-up to the first live answer (spawn, initialize, call), 10 runs",
                    figure: String(format: "median %.1f ms, max %.1f ms", startups[5], startups[9]), target: "<= 100 ms", met: startups[5] <= 100),
        ]
    }

    private static func python(_ command: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
