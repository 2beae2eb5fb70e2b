import Foundation
import ShiplogTestSupport
import Testing

/// The pages in a real browser (headless Chromium through selenium) against a real `shiplog serve`, on the reference
/// team's nine services in staging and prod: one failing check, one blue/green switch, cost samples. Screenshots
/// of every page land in `.build/screenshots/` for a person to look at.
@Suite("web pages in a browser, end to end")
struct PagesBrowserEndToEndTests {
    static let registry = "registry.digitalocean.com/the-shop-infra"
    static let services = ["gateway", "orchestrator", "feature-dev", "code-review", "infrastructure", "cicd", "documentation", "rag", "state"]

    @Test("sign in, find the failing service's reason, follow it to its service and image pages, every page, sign out")
    func browse() throws {
        let tools = try Tool.run("/usr/bin/env", ["sh", "-c", "command -v chromium && command -v chromedriver && python3 -c 'import selenium'"])
        try #require(tools.status == 0, "scripts/test installs chromium, chromium-driver and selenium: \(tools.output)")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = directory.path("ledger.sqlite")
        let shiplog = ShiplogBinary(database: database)
        try shiplog.run(["env", "create", "staging"])
        try shiplog.run(["env", "create", "prod", "--slots", "blue,green"])
        for (index, service) in Self.services.enumerated() {
            let digest = "sha256:" + String(repeating: String(index + 1, radix: 16), count: 64)
            try shiplog.run(["build", "record", "--service", service, "--image", "\(Self.registry)/\(service):9f2c1e4", "--digest", digest])
            for (env, slot) in [("staging", nil), ("prod", "green")] as [(String, String?)] {
                let started = try shiplog.run(["deploy", "start", "--env", env, "--service", service, "--image", "\(Self.registry)/\(service):9f2c1e4"]
                                              + (slot.map { ["--slot", $0] } ?? []))
                let id = started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                try #require(!id.isEmpty, "\(started.stderr)")
                try shiplog.run(["deploy", "finish", id, "--status", "succeeded"])
                for check in ["health", "mcp-tools", "e2e"] {
                    let failing = env == "prod" && service == "code-review" && check == "e2e"
                    try shiplog.run(["deploy", "check", id, "--name", check, "--status", failing ? "fail" : "pass",
                                     "--detail", failing ? "review tool timed out <after 30 s>" : "ok"])
                }
            }
        }
        try shiplog.run(["env", "switch", "prod", "--slot", "green"])
        let today = Date()
        var days: [String] = []
        for offset in 0 ..< 14 {
            let day = ISO8601DateFormatter.string(from: today.addingTimeInterval(-Double(offset) * 86_400), timeZone: .gmt,
                                                  formatOptions: [.withFullDate])
            days.append(#"{"date":"\#(day)","usage":[{"model":"gpt-4o","inputUsage":1000,"outputUsage":500,"totalUsage":1500,"totalCost":\#(Double(offset % 5) + 0.25)}]}"#)
        }
        let usage = directory.path("daily.json")
        try #"{"data":[\#(days.joined(separator: ","))]}"#.write(toFile: usage, atomically: true, encoding: .utf8)
        for service in ["gateway", "orchestrator", "rag"] { try shiplog.run(["ingest", "langfuse", usage, "--service", service]) }
        let created = try #require(try shiplog.json(["tokens", "create", "--name", "on-call", "--scope", "read"]) as? [String: Any])
        let token = try #require(created["token"] as? String)

        let server = try ServerProcess(database: database)
        defer { _ = server.stop() }
        let shots = Fixtures.packageRoot.appending(path: ".build/screenshots").path
        let from = ISO8601DateFormatter.string(from: today.addingTimeInterval(-20 * 86_400), timeZone: .gmt, formatOptions: [.withFullDate])
        let to = ISO8601DateFormatter.string(from: today, timeZone: .gmt, formatOptions: [.withFullDate])
        let script = Fixtures.packageRoot.appending(path: "Tests/Stubs/browser_pages.py").path
        let browsed = try Tool.run("/usr/bin/env", ["python3", script, server.url, token, shots, "code-review", "from=\(from)&to=\(to)&by=day"])
        #expect(browsed.status == 0, "\(browsed.output)")
        for page in ["login", "index", "service", "image", "environment", "cost", "dora", "log", "signed-out"] {
            #expect(FileManager.default.fileExists(atPath: "\(shots)/\(page).png"), "no screenshot of \(page)")
        }
    }
}
