import Foundation
import ShiplogTestSupport
import Testing

/// Input the ledger's schema would refuse is refused first, as bad input: never a 5xx, never exit 70.
@Suite("bad requests are 4xx and exit 65, not server errors", .serialized)
struct BadRequestEndToEndTests {
    static let bake = Fixtures.url("buildx/docs_bake_metadata_file_load.json").path

    /// A live server on a fresh ledger, and an admin token for it.
    static func server(in directory: TemporaryDirectory) throws -> (ServerProcess, String) {
        let database = directory.path("server.sqlite")
        let created = try ShiplogBinary(database: database).json(["tokens", "create", "--name", "ci", "--scope", "admin"])
        let token = try #require((created as? [String: Any])?["token"] as? String)
        return (try ServerProcess(database: database), token)
    }

    @Test("a run attempt that is not a whole number from 1 is refused naming where it came from", arguments: ["0", "-1", "abc", "1.5"])
    func runAttempt(_ attempt: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shiplog = ShiplogBinary(database: directory.path("l.sqlite"), environment: ["GITHUB_RUN_ATTEMPT": attempt])
        let ingested = try shiplog.run(["ingest", "buildx-metadata", Self.bake, "--image", "ghcr.io/acme/bake"])
        #expect(ingested.status == 65, "\(ingested.stderr)")
        #expect(ingested.stderr.contains("GITHUB_RUN_ATTEMPT: \"\(attempt)\": run attempt must be a whole number from 1"), "\(ingested.stderr)")
        let recorded = try shiplog.run(["build", "record", "--service", "api", "--image", "ghcr.io/acme/api:v1",
                                        "--digest", "sha256:" + String(repeating: "a", count: 64)])
        #expect(recorded.status == 65, "\(recorded.stderr)")
        #expect(recorded.stderr.contains("GITHUB_RUN_ATTEMPT"), "\(recorded.stderr)")
        #expect((try ShiplogBinary(database: directory.path("l.sqlite")).json(["builds"]) as? [Any])?.isEmpty == true)
    }

    @Test("over HTTP, the buildx route answers 400 naming run_attempt, and the CLI's remote mode says what local mode says")
    func runAttemptOverHTTP() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (server, token) = try Self.server(in: directory)
        defer { _ = server.stop() }
        let curl = try Tool.run("/usr/bin/python3", ["-c", """
            import json, sys, urllib.request, urllib.error
            request = urllib.request.Request(sys.argv[1] + "/v1/ingest/buildx-metadata?run_attempt=0&image=ghcr.io/acme/bake",
                data=open(sys.argv[3], "rb").read(), headers={"Authorization": "Bearer " + sys.argv[2]}, method="POST")
            try:
                urllib.request.urlopen(request)
            except urllib.error.HTTPError as error:
                print(error.code, json.load(error)["field"])
            """, server.url, token, Self.bake])
        #expect(curl.output.trimmingCharacters(in: .whitespacesAndNewlines) == "400 run_attempt", "\(curl.output)")
        let remote = ShiplogBinary(database: directory.path("unused.sqlite"),
                                   environment: ["SHIPLOG_SERVER": server.url, "SHIPLOG_TOKEN": token, "GITHUB_RUN_ATTEMPT": "0"])
        let result = try remote.run(["ingest", "buildx-metadata", Self.bake, "--image", "ghcr.io/acme/bake"])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("GITHUB_RUN_ATTEMPT: \"0\""), "\(result.stderr)")
    }

    @Test("a request body that ends before its Content-Length is a 400, not a 500")
    func truncatedBody() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (server, token) = try Self.server(in: directory)
        let peer = try Tool.run("/usr/bin/python3", ["-c", """
            import socket, sys, urllib.parse
            url = urllib.parse.urlparse(sys.argv[1])
            connection = socket.create_connection((url.hostname, url.port), timeout=10)
            connection.sendall(b"POST /v1/builds HTTP/1.1\\r\\nHost: x\\r\\nAuthorization: Bearer " + sys.argv[2].encode()
                               + b"\\r\\nContent-Type: application/json\\r\\nContent-Length: 100\\r\\n\\r\\n{\\"service\\":")
            connection.shutdown(socket.SHUT_WR)
            print(connection.recv(4096).decode().split("\\r\\n")[0])
            """, server.url, token])
        let (_, log) = server.stop()
        #expect(peer.output.hasPrefix("HTTP/1.1 400"), "\(peer.output)")
        #expect(!log.contains("error"), "a client's truncated body is not the server's error: \(log)")
    }
}

extension BadRequestEndToEndTests {
    @Test("a push report whose commit holds a NUL is refused whole, naming the file and field")
    func nulInReport() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let report = directory.path("report.json")
        let digest = "sha256:" + String(repeating: "a", count: 64)
        try Data(#"{"commit":"abc\u0000def","services":[{"service":"api","image":"ghcr.io/acme/api:v1","digest":"\#(digest)"}]}"#.utf8)
            .write(to: URL(fileURLWithPath: report))
        let shiplog = ShiplogBinary(database: directory.path("l.sqlite"))
        let result = try shiplog.run(["ingest", "push-metadata", report])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("shiplog: \(report): commit: \"abc\\u0000def\": holds a control character (U+0000)"), "\(result.stderr)")
        #expect((try shiplog.json(["builds"]) as? [Any])?.isEmpty == true)
    }

    @Test("build record refuses a control character in a flag, naming the flag")
    func controlInFlag() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shiplog = ShiplogBinary(database: directory.path("l.sqlite"))
        let result = try shiplog.run(["build", "record", "--service", "api", "--image", "ghcr.io/acme/api:v1",
                                      "--digest", "sha256:" + String(repeating: "a", count: 64), "--commit", "abc\ndef"])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("shiplog: --commit: \"abc\\ndef\": holds a control character (U+000A)"), "\(result.stderr)")
    }
}

@Suite("shiplog tokens list and revoke")
struct TokensEndToEndTests {
    @Test("tokens list shows names and scopes, never secrets; revoke marks one revoked; an unknown name is exit 65")
    func listAndRevoke() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shiplog = ShiplogBinary(database: directory.path("l.sqlite"))
        let created = try #require(try shiplog.json(["tokens", "create", "--name", "ci", "--scope", "builds:write"]) as? [String: Any])
        let secret = try #require(created["token"] as? String)
        let listed = try shiplog.run(["tokens", "list"])
        #expect(listed.status == 0)
        #expect(listed.stdout.contains("ci"))
        #expect(listed.stdout.contains("builds:write"))
        #expect(!listed.stdout.contains(secret))
        let revoked = try #require(try shiplog.json(["tokens", "revoke", "ci"]) as? [String: Any])
        #expect(revoked["revoked_at"] is String)
        let again = try #require(try shiplog.json(["tokens", "revoke", "ci"]) as? [String: Any])
        #expect(again["revoked_at"] as? String == revoked["revoked_at"] as? String, "revoking twice keeps the first time")
        let unknown = try shiplog.run(["tokens", "revoke", "nobody"])
        #expect(unknown.status == 65)
        #expect(unknown.stderr.contains("token: \"nobody\": no such token"), "\(unknown.stderr)")
    }
}

@Suite("inputs too large to read whole")
struct InputSizeEndToEndTests {
    /// `yes '[' | shiplog ingest push-metadata -` used to grow without bound (4.4 GB in 5 s).
    @Test("an endless standard input stops at the input limit with one line, exit 65, the ledger unchanged")
    func endlessStandardInput() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = directory.path("l.sqlite")
        let command = "yes '[' | \(ShiplogBinary.executable.path) ingest push-metadata - --db \(database) --max-input-bytes 8388608"
        let result = try Tool.run("/bin/sh", ["-c", command])
        #expect(result.status == 65, "\(result.output.prefix(300))")
        #expect(result.output.hasPrefix("shiplog: -: is larger than 8388608 bytes"), "\(result.output.prefix(300))")
        #expect((try ShiplogBinary(database: database).json(["builds"]) as? [Any])?.isEmpty == true)
    }

    @Test("a file over the limit is refused before it is parsed; the default limit is 256 MiB")
    func largeFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path("big.json")
        try Data(repeating: UInt8(ascii: " "), count: 3 << 20).write(to: URL(fileURLWithPath: file))
        let shiplog = ShiplogBinary(database: directory.path("l.sqlite"))
        let refused = try shiplog.run(["ingest", "push-metadata", file, "--max-input-bytes", String(1 << 20)])
        #expect(refused.status == 65)
        #expect(refused.stderr == "shiplog: \(file): is larger than 1048576 bytes; a larger input needs --max-input-bytes\n")
        let read = try shiplog.run(["ingest", "push-metadata", file])
        #expect(read.status == 65)
        #expect(read.stderr.contains("not valid JSON"), "read whole under the default limit, then refused as JSON: \(read.stderr)")
    }

    @Test("a huge value or bake target name is quoted to 80 characters in the one-line error")
    func hugeNames() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let name = String(repeating: "t", count: 5_000_000)
        let file = directory.path("bake.json")
        try Data(#"{"\#(name)":{"containerimage.digest":"sha256:abc","image.name":"ghcr.io/acme/x:v1"}}"#.utf8).write(to: URL(fileURLWithPath: file))
        let result = try ShiplogBinary(database: directory.path("l.sqlite")).run(["ingest", "buildx-metadata", file])
        #expect(result.status == 65)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.count < 400, "\(result.stderr.prefix(400))")
    }
}
