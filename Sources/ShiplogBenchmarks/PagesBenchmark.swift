import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogPages
import ShiplogStore

/// Issue 17's targets for the front page: with 9 services × 3 environments, at least 0.3 × /healthz's throughput;
/// with 50 services × 5 environments over 1,000,000 deploys, p99 ≤ 20 ms. wrk on loopback against the release
/// server (`--open-reads`); the first, uncached render is timed apart (pages are kept until the ledger changes).
enum PagesBenchmark {
    static func run(in folder: URL, shiplog: URL) throws -> [Finding] {
        guard let wrk = ["/usr/bin/wrk", "/usr/local/bin/wrk"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            return [Finding(name: "pages (wrk)", figure: "wrk is not installed (apt-get install wrk)", target: "-", met: false)]
        }
        var findings: [Finding] = []
        // The reference team: nine services in three environments, each with a few deploys and checks.
        let small = folder.appending(path: "pages-small.sqlite").path
        do {
            let store = try SQLiteLedger(path: small)
            let ledger = ReleaseLedger(store: store)
            let services = ["gateway", "orchestrator", "feature-dev", "code-review", "infrastructure", "cicd", "documentation", "rag", "state"]
            for environment in ["dev", "staging", "prod"] {
                _ = try ledger.createEnvironment(name: environment, slots: [], requireSignature: false)
                for (index, service) in services.enumerated() {
                    for version in 0 ..< 3 {
                        let image = try ImageReference(parsing: "registry.digitalocean.com/the-shop-infra/\(service)@"
                                                       + IngestBenchmark.digest(index * 10 + version + 1))
                        guard case let .started(deploy) = try ledger.startDeploy(environment: environment, slot: nil, service: service,
                                                                                 image: image, actor: nil) else { continue }
                        _ = try ledger.finishDeploy(id: deploy.id, state: .succeeded)
                        for check in ["health", "mcp-tools", "e2e"] {
                            _ = try ledger.checkDeploy(id: deploy.id, name: check, status: index == 3 && check == "e2e" ? .fail : .pass, detail: nil)
                        }
                    }
                }
            }
            try store.close()
        }
        let (smallServer, smallURL) = try ServerBenchmark.serve(shiplog, small, ["--open-reads"])
        let health = try rate(wrk, smallURL + "/healthz")
        let front = try rate(wrk, smallURL + "/")
        smallServer.terminate()
        smallServer.waitUntilExit()
        findings.append(Finding(name: "GET / (9 services x 3 environments)",
                                figure: String(format: "%.0f req/s = %.0f%% of /healthz %.0f req/s", front.rate, 100 * front.rate / health.rate, health.rate),
                                target: ">= 30% of /healthz", met: front.rate >= 0.3 * health.rate))

        // 50 services × 5 environments over 1,000,000 deploys (the deploys group's ledger).
        let large = folder.appending(path: "pages-large.sqlite").path
        let store = try SQLiteLedger(path: large)
        let ledger = ReleaseLedger(store: store)
        try DeployQueryBenchmark.seed(ledger, store)
        // Uncached: the overview and its rendering in process, as the first request after a write costs.
        let renderer = try PageRenderer()
        var renders: [Double] = []
        for _ in 0 ..< 30 {
            renders.append(try Stopwatch.seconds {
                let overview = try JSONInput.value(from: try ContractJSON.compact.encode(try ledger.overview()), source: "overview")
                _ = renderer.render("index", title: "Live", twin: "/v1/overview", signedIn: nil, PageViews.overview(overview))
            })
        }
        try store.close()
        let (largeServer, largeURL) = try ServerBenchmark.serve(shiplog, large, ["--open-reads"])
        defer { largeServer.terminate(); largeServer.waitUntilExit() }
        // Latency with as many connections as cores (wrk and the server share them), then throughput at 32.
        let latency = try rate(wrk, largeURL + "/", connections: 2)
        let loaded = try rate(wrk, largeURL + "/")
        let uncached = Stopwatch.percentile(renders, 0.99)
        findings.append(Finding(name: "GET / (50 services x 5 environments, 1M deploys), wrk, 2 connections",
                                figure: String(format: "p99 %.2f ms, %.0f req/s (at 32 connections: p99 %.2f ms, %.0f req/s)", latency.p99 * 1000,
                                               latency.rate, loaded.p99 * 1000, loaded.rate),
                                target: "p99 <= 20 ms", met: latency.p99 <= 0.020))
        findings.append(Finding(name: "the same page uncached (after a write): overview and render in process",
                                figure: "p99 \(Stopwatch.ms(uncached)), median \(Stopwatch.ms(Stopwatch.percentile(renders, 0.5)))",
                                target: "reported", met: true))
        return findings
    }

    /// wrk's requests per second and p99 latency for one URL (2 threads, 32 connections by default, 10 s).
    static func rate(_ wrk: String, _ url: String, connections: Int = 32) throws -> (rate: Double, p99: Double) {
        let result = try ServerBenchmark.capture(wrk, ["-t", "2", "-c", String(connections), "-d", "10s", "--latency", url])
        let lines = result.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let rate = lines.first(where: { $0.hasPrefix("Requests/sec:") }).flatMap({ Double($0.split(separator: " ").last ?? "") }),
              let p99Text = lines.first(where: { $0.hasPrefix("99%") })?.split(separator: " ").last else {
            throw ProcessTimer.Failure(description: "wrk printed no rate or latency: \(result)")
        }
        if let errors = lines.first(where: { $0.contains("Non-2xx") }) { FileHandle.standardOutput.write(Data("  \(url): \(errors)\n".utf8)) }
        return (rate, latencySeconds(String(p99Text)))
    }

    /// wrk's `1.23ms`, `850.00us`, `1.02s`.
    static func latencySeconds(_ text: String) -> Double {
        for (unit, scale) in [("us", 1e-6), ("ms", 1e-3), ("s", 1.0)] where text.hasSuffix(unit) {
            return (Double(text.dropLast(unit.count)) ?? .nan) * scale
        }
        return .nan
    }
}
