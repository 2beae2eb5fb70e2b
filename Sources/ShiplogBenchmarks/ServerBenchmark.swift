import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogStore

/// The server under wrk (Debian's package) on loopback, 32 connections: GET live and lkg, and POST /v1/builds
/// (one build per request, durable when answered), each against GET /healthz on the same server in the
/// same run; and the server's peak RSS over the whole run on a ledger of 1,000,000 deploys.
enum ServerBenchmark {
    static let connections = 32
    static let seconds = 10

    static func run(in folder: URL, shiplog: URL) throws -> [Finding] {
        guard let wrk = ["/usr/bin/wrk", "/usr/local/bin/wrk"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            return [Finding(name: "server (wrk)", figure: "wrk is not installed (apt-get install wrk)", target: "-", met: false)]
        }
        let path = folder.appending(path: "server.sqlite").path
        let store = try SQLiteLedger(path: path)
        let ledger = ReleaseLedger(store: store)
        try DeployQueryBenchmark.seed(ledger, store)
        let reader = try ledger.createToken(name: "bench-read", scopes: [.read]).token
        let writer = try ledger.createToken(name: "bench-write", scopes: [.buildsWrite]).token
        try store.close()

        let (server, url) = try serve(shiplog, path)
        defer { server.terminate(); server.waitUntilExit() }

        let script = folder.appending(path: "post-build.lua")
        try postBuildScript.write(to: script, atomically: true, encoding: .utf8)
        func load(_ target: String, token: String?, script: URL? = nil) throws -> Double {
            try rate(wrk, url + target, token: token, script: script)
        }
        _ = try load("/healthz", token: nil) // warm-up
        let health = try load("/healthz", token: nil)
        let live = try load("/v1/environments/prod/live", token: reader)
        let lkg = try load("/v1/environments/prod/services/svc7/lkg", token: reader)
        let builds = try load("/v1/builds", token: writer, script: script)
        let peak = try peakRSS(of: server.processIdentifier)
        let recorded = try SQLiteLedger(path: path).builds(matching: BuildQuery(limit: 1)).first?.id ?? 0

        func ratio(_ name: String, _ rate: Double, target: Double) -> Finding {
            Finding(name: name, figure: String(format: "%.0f req/s = %.0f%% of /healthz %.0f req/s", rate, 100 * rate / health, health),
                    target: ">= \(Int(target * 100))% of /healthz", met: rate >= target * health)
        }
        return [
            ratio("GET live (prod, 50 services, 1M deploys)", live, target: 0.6),
            ratio("GET lkg", lkg, target: 0.6),
            ratio("POST /v1/builds, durable (\(recorded) builds recorded)", builds, target: 0.25),
            Finding(name: "server peak RSS under that load, 1M deploys", figure: String(format: "%.0f MB", Double(peak) / 1_048_576),
                    target: "<= 150 MB", met: peak <= 150 * 1_048_576),
        ]
    }

    /// Requests per second wrk sustains on `url` with 32 connections for 10 seconds (non-2xx answers are printed).
    static func rate(_ wrk: String, _ url: String, token: String?, script: URL? = nil) throws -> Double {
        var arguments = ["-t", "2", "-c", String(connections), "-d", "\(seconds)s", "--latency"]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        if let script { arguments += ["-s", script.path] }
        let result = try capture(wrk, arguments + [url])
        guard let rate = result.split(separator: "\n").first(where: { $0.hasPrefix("Requests/sec:") })
            .flatMap({ Double($0.split(separator: " ").last ?? "") }) else {
            throw ProcessTimer.Failure(description: "wrk printed no rate: \(result)")
        }
        let errors = result.split(separator: "\n").filter { $0.contains("Non-2xx") || $0.contains("Socket errors") }
        if !errors.isEmpty { FileHandle.standardOutput.write(Data("  \(url): \(errors.joined(separator: "; "))\n".utf8)) }
        return rate
    }

    /// Each request a new build: thread number and counter make the digest unique.
    static let postBuildScript = """
        local counter = 0
        local thread_id = 0
        local next_id = 0
        function setup(thread)
          next_id = next_id + 1
          thread:set("thread_id", next_id)
        end
        wrk.method = "POST"
        wrk.headers["Content-Type"] = "application/json"
        function request()
          counter = counter + 1
          local digest = string.format("sha256:%032x%032x", thread_id, counter)
          local body = '{"service":"svc' .. (counter % 50) .. '","repository":"registry.example.com/acme/bench","tag":"b' ..
            thread_id .. '-' .. counter .. '","digest":"' .. digest .. '"}'
          return wrk.format(nil, nil, nil, body)
        end
        """

    /// `shiplog serve` on a free loopback port over the ledger at `path`; its base URL, from the line it prints.
    static func serve(_ shiplog: URL, _ path: String, _ arguments: [String] = []) throws -> (Process, String) {
        let server = Process()
        server.executableURL = shiplog
        server.arguments = ["serve", "--db", path, "--port", "0", "--log-level", "warning"] + arguments
        let output = Pipe()
        server.standardOutput = output
        try server.run()
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        guard let start = line.range(of: "http://"), let end = line[start.lowerBound...].firstIndex(of: " ") else {
            server.terminate()
            throw ProcessTimer.Failure(description: "the server did not start: \(line)")
        }
        return (server, String(line[start.lowerBound..<end]))
    }

    static func capture(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// VmHWM: the most resident memory the process has had.
    static func peakRSS(of pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kilobytes * 1024
    }
}
