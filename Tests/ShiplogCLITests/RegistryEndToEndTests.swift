import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ShiplogTestSupport
import Testing

/// A real CNCF distribution registry (Debian's `docker-registry`) notifying a real `shiplog serve`;
/// images made with `umoci` and moved with `skopeo`, so no Docker engine is needed.
// Serialized: the registry and the server are child processes holding ports and files for the whole test.
@Suite("registry notifications, end to end", .serialized)
struct RegistryEndToEndTests {
    static let tools = ["/usr/bin/docker-registry", "/usr/bin/skopeo", "/usr/bin/umoci"]
    static let missingTools = tools.filter { !FileManager.default.isExecutableFile(atPath: $0) }

    /// `docker-registry serve` on a free loopback port; its log goes to a file (a pipe would be inherited).
    final class Registry: @unchecked Sendable {
        let process = Process()
        let host: String
        let logPath: String

        init(configuration: String, log: String) throws {
            logPath = log
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.executableURL = URL(fileURLWithPath: "/usr/bin/docker-registry")
            process.arguments = ["serve", configuration]
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            // The registry logs `msg="listening on 127.0.0.1:PORT"` once it accepts connections.
            var found: String?
            for _ in 0 ..< 200 where found == nil && process.isRunning {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                if let range = text.range(of: "listening on 127.0.0.1:") {
                    found = String(text[range.upperBound...].prefix { $0.isNumber })
                } else {
                    Thread.sleep(forTimeInterval: 0.05)
                }
            }
            host = found.map { "127.0.0.1:\($0)" } ?? ""
        }

        var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

        func stop() {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }

        deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
    }

    /// An OCI layout holding one image (`LAYOUT:v1`, one layer), made with umoci; returns the layout's path.
    static func makeLayout(in directory: TemporaryDirectory) throws -> String {
        let layout = directory.path("layout")
        if FileManager.default.fileExists(atPath: layout) { return layout }
        try FileManager.default.createDirectory(atPath: directory.path("content"), withIntermediateDirectories: true)
        try "hello from shiplog\n".write(toFile: directory.path("content/hello.txt"), atomically: true, encoding: .utf8)
        for arguments in [["init", "--layout", layout], ["new", "--image", "\(layout):v1"],
                          ["insert", "--rootless", "--image", "\(layout):v1", directory.path("content/hello.txt"), "/hello.txt"]] {
            let result = try Tool.run("/usr/bin/umoci", arguments)
            try #require(result.status == 0, "umoci \(arguments.joined(separator: " ")): \(result.output)")
        }
        return layout
    }

    /// Polls until `condition` holds: the registry delivers notifications asynchronously, in order.
    func eventually(_ what: String, timeout: TimeInterval = 20, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        Issue.record("timed out waiting for \(what)")
    }

    @Test("a push is recorded with repository, tag and digest; one pull counts once; blobs and HEADs do not count")
    func pushAndPull() async throws {
        try #require(Self.missingTools.isEmpty,
                     "missing \(Self.missingTools.joined(separator: ", ")): scripts/ensure-system-packages docker-registry skopeo umoci")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shiplog = ShiplogBinary(database: directory.path("ledger.sqlite"))
        let created = try #require(try shiplog.json(["tokens", "create", "--name", "registry", "--scope", "usage:write"]) as? [String: Any])
        let token = try #require(created["token"] as? String)
        let server = try ServerProcess(database: directory.path("ledger.sqlite"))
        defer { _ = server.stop() }

        let configuration = directory.path("registry.yml")
        try """
        version: 0.1
        log:
          level: info
        storage:
          filesystem:
            rootdirectory: \(directory.path("registry-data"))
          delete:
            enabled: true
        http:
          addr: 127.0.0.1:0
        notifications:
          endpoints:
            - name: shiplog
              url: \(server.url)/v1/registry/events
              headers:
                Authorization: [Bearer \(token)]
              timeout: 2s
              threshold: 3
              backoff: 200ms
        """.write(toFile: configuration, atomically: true, encoding: .utf8)
        let registry = try Registry(configuration: configuration, log: directory.path("registry.log"))
        defer { registry.stop() }
        try #require(!registry.host.isEmpty, "registry did not start: \(registry.log)")

        // An OCI image with one layer, made without a Docker engine.
        let layout = try Self.makeLayout(in: directory)
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(layout)/index.json"))) as? [String: Any]
        let manifests = try #require(index?["manifests"] as? [[String: Any]])
        let digest = try #require(manifests.first?["digest"] as? String)

        let policy = directory.path("policy.json")
        try #"{"default":[{"type":"insecureAcceptAnything"}]}"#.write(toFile: policy, atomically: true, encoding: .utf8)
        func skopeo(_ source: String, _ destination: String) throws {
            let result = try Tool.run("/usr/bin/skopeo", ["--policy", policy, "copy", "--src-tls-verify=false", "--dest-tls-verify=false",
                                                          source, destination])
            try #require(result.status == 0, "skopeo copy \(source) \(destination): \(result.output)")
        }
        let repository = "\(registry.host)/team/orders"
        func image() throws -> [String: Any] {
            try #require(try shiplog.json(["image", "\(repository)@\(digest)"]) as? [String: Any])
        }
        func currentTags() throws -> Set<String> {
            Set(((try image()["tags"] as? [[String: Any]]) ?? []).filter { $0["current"] as? Bool == true }.compactMap { $0["tag"] as? String })
        }
        func pulls() throws -> Int { ((try image()["pulls"] as? [String: Any])?["count"] as? Int) ?? -1 }

        try skopeo("oci:\(layout):v1", "docker://\(repository):v1")
        try eventually("the push of v1") { try currentTags() == ["v1"] }
        #expect(try pulls() == 0, "pushing layers and a manifest is not a pull")

        try skopeo("docker://\(repository):v1", "oci:\(directory.path("pulled")):v1")
        // What containerd does before a pull and update checkers do instead of one: distribution reports it as a pull.
        var head = URLRequest(url: try #require(URL(string: "http://\(registry.host)/v2/team/orders/manifests/v1")))
        head.httpMethod = "HEAD"
        head.setValue("application/vnd.oci.image.manifest.v1+json", forHTTPHeaderField: "Accept")
        let (_, response) = try await URLSession.shared.data(for: head)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        // Notifications arrive in order: once a later push shows, everything the pull caused has arrived.
        try skopeo("oci:\(layout):v1", "docker://\(repository):marker")
        try eventually("the push of marker") { try currentTags() == ["v1", "marker"] }
        #expect(try pulls() == 1, "one image pull, although the registry also reported its blob pulls")

        // A window around today (UTC) in case the test straddles midnight.
        let day = DateFormatter()
        day.dateFormat = "yyyy-MM-dd"
        day.timeZone = TimeZone(identifier: "UTC")
        let report = try #require(try shiplog.json(["cost", "report", "--from", day.string(from: Date().addingTimeInterval(-86_400)),
                                                    "--to", day.string(from: Date().addingTimeInterval(86_400)), "--by", "month"]) as? [String: Any])
        let rows = try #require(report["rows"] as? [[String: Any]])
        #expect(rows.map { $0["service"] as? String } == ["orders"], "service from the repository's last path segment")
        #expect(rows.map { $0["pulls"] as? Int } == [1], "\(rows)")
    }
}
