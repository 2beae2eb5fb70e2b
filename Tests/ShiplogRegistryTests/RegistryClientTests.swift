import Foundation
import ShiplogCore
import ShiplogCrypto
import ShiplogRegistry
import ShiplogTestSupport
import Testing

/// The client against a real CNCF distribution registry (Debian's `docker-registry`), anonymous on loopback.
@Suite("the registry client against docker-registry", .serialized)
struct RegistryClientTests {
    static let tools = ["/usr/bin/docker-registry", "/usr/bin/skopeo", "/usr/bin/umoci"]

    @Test("tags list pages through Link headers; manifests by tag and digest are checked; blobs upload once")
    func tagsManifestsBlobs() async throws {
        let missing = Self.tools.filter { !FileManager.default.isExecutableFile(atPath: $0) }
        try #require(missing.isEmpty, "missing \(missing): scripts/ensure-system-packages docker-registry skopeo umoci")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try """
        version: 0.1
        log: {level: info}
        storage: {filesystem: {rootdirectory: \(directory.path("data"))}}
        http: {addr: "127.0.0.1:0"}
        """.write(toFile: directory.path("registry.yml"), atomically: true, encoding: .utf8)
        let registry = Process()
        registry.executableURL = URL(fileURLWithPath: "/usr/bin/docker-registry")
        registry.arguments = ["serve", directory.path("registry.yml")]
        _ = FileManager.default.createFile(atPath: directory.path("registry.log"), contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: directory.path("registry.log")))
        registry.standardOutput = log
        registry.standardError = log
        try registry.run()
        defer { kill(registry.processIdentifier, SIGKILL); registry.waitUntilExit() }
        var host = ""
        for _ in 0 ..< 200 where host.isEmpty {
            let text = (try? String(contentsOfFile: directory.path("registry.log"), encoding: .utf8)) ?? ""
            if let range = text.range(of: "listening on 127.0.0.1:") { host = "127.0.0.1:" + text[range.upperBound...].prefix { $0.isNumber } }
            else { try await Task.sleep(for: .milliseconds(50)) }
        }
        try #require(!host.isEmpty, "the registry did not start")

        let layout = directory.path("layout")
        for arguments in [["init", "--layout", layout], ["new", "--image", "\(layout):v1"]] {
            let result = try Tool.run("/usr/bin/umoci", arguments)
            try #require(result.status == 0, "\(result.output)")
        }
        try #"{"default":[{"type":"insecureAcceptAnything"}]}"#.write(toFile: directory.path("policy.json"), atomically: true, encoding: .utf8)
        let tags = (1 ... 5).map { "t\($0)" }
        for tag in tags {
            let result = try Tool.run("/usr/bin/skopeo", ["--policy", directory.path("policy.json"), "copy", "--dest-tls-verify=false",
                                                          "oci:\(layout):v1", "docker://\(host)/team/app:\(tag)"])
            try #require(result.status == 0, "\(result.output)")
        }

        let client = RegistryClient()
        let address = client.address(of: try Repository(parsing: "\(host)/team/app"))
        #expect(address.plainHTTP)
        // distribution 2.8 answers every tag on one page, in no set order (paging arrived in v3; the stub below pages).
        let listed = try await client.tags(address, pageSize: 2)
        #expect(listed.sorted() == tags, "\(listed)")
        #expect(try await client.tags(client.address(of: try Repository(parsing: "\(host)/team/none"))).isEmpty, "an unknown repository has no tags")
        let byTag = try #require(try await client.manifest(address, reference: "t1"))
        let byDigest = try #require(try await client.manifest(address, reference: byTag.digest.description))
        #expect(byTag.bytes == byDigest.bytes && byTag.manifest.config != nil)
        #expect(try await client.manifest(address, reference: "nope") == nil, "a missing tag is nil, not an error")

        // A registry that pages as the OCI distribution spec says: every page followed, nothing twice.
        let stub = Process()
        stub.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        stub.arguments = ["python3", "-u", Fixtures.packageRoot.appending(path: "Tests/Stubs/registry_peer.py").path, "bad-registry", "0", "paged-tags"]
        _ = FileManager.default.createFile(atPath: directory.path("stub.log"), contents: nil)
        stub.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: directory.path("stub.log")))
        try stub.run()
        defer { kill(stub.processIdentifier, SIGKILL); stub.waitUntilExit() }
        var stubHost = ""
        for _ in 0 ..< 200 where stubHost.isEmpty {
            let text = (try? String(contentsOfFile: directory.path("stub.log"), encoding: .utf8)) ?? ""
            if let range = text.range(of: "listening on 127.0.0.1:") { stubHost = "127.0.0.1:" + text[range.upperBound...].prefix { $0.isNumber } }
            else { try await Task.sleep(for: .milliseconds(50)) }
        }
        let paged = client.address(of: try Repository(parsing: "\(stubHost)/team/app"))
        #expect(try await client.tags(paged, pageSize: 3) == (1 ... 7).map { "v\($0)" })

        let blob = Array("a blob\n".utf8)
        let digest = try await client.uploadBlob(address, blob)
        #expect(digest.description == "sha256:" + SHA256.hex(blob))
        #expect(try await client.uploadBlob(address, blob) == digest, "already there: not sent again")
        #expect(try await client.blob(address, digest: digest) == blob)
    }
}
