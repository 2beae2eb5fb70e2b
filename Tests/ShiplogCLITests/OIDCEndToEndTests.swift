import Foundation
import ShiplogTestSupport
import Testing

/// CI login with the job's OIDC token against the real `shiplog serve`: tokens minted by PyPI's pyjwt and cryptography
/// (Tests/Stubs/oidc_issuer.py), shaped like GitHub Actions' claims, sent by the real CLI in remote mode.
@Suite("OIDC login for CI jobs, end to end")
struct OIDCEndToEndTests {
    static let issuer = "https://token.actions.githubusercontent.com"
    static let script = Fixtures.packageRoot.appending(path: "Tests/Stubs/oidc_issuer.py").path

    static func python(_ arguments: [String]) throws -> String {
        let result = try Tool.run("/usr/bin/env", ["python3", script] + arguments)
        try #require(result.status == 0, "python3 -m pip install pyjwt cryptography? \(result.output)")
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A token signed with `key`, GitHub's claims with `claims` over them (nil removes one; exp/nbf/iat are seconds from now).
    static func mint(_ directory: TemporaryDirectory, _ key: String = "rsa-1", _ claims: [String: Any?] = [:], header: [String: String] = [:]) throws -> String {
        let object = claims.mapValues { $0 ?? NSNull() }
        let text = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        let headerText = String(decoding: try JSONSerialization.data(withJSONObject: header), as: UTF8.self)
        return try python(["mint", directory.url.path, key, text, headerText])
    }

    /// The stand-in issuer (`oidc_issuer.py serve`) on a free loopback port, once it printed that port's line.
    static func startIssuer(in directory: TemporaryDirectory) throws -> (Process, String) {
        let issuer = Process()
        issuer.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        issuer.arguments = ["python3", script, "serve", directory.url.path]
        let output = ChildPipe.make()
        issuer.standardOutput = output
        try issuer.run()
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        return (issuer, String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static let digest = "sha256:" + String(repeating: "c", count: 64)

    @Test("a trusted job records builds and deploys bound to its claims; every bad token is a 401 saying why")
    func tokensFromAFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try Self.python(["keys", directory.url.path])
        let database = directory.path("ledger.sqlite")
        let admin = ShiplogBinary(database: database)
        let rule = try #require(try admin.json(["oidc", "trust", "--repository", "the-shop/infra", "--workflow", ".github/workflows/release.yml",
                                                "--scope", "builds:write", "--scope", "deploys:write"]) as? [String: Any])
        #expect(rule["repository_id"] is NSNull, "\(rule)")
        // A narrower rule for prod's deploy job: the most specific matching rule is the one that grants.
        let prodRule = try #require(try admin.json(["oidc", "trust", "--repository", "the-shop/infra", "--environment", "prod",
                                                    "--ref", "refs/heads/main", "--scope", "deploys:write"]) as? [String: Any])
        #expect(try admin.run(["oidc", "trust", "--repository", "the-shop/infra", "--scope", "admin"]).status == 65)
        #expect(try admin.run(["oidc", "trust", "--repository", "not a repo", "--scope", "read"]).stderr.contains("--repository"))
        #expect(try admin.run(["env", "create", "prod"]).status == 0)
        let server = try ServerProcess(database: database, arguments: [
            "--oidc-issuer", Self.issuer, "--oidc-audience", "shiplog", "--oidc-jwks", directory.path("jwks.json")])
        defer { _ = server.stop() }
        func remote(_ token: String) -> ShiplogBinary {
            ShiplogBinary(database: directory.path("unused.sqlite"), environment: ["SHIPLOG_SERVER": server.url, "SHIPLOG_TOKEN": token])
        }
        let image = "registry.digitalocean.com/the-shop-infra/gateway:a3f1c0de"
        let build = ["build", "record", "--service", "gateway", "--image", image, "--digest", Self.digest]

        // The build job (no environment): the workflow rule lets it in; its run comes from the claims.
        let job = remote(try Self.mint(directory, "ec-1", ["environment": nil, "sub": "repo:the-shop/infra:ref:refs/heads/main"]))
        let recorded = try #require(try job.json(build) as? [String: Any])
        #expect(recorded["commit"] as? String == "a3f1c0de5b7e2d9f4c1a8b6e0d3f7a2c9e5b1d40")
        #expect(recorded["run_id"] as? String == "9876543210" && recorded["run_attempt"] as? Int == 1 && recorded["ref"] as? String == "refs/heads/main")
        #expect(recorded["run_url"] as? String == "https://github.com/the-shop/infra/actions/runs/9876543210/attempts/1")
        let writer = try #require(recorded["written_by"] as? [String: Any])
        #expect(writer["rule"] as? Int == rule["id"] as? Int && writer["subject"] as? String == "repo:the-shop/infra:ref:refs/heads/main")
        // A body that disagrees with a claim is refused naming it; the ledger is unchanged.
        let lying = try job.run(build + ["--commit", "0000000"])
        #expect(lying.status == 77 && lying.stderr.contains("sha claim"), "\(lying)")
        let wrongRun = try job.run(build + ["--run-id", "1"])
        #expect(wrongRun.status == 77 && wrongRun.stderr.contains("run_id claim"), "\(wrongRun)")
        // Scopes are the rule's: the build job cannot read tokens or write usage.
        #expect(try job.run(["tokens", "list"]).status == 77)

        // The deploy job in prod: the prod rule (more specific) grants deploys:write only.
        let deployer = remote(try Self.mint(directory))
        let started = try deployer.run(["deploy", "start", "--env", "prod", "--service", "gateway", "--image", image])
        #expect(started.status == 0, "\(started)")
        let id = started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try deployer.run(["deploy", "check", id, "--name", "health", "--status", "pass"]).status == 0)
        #expect(try deployer.run(build).status == 77, "the prod rule grants no builds:write")
        let impostor = try deployer.run(["deploy", "start", "--env", "prod", "--service", "gateway", "--image", image, "--actor", "mallory"])
        #expect(impostor.status == 77 && impostor.stderr.contains("actor claim"), "\(impostor)")
        let deploy = try #require(try admin.json(["live", "prod"]) as? [String: Any])
        #expect("\(deploy)".contains("gateway"))
        let history = try #require(try admin.json(["image", "registry.digitalocean.com/the-shop-infra/gateway@\(Self.digest)"]) as? [String: Any])
        let deploys = try #require(history["deploys"] as? [[String: Any]])
        #expect(deploys.first?["actor"] as? String == "octocat")
        #expect((deploys.first?["written_by"] as? [String: Any])?["rule"] as? Int == prodRule["id"] as? Int, "\(deploys)")

        // Every way a token can be wrong: 401 with a problem that says which.
        let cases: [(String, String, [String: Any?], [String: String])] = [
            ("alg \"none\"", "none", [:], [:]),
            ("alg \"HS256\"", "hs256", [:], [:]),
            ("kid \"rsa-2\"", "rsa-2", [:], [:]),
            ("iss \"https://evil.example\"", "rsa-1", ["iss": "https://evil.example"], [:]),
            ("aud \"pypi\"", "rsa-1", ["aud": "pypi"], [:]),
            ("expired", "rsa-1", ["exp": -61], [:]),
            ("not valid yet", "rsa-1", ["nbf": 120], [:]),
            ("issued in the future", "rsa-1", ["iat": 120], [:]),
            ("no exp claim", "ec-1", ["exp": nil], [:]),
        ]
        for (expected, key, claims, header) in cases {
            let result = try remote(try Self.mint(directory, key, claims, header: header)).run(["builds"])
            #expect(result.status == 77 && result.stderr.contains(expected), "\(expected): \(result)")
        }
        // Within the leeway a clock a little off still works.
        #expect(try remote(try Self.mint(directory, "rsa-1", ["exp": -30, "nbf": 30, "iat": 30])).run(["deploy", "check", id, "--name", "e2e", "--status", "pass"]).status == 0)
        // A forged signature: the claims of one token with the signature of another.
        let good = try Self.mint(directory).split(separator: ".")
        let other = try Self.mint(directory, "rsa-1", ["repository": "the-shop/other"]).split(separator: ".")
        let forged = try remote("\(good[0]).\(other[1]).\(good[2])").run(["builds"])
        #expect(forged.status == 77 && forged.stderr.contains("signature does not verify"), "\(forged)")

        // Another repository, or the same name re-created (another id): no rule lets it in.
        let stranger = try remote(try Self.mint(directory, "rsa-1", ["repository": "the-shop/other"])).run(["builds"])
        #expect(stranger.status == 77 && stranger.stderr.contains("no OIDC trust rule matches repository the-shop/other"), "\(stranger)")
        let recreated = try remote(try Self.mint(directory, "rsa-1", ["repository_id": "999"])).run(build)
        #expect(recreated.status == 77 && recreated.stderr.contains("repository_id"), "\(recreated)")
        let pinned = try #require(try admin.json(["oidc", "list"]) as? [String: Any])
        #expect((pinned["rules"] as? [[String: Any]])?.allSatisfy { $0["repository_id"] as? String == "123456789" } == true, "\(pinned)")

        // Revoked through the server: refused at once, though the token was just accepted.
        let adminToken = try #require(try admin.json(["tokens", "create", "--name", "ops", "--scope", "admin"]) as? [String: Any])["token"] as? String
        #expect(try remote(try #require(adminToken)).run(["oidc", "revoke", String(try #require(prodRule["id"] as? Int))]).status == 0)
        // The same token is now let in by the broader workflow rule, which the deploy records...
        let fallback = try #require(try deployer.json(["deploy", "start", "--env", "prod", "--service", "gateway", "--image", image]) as? [String: Any])
        #expect((fallback["written_by"] as? [String: Any])?["rule"] as? Int == rule["id"] as? Int, "\(fallback)")
        // ...and once that one is revoked too, by none.
        #expect(try remote(try #require(adminToken)).run(["oidc", "revoke", String(try #require(rule["id"] as? Int))]).status == 0)
        let afterRevoke = try deployer.run(["deploy", "start", "--env", "prod", "--service", "gateway", "--image", image])
        #expect(afterRevoke.status == 77 && afterRevoke.stderr.contains("no OIDC trust rule"), "\(afterRevoke)")

        // Everything the jobs wrote is in the log and agrees with the tables.
        let verified = try admin.run(["log", "verify"])
        #expect(verified.status == 0, "\(verified)")
        let builds = try #require(try admin.json(["builds"]) as? [[String: Any]])
        #expect(builds.count == 1, "refused writes left nothing behind: \(builds)")
    }

    @Test("the issuer's keys over HTTP: found by discovery, read again on an unknown kid, at most once a minute")
    func keysFromTheIssuer() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try Self.python(["keys", directory.url.path])
        let (issuer, port) = try Self.startIssuer(in: directory)
        defer { issuer.terminate() }
        let base = "http://127.0.0.1:\(port)"
        let database = directory.path("ledger.sqlite")
        let admin = ShiplogBinary(database: database)
        #expect(try admin.run(["oidc", "trust", "--repository", "the-shop/infra", "--scope", "read"]).status == 0)
        func fetches() throws -> Int {
            let answer = try Tool.run("/usr/bin/env", ["python3", "-c", "import urllib.request,sys; print(urllib.request.urlopen(sys.argv[1]).read().decode())",
                                                       base + "/count"])
            return (try JSONSerialization.jsonObject(with: Data(answer.output.utf8)) as? [String: Int])?["count"] ?? -1
        }
        // Minted before anything is timed: a loaded machine takes a while to start python.
        let tokens = try ["rsa-1", "ec-1", "rsa-2"].reduce(into: [String: String]()) { $0[$1] = try Self.mint(directory, $1, ["iss": base]) }
        let madeUp = try Self.mint(directory, "rsa-1", ["iss": base], header: ["kid": "made-up"])
        func read(_ server: ServerProcess, _ token: String) throws -> ShiplogBinary.Result {
            try ShiplogBinary(database: directory.path("x"), environment: ["SHIPLOG_SERVER": server.url, "SHIPLOG_TOKEN": token]).run(["builds"])
        }
        // The issuer is the local one: no --oidc-jwks, so its discovery document names the key set. An hour's floor:
        // nothing this test does is a minute apart, so no unknown kid may cause a second read.
        let patient = try ServerProcess(database: database, arguments: ["--oidc-issuer", base, "--oidc-audience", "shiplog"],
                                        environment: ["SHIPLOG_OIDC_REFETCH_SECONDS": "3600"])
        defer { _ = patient.stop() }
        #expect(try fetches() == 1, "read once at start")
        #expect(try read(patient, try #require(tokens["rsa-1"])).status == 0)
        #expect(try read(patient, try #require(tokens["ec-1"])).status == 0)
        #expect(try fetches() == 1, "known kids need no fetch")
        // The issuer rotates in rsa-2; within the floor an unknown kid is refused without asking the issuer, and a
        // made-up one too: a flood of them cannot become a flood of requests.
        _ = try Self.python(["publish", directory.url.path, "rsa-1,ec-1,rsa-2"])
        let early = try read(patient, try #require(tokens["rsa-2"]))
        #expect(early.status == 77 && early.stderr.contains("kid \"rsa-2\""), "\(early)")
        let flood = try read(patient, madeUp)
        #expect(flood.status == 77 && flood.stderr.contains("kid \"made-up\""), "\(flood)")
        #expect(try fetches() == 1)
        // With a one-second floor, once it has passed (time only grows) the first token naming a key rotated in after
        // the start makes the server read the set again, once; the next finds the key kept.
        _ = try Self.python(["publish", directory.url.path, "rsa-1,ec-1"])
        let prompt = try ServerProcess(database: database, arguments: ["--oidc-issuer", base, "--oidc-audience", "shiplog"],
                                       environment: ["SHIPLOG_OIDC_REFETCH_SECONDS": "1"])
        defer { _ = prompt.stop() }
        #expect(try fetches() == 2, "the second server's start-up read")
        _ = try Self.python(["publish", directory.url.path, "rsa-1,ec-1,rsa-2"])
        Thread.sleep(forTimeInterval: 1.5)
        #expect(try read(prompt, try #require(tokens["rsa-2"])).status == 0)
        #expect(try fetches() == 3)
        #expect(try read(prompt, try #require(tokens["rsa-2"])).status == 0)
        #expect(try fetches() == 3)
        // ...and HTTP to anything but loopback is refused outright: a key set read in the clear could be anyone's.
        let plain = try Tool.run(ShiplogBinary.executable.path, ["serve", "--db", directory.path("y.sqlite"), "--port", "0",
                                                                 "--oidc-issuer", "http://issuer.example", "--oidc-audience", "x"])
        #expect(plain.status == 65 && plain.output.contains("https"), "\(plain.output)")
    }
}
