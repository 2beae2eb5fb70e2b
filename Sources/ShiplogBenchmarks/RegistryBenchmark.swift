import Foundation

/// Issue 15's registry targets, whole processes against one local `docker-registry`, in the same run:
/// `verify --fetch` against `skopeo inspect --raw` of the same `.sig` manifest, and `sign --upload` against
/// `skopeo copy` of a one-layer umoci image to the same registry.
enum RegistryBenchmark {
    static let rounds = 15

    static func run(in folder: URL, shiplog: URL) throws -> [Finding] {
        let tools = ["/usr/bin/docker-registry", "/usr/bin/skopeo", "/usr/bin/umoci"]
        if let missing = tools.first(where: { !FileManager.default.isExecutableFile(atPath: $0) }) {
            throw ProcessTimer.Failure(description: "\(missing) is missing: scripts/ensure-system-packages docker-registry skopeo umoci")
        }
        let directory = folder.appending(path: "registry")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func path(_ name: String) -> String { directory.appending(path: name).path }

        let configuration = path("registry.yml")
        try """
        version: 0.1
        log: {level: error}
        storage: {filesystem: {rootdirectory: \(path("data"))}}
        http: {addr: "127.0.0.1:0"}
        """.write(toFile: configuration, atomically: true, encoding: .utf8)
        let registry = Process()
        registry.executableURL = URL(fileURLWithPath: "/usr/bin/docker-registry")
        registry.arguments = ["serve", configuration]
        _ = FileManager.default.createFile(atPath: path("registry.log"), contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: path("registry.log")))
        registry.standardOutput = log
        registry.standardError = log
        try registry.run()
        defer { registry.terminate(); registry.waitUntilExit() }
        var host = ""
        for _ in 0 ..< 200 where host.isEmpty {
            let text = (try? String(contentsOfFile: path("registry.log"), encoding: .utf8)) ?? ""
            if let range = text.range(of: "listening on 127.0.0.1:") { host = "127.0.0.1:" + text[range.upperBound...].prefix { $0.isNumber } }
            else { Thread.sleep(forTimeInterval: 0.05) }
        }
        // The registry logs its address at info level only; at error level, find the port from the socket table instead.
        if host.isEmpty { host = try listeningAddress(of: registry.processIdentifier) }

        // A one-layer image made with umoci, pushed once.
        let layout = path("layout")
        try FileManager.default.createDirectory(atPath: path("content"), withIntermediateDirectories: true)
        try "benchmark\n".write(toFile: path("content/file.txt"), atomically: true, encoding: .utf8)
        for arguments in [["init", "--layout", layout], ["new", "--image", "\(layout):v1"],
                          ["insert", "--rootless", "--image", "\(layout):v1", path("content/file.txt"), "/file.txt"]] {
            _ = try ProcessTimer.seconds("/usr/bin/umoci", arguments)
        }
        let policy = path("policy.json")
        try #"{"default":[{"type":"insecureAcceptAnything"}]}"#.write(toFile: policy, atomically: true, encoding: .utf8)
        let copy = ["--policy", policy, "copy", "-q", "--dest-tls-verify=false", "oci:\(layout):v1"]
        _ = try ProcessTimer.seconds("/usr/bin/skopeo", copy + ["docker://\(host)/bench/app:v1"])
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(layout)/index.json"))) as? [String: Any]
        guard let digest = (index?["manifests"] as? [[String: Any]])?.first?["digest"] as? String else {
            throw ProcessTimer.Failure(description: "umoci wrote no manifest")
        }
        let image = "\(host)/bench/app@\(digest)"
        let database = path("ledger.sqlite")
        let bin = shiplog.path
        _ = try ProcessTimer.seconds(bin, ["keys", "generate", "--name", "ci", "--out", path("ci.key"), "--db", database])
        _ = try ProcessTimer.seconds(bin, ["sign", image, "--key", path("ci.key"), "--upload", "--db", database])
        let sigTag = "sha256-\(digest.dropFirst(7)).sig"

        func median(_ body: () throws -> Double) rethrows -> Double {
            var times: [Double] = []
            for _ in 0 ..< rounds { times.append(try body()) }
            return times.sorted()[rounds / 2]
        }
        // Interleaved, so both sides see the same machine.
        var fetch: [Double] = [], inspect: [Double] = [], sign: [Double] = [], skopeoCopy: [Double] = []
        for round in 0 ..< rounds {
            inspect.append(try ProcessTimer.seconds("/usr/bin/skopeo", ["inspect", "--raw", "--tls-verify=false", "docker://\(host)/bench/app:\(sigTag)"]))
            fetch.append(try ProcessTimer.seconds(bin, ["verify", image, "--fetch", "--db", database]))
            skopeoCopy.append(try ProcessTimer.seconds("/usr/bin/skopeo", copy + ["docker://\(host)/bench/copy:r\(round)"]))
            sign.append(try ProcessTimer.seconds(bin, ["sign", image, "--key", path("ci.key"), "--upload", "--db", database]))
        }
        func mid(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let fetchRatio = mid(inspect) / mid(fetch)
        let signRatio = mid(skopeoCopy) / mid(sign)
        return [
            Finding(name: "verify --fetch of one image (whole process, median of \(rounds))",
                    figure: String(format: "%.1f ms vs skopeo inspect --raw of the .sig %.1f ms: %.2fx its speed",
                                   mid(fetch) * 1000, mid(inspect) * 1000, fetchRatio),
                    target: ">= 1.0x", met: fetchRatio >= 1.0),
            Finding(name: "sign --upload (whole process, median of \(rounds))",
                    figure: String(format: "%.1f ms vs skopeo copy of a one-layer image %.1f ms: %.2fx its speed",
                                   mid(sign) * 1000, mid(skopeoCopy) * 1000, signRatio),
                    target: ">= 1.0x", met: signRatio >= 1.0),
        ]
    }

    /// `127.0.0.1:PORT` the process listens on, from /proc/net/tcp (state 0A is LISTEN).
    static func listeningAddress(of pid: Int32) throws -> String {
        for _ in 0 ..< 100 {
            let sockets = Set(((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []).compactMap { fd -> String? in
                guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)"),
                      target.hasPrefix("socket:[") else { return nil }
                return String(target.dropFirst(8).dropLast())
            })
            let table = (try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)) ?? ""
            for line in table.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 9, fields[3] == "0A", sockets.contains(String(fields[9])),
                      let port = Int(fields[1].split(separator: ":")[1], radix: 16) else { continue }
                return "127.0.0.1:\(port)"
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw ProcessTimer.Failure(description: "docker-registry did not start listening")
    }
}
