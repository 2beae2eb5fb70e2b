import Foundation
import ShiplogTestSupport
import Testing

/// Signatures and attestations in real registries (Debian's `docker-registry`, with htpasswd Basic auth and with
/// token auth against a token server started here), checked by verifiers that do not use shiplog's code
/// (Tests/Stubs/registry_peer.py: Python's `cryptography` as cosign verifies, securesystemslib's DSSE).
// Serialized: registries, token servers and stubs are child processes holding ports for the whole test.
@Suite("signatures and attestations in the registry, end to end", .serialized)
struct RegistryTrustEndToEndTests {
    static let peer = Fixtures.packageRoot.appending(path: "Tests/Stubs/registry_peer.py").path
    static let missingTools = RegistryEndToEndTests.missingTools + ["/usr/bin/htpasswd"].filter { !FileManager.default.isExecutableFile(atPath: $0) }

    /// A Python peer server; it prints `listening on 127.0.0.1:PORT` once it accepts connections.
    final class Peer: @unchecked Sendable {
        let process = Process()
        let port: String
        let logPath: String

        init(_ arguments: [String], log: String) throws {
            logPath = log
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-u", RegistryTrustEndToEndTests.peer] + arguments
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            var found = ""
            for _ in 0 ..< 200 where found.isEmpty && process.isRunning {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                if let range = text.range(of: "listening on 127.0.0.1:") {
                    found = String(text[range.upperBound...].prefix { $0.isNumber })
                } else {
                    Thread.sleep(forTimeInterval: 0.05)
                }
            }
            port = found
        }

        var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

        func stop() {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }

        deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
    }

    /// A one-layer OCI image made with umoci, pushed with skopeo; returns its manifest digest.
    static func pushImage(to reference: String, in directory: TemporaryDirectory, credentials: String? = nil) throws -> String {
        let layout = try RegistryEndToEndTests.makeLayout(in: directory)
        let policy = directory.path("policy.json")
        try #"{"default":[{"type":"insecureAcceptAnything"}]}"#.write(toFile: policy, atomically: true, encoding: .utf8)
        let result = try Tool.run("/usr/bin/skopeo", ["--policy", policy, "copy", "--dest-tls-verify=false"]
            + (credentials.map { ["--dest-creds", $0] } ?? []) + ["oci:\(layout):v1", "docker://\(reference)"])
        try #require(result.status == 0, "skopeo copy: \(result.output)")
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(layout)/index.json"))) as? [String: Any]
        return try #require((index?["manifests"] as? [[String: Any]])?.first?["digest"] as? String)
    }

    static func registryConfiguration(_ directory: TemporaryDirectory, name: String, auth: String = "") throws -> String {
        let path = directory.path("\(name).yml")
        try """
        version: 0.1
        log:
          level: info
        storage:
          filesystem:
            rootdirectory: \(directory.path("\(name)-data"))
        http:
          addr: 127.0.0.1:0
        \(auth)
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A docker `config.json` holding one login, as `docker login` writes it.
    static func authFile(_ directory: TemporaryDirectory, host: String, login: String) throws -> String {
        let path = directory.path("auth-\(host.replacingOccurrences(of: ":", with: "_")).json")
        let encoded = Data(login.utf8).base64EncodedString()
        try #"{"auths":{"\#(host)":{"auth":"\#(encoded)"}}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func peerJSON(_ arguments: [String]) throws -> [String: Any] {
        let result = try Tool.run("/usr/bin/env", ["python3", peer] + arguments)
        try #require(result.status == 0, "registry_peer.py \(arguments.joined(separator: " ")): \(result.output)")
        let line = result.output.split(separator: "\n").last.map(String.init) ?? ""
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    static func requirePeers() throws {
        try #require(missingTools.isEmpty, "missing \(missingTools.joined(separator: ", ")): scripts/ensure-system-packages docker-registry skopeo umoci apache2-utils")
        let modules = try Tool.run("/usr/bin/env", ["python3", "-c", "import cryptography, securesystemslib, jwt"])
        try #require(modules.status == 0, "python3 -m pip install cryptography securesystemslib pyjwt: \(modules.output)")
    }

    @Test("htpasswd registry: sign --upload is what cosign's verifier reads; a fresh ledger fetches it, twice without a second record")
    func basicAuthRegistry() throws {
        try Self.requirePeers()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let htpasswd = try Tool.run("/usr/bin/htpasswd", ["-Bbn", "ci", "s3cret"])
        try htpasswd.output.write(toFile: directory.path("htpasswd"), atomically: true, encoding: .utf8)
        let configuration = try Self.registryConfiguration(directory, name: "registry", auth: """
            auth:
              htpasswd:
                realm: shiplog-test
                path: \(directory.path("htpasswd"))
            """)
        let registry = try RegistryEndToEndTests.Registry(configuration: configuration, log: directory.path("registry.log"))
        defer { registry.stop() }
        try #require(!registry.host.isEmpty, "registry did not start: \(registry.log)")
        let digest = try Self.pushImage(to: "\(registry.host)/team/gateway:v1", in: directory, credentials: "ci:s3cret")
        let image = "\(registry.host)/team/gateway@\(digest)"
        let login = try Self.authFile(directory, host: registry.host, login: "ci:s3cret")

        let signer = ShiplogBinary(database: directory.path("signer.sqlite"), environment: ["REGISTRY_AUTH_FILE": directory.path("none.json")])
        try signer.run(["keys", "generate", "--name", "ci", "--out", directory.path("ci.key")])
        let before = try BadInputCorpusEndToEndTests.dumpHash(directory.path("signer.sqlite"))
        let anonymous = try signer.run(["sign", image, "--key", directory.path("ci.key"), "--upload"])
        #expect(anonymous.status == 77, "no login: denied. \(anonymous.stderr)")
        #expect(anonymous.stderr.contains("docker login"), "\(anonymous.stderr)")
        #expect(try BadInputCorpusEndToEndTests.dumpHash(directory.path("signer.sqlite")) == before, "a refused upload records nothing")

        var withLogin = signer
        withLogin.environment["REGISTRY_AUTH_FILE"] = login
        for round in 1 ... 2 {
            let signed = try #require(try withLogin.json(["sign", image, "--key", directory.path("ci.key"), "--upload"]) as? [String: Any])
            let upload = try #require(signed["upload"] as? [String: Any])
            #expect(upload["layers"] as? Int == round, "a second signature is appended, the first kept")
            #expect(upload["tag"] as? String == "sha256-\(digest.dropFirst(7)).sig")
        }
        let independent = try Self.peerJSON(["verify-sig", "http://\(registry.host)", "team/gateway", digest, directory.path("ci.key.pub"),
                                             "--user", "ci:s3cret"])
        #expect(independent["verified"] as? Int == 2, "\(independent)")

        // Provenance attested with --upload: securesystemslib verifies the envelope the registry holds.
        let predicate = Fixtures.url("intoto/intoto_attestation_provenance_v1_predicate_test_valid.json").path
        try withLogin.run(["attest", image, "--predicate", predicate, "--type", "slsaprovenance1", "--key", directory.path("ci.key"), "--upload"])
        let dsse = try Self.peerJSON(["verify-att", "http://\(registry.host)", "team/gateway", digest, directory.path("ci.key.pub"),
                                      "--user", "ci:s3cret"])
        #expect(dsse["verified"] as? Int == 1, "\(dsse)")

        // Another ledger that trusts the public key learns both from the registry alone.
        let verifier = ShiplogBinary(database: directory.path("verifier.sqlite"), environment: ["REGISTRY_AUTH_FILE": login])
        try verifier.run(["keys", "add", directory.path("ci.key.pub"), "--name", "ci"])
        let unverified = try verifier.run(["verify", image])
        #expect(unverified.status == 1, "nothing is known before fetching")
        for (round, expected) in [(1, 2), (2, 0)] {
            let fetched = try #require(try verifier.json(["signature", "fetch", image]) as? [String: Any])
            #expect(fetched["found"] as? Int == 2, "round \(round): \(fetched)")
            #expect(fetched["recorded"] as? Int == expected, "round \(round): fetching twice records nothing new")
        }
        #expect(try verifier.run(["verify", image, "--fetch"]).status == 0)
        for (round, expected) in [(1, 1), (2, 0)] {
            let fetched = try #require(try verifier.json(["attestation", "fetch", image]) as? [String: Any])
            #expect(fetched["recorded"] as? Int == expected, "round \(round): \(fetched)")
        }
        #expect(try verifier.run(["attestation", "verify", image, "--type", "slsaprovenance1"]).status == 0)
        #expect(try verifier.run(["attestation", "verify", image, "--type", "spdx"]).status == 1, "no SPDX attestation")
        let listed = try #require(try verifier.json(["attestation", "list", image]) as? [String: Any])
        let first = try #require((listed["attestations"] as? [[String: Any]])?.first)
        #expect(first["predicate_type"] as? String == "https://slsa.dev/provenance/v1")
        #expect(first["valid"] as? Bool == true && first["key_name"] as? String == "ci", "\(first)")
        #expect(((first["statement"] as? [String: Any])?["subject"] as? [[String: Any]])?.first?["name"] as? String == "\(registry.host)/team/gateway")

        // Revoking the key counts at once, for attestations as for signatures.
        let keyID = try #require((try verifier.json(["keys", "list"]) as? [[String: Any]])?.first?["key_id"] as? String)
        try verifier.run(["keys", "revoke", keyID, "--reason", "rotated"])
        let revoked = try verifier.run(["attestation", "verify", image, "--type", "slsaprovenance1", "--json"])
        #expect(revoked.status == 1 && revoked.stdout.contains("key-revoked"), "\(revoked.stdout)")
        #expect(try verifier.run(["log", "verify"]).status == 0, "fetched signatures and attestations are logged writes")
    }

    @Test("token-auth registry: the Bearer flow against a real token server, for signing, fetching and a wrong password")
    func tokenAuthRegistry() throws {
        try Self.requirePeers()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // The token server signs with this key; the registry trusts its certificate (rootcertbundle).
        for arguments in [["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", directory.path("token.key")],
                          ["req", "-new", "-x509", "-key", directory.path("token.key"), "-out", directory.path("token.crt"), "-days", "2",
                           "-subj", "/CN=shiplog-test-token"]] {
            let result = try Tool.run("/usr/bin/openssl", arguments)
            try #require(result.status == 0, "openssl \(arguments[0]): \(result.output)")
        }
        let tokens = try Peer(["token-server", "0", directory.path("token.key"), directory.path("token.crt"), "ci:s3cret"],
                              log: directory.path("token.log"))
        defer { tokens.stop() }
        try #require(!tokens.port.isEmpty, "token server did not start: \(tokens.log)")
        let configuration = try Self.registryConfiguration(directory, name: "registry", auth: """
            auth:
              token:
                realm: http://127.0.0.1:\(tokens.port)/token
                service: shiplog-test
                issuer: shiplog-test-issuer
                rootcertbundle: \(directory.path("token.crt"))
            """)
        let registry = try RegistryEndToEndTests.Registry(configuration: configuration, log: directory.path("registry.log"))
        defer { registry.stop() }
        try #require(!registry.host.isEmpty, "registry did not start: \(registry.log)")
        let digest = try Self.pushImage(to: "\(registry.host)/team/orchestrator:v1", in: directory, credentials: "ci:s3cret")
        let image = "\(registry.host)/team/orchestrator@\(digest)"

        let shiplog = ShiplogBinary(database: directory.path("ledger.sqlite"),
                                    environment: ["REGISTRY_AUTH_FILE": try Self.authFile(directory, host: registry.host, login: "ci:s3cret")])
        try shiplog.run(["keys", "generate", "--name", "ci", "--out", directory.path("ci.key")])
        let signed = try shiplog.run(["sign", image, "--key", directory.path("ci.key"), "--upload"])
        #expect(signed.status == 0, "\(signed.stderr)")
        #expect(tokens.log.contains("repository:team/orchestrator:pull,push"), "a push token was asked for: \(tokens.log)")
        let independent = try Self.peerJSON(["verify-sig", "http://\(registry.host)", "team/orchestrator", digest, directory.path("ci.key.pub"),
                                             "--user", "ci:s3cret"])
        #expect(independent["verified"] as? Int == 1, "\(independent)")

        // Through a shiplog server: the CLI talks to the registry, the server records what it found.
        let server = try ServerProcess(database: directory.path("server.sqlite"))
        defer { _ = server.stop() }
        let admin = ShiplogBinary(database: directory.path("server.sqlite"))
        try admin.run(["keys", "add", directory.path("ci.key.pub"), "--name", "ci"])
        let created = try #require(try admin.json(["tokens", "create", "--name", "ci", "--scope", "sign", "--scope", "read"]) as? [String: Any])
        var remote = shiplog
        remote.environment["SHIPLOG_SERVER"] = server.url
        remote.environment["SHIPLOG_TOKEN"] = try #require(created["token"] as? String)
        let fetched = try #require(try remote.json(["signature", "fetch", image]) as? [String: Any])
        #expect(fetched["recorded"] as? Int == 1, "\(fetched)")
        #expect(try remote.run(["verify", image]).status == 0)

        var wrong = shiplog
        wrong.environment["REGISTRY_AUTH_FILE"] = try Self.authFile(directory, host: registry.host, login: "ci:wrong")
        let denied = try wrong.run(["signature", "fetch", image])
        #expect(denied.status == 77, "a wrong password is denied: \(denied.stderr)")
        #expect(!denied.stderr.contains("wrong"), "the password is never echoed")
    }

    @Test("a signature cosign made (containers/image's fixture), in cosign's layout, fetches and verifies with cosign's key")
    func cosignMadeSignature() throws {
        try Self.requirePeers()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let registry = try RegistryEndToEndTests.Registry(configuration: try Self.registryConfiguration(directory, name: "registry"),
                                                          log: directory.path("registry.log"))
        defer { registry.stop() }
        try #require(!registry.host.isEmpty, "registry did not start: \(registry.log)")
        // The signed image's digest is its manifest's SHA-256 (the fixture's manifest.json).
        let digest = "sha256:" + (try Tool.sha256Hex(of: Fixtures.url("cosign/containers_image_cosign_valid_manifest.json").path))
        #expect(digest == "sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00")
        _ = try Self.peerJSON(["put-sig", "http://\(registry.host)", "cosign-signed-single-sample", digest,
                               Fixtures.url("cosign/containers_image_cosign_valid_signature.json").path])
        let image = "\(registry.host)/cosign-signed-single-sample@\(digest)"
        let shiplog = ShiplogBinary(database: directory.path("ledger.sqlite"), environment: ["REGISTRY_AUTH_FILE": directory.path("none.json")])
        try shiplog.run(["keys", "generate", "--name", "other", "--out", directory.path("other.key")])
        let untrusted = try shiplog.run(["verify", image, "--fetch"])
        #expect(untrusted.status == 1, "recorded, but no trusted key made it: \(untrusted.stdout)")
        try shiplog.run(["keys", "add", Fixtures.url("cosign/containers_image_cosign.pub").path, "--name", "cosign-fixture"])
        let verified = try #require(try shiplog.json(["verify", image, "--fetch"]) as? [String: Any])
        #expect(verified["verified"] as? Bool == true && verified["key_name"] as? String == "cosign-fixture", "\(verified)")
    }

    @Test("misbehaving registries: each a one-line error with the contract's exit code, nothing recorded")
    func misbehavingRegistries() throws {
        try Self.requirePeers()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shiplog = ShiplogBinary(database: directory.path("ledger.sqlite"), environment: ["REGISTRY_AUTH_FILE": directory.path("none.json")])
        try shiplog.run(["keys", "generate", "--name", "ci", "--out", directory.path("ci.key")])
        let digest = "sha256:" + String(repeating: "ab", count: 32)
        let before = try BadInputCorpusEndToEndTests.dumpHash(directory.path("ledger.sqlite"))
        let cases: [(mode: String, status: Int32, says: String)] = [
            ("not-json", 65, "not valid JSON"), ("lying-digest", 65, "Docker-Content-Digest"), ("huge", 65, "larger than 4 MiB"),
            ("many-layers", 65, "more than 1000 descriptors"), ("error-500", 69, "answered 500"), ("hang", 69, "did not answer within 2 s"),
        ]
        for (mode, status, says) in cases {
            let stub = try Peer(["bad-registry", "0", mode], log: directory.path("\(mode).log"))
            defer { stub.stop() }
            try #require(!stub.port.isEmpty, "\(mode) stub did not start: \(stub.log)")
            for command in [["signature", "fetch"], ["attestation", "fetch"]] {
                let result = try shiplog.run(command + ["127.0.0.1:\(stub.port)/team/app@\(digest)", "--registry-timeout", "2"])
                #expect(result.status == status, "\(mode) \(command): \(result.stderr)")
                #expect(result.stderr.contains(says) && result.stderr.split(separator: "\n").count == 1, "\(mode): \(result.stderr)")
            }
            let upload = try shiplog.run(["sign", "127.0.0.1:\(stub.port)/team/app@\(digest)", "--key", directory.path("ci.key"), "--upload",
                                          "--registry-timeout", "2"])
            #expect(upload.status == status, "\(mode) sign --upload: \(upload.stderr)")
        }
        #expect(try BadInputCorpusEndToEndTests.dumpHash(directory.path("ledger.sqlite")) == before, "nothing was recorded")

        // A redirect to another host: the login goes to the registry, never to where it points.
        let elsewhere = try Peer(["bad-registry", "0", "record"], log: directory.path("elsewhere.log"))
        defer { elsewhere.stop() }
        let redirecting = try Peer(["bad-registry", "0", "redirect", "127.0.0.1:\(elsewhere.port)"], log: directory.path("redirect.log"))
        defer { redirecting.stop() }
        var withLogin = shiplog
        withLogin.environment["REGISTRY_AUTH_FILE"] = try Self.authFile(directory, host: "127.0.0.1:\(redirecting.port)", login: "ci:s3cret")
        let redirected = try withLogin.run(["signature", "fetch", "127.0.0.1:\(redirecting.port)/team/app@\(digest)"])
        #expect(redirected.status == 0, "followed to a registry without signatures: \(redirected.stderr)")
        #expect(redirecting.log.contains("Authorization=Basic"), "the registry got the login: \(redirecting.log)")
        #expect(elsewhere.log.contains("Authorization=None") && !elsewhere.log.contains("Authorization=Basic"),
                "the other host never does: \(elsewhere.log)")

        // A token realm on plain HTTP to a host that is not loopback: no credentials are sent there.
        let realm = try Peer(["bad-registry", "0", "realm-scheme", "registry.example.com"], log: directory.path("realm.log"))
        defer { realm.stop() }
        let refused = try shiplog.run(["signature", "fetch", "127.0.0.1:\(realm.port)/team/app@\(digest)"])
        #expect(refused.status == 77 && refused.stderr.contains("not HTTPS"), "\(refused.stderr)")
        #expect(try BadInputCorpusEndToEndTests.dumpHash(directory.path("ledger.sqlite")) == before, "nothing was recorded")
    }

    @Test("bad envelopes: wrong payloadType, bad base64, no signature, another digest, statements that break in-toto: exit 65, nothing recorded")
    func badEnvelopes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shiplog = ShiplogBinary(database: directory.path("ledger.sqlite"))
        // The envelope is made with another ledger, so this one has it not yet.
        let signer = ShiplogBinary(database: directory.path("signer.sqlite"))
        try signer.run(["keys", "generate", "--name", "ci", "--out", directory.path("ci.key")])
        try shiplog.run(["keys", "add", directory.path("ci.key.pub"), "--name", "ci"])
        let digest = "sha256:" + String(repeating: "cd", count: 32)
        let image = "registry.example.com/team/app@\(digest)"
        let envelope = directory.path("good.json")
        try signer.run(["attest", image, "--predicate", Fixtures.url("intoto/intoto_attestation_provenance_v1_predicate_test_valid.json").path,
                         "--type", "slsaprovenance1", "--key", directory.path("ci.key"), "--output-envelope", envelope])
        let good = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: envelope))) as? [String: Any])
        let before = try BadInputCorpusEndToEndTests.dumpHash(directory.path("ledger.sqlite"))

        func with(_ change: (inout [String: Any]) -> Void) throws -> Data {
            var copy = good
            change(&copy)
            return try JSONSerialization.data(withJSONObject: copy)
        }
        func wrapped(_ fixture: String) throws -> Data {
            try with { $0["payload"] = try? Fixtures.data("intoto/\(fixture)").base64EncodedString() }
        }
        let otherSubject = try with { envelope in
            let statement = String(decoding: Data(base64Encoded: envelope["payload"] as? String ?? "") ?? Data(), as: UTF8.self)
            envelope["payload"] = Data(statement.replacingOccurrences(of: String(repeating: "cd", count: 32), with: String(repeating: "ef", count: 32)).utf8)
                .base64EncodedString()
        }
        let cases: [(name: String, data: Data, says: String)] = [
            ("wrong payloadType", try with { $0["payloadType"] = "application/json" }, "payloadType"),
            ("bad base64", try with { $0["payload"] = "not base64!" }, "payload"),
            ("no signatures", try with { $0["signatures"] = [] }, "no signature"),
            ("bad signature base64", try with { $0["signatures"] = [["keyid": "", "sig": "%%%"]] }, "signatures[0].sig"),
            ("a subject with another digest", otherSubject, "does not name \(digest)"),
            ("no subjects", try wrapped("intoto_attestation_statement_test_INVALID_no_subjects.json"), "subject"),
            ("subject without digest", try wrapped("intoto_attestation_statement_test_INVALID_subject_missing_digest.json"), "subject[0].digest"),
            ("missing predicate", try wrapped("intoto_attestation_statement_test_INVALID_missing_predicate.json"), "predicate"),
            ("DSSE's own test vector (not in-toto)", try Fixtures.data("dsse/dsse_protocol_md_test_vector_envelope.json"), "payloadType"),
            ("not JSON", Data("{\"payloadType\":".utf8), "not valid JSON"),
        ]
        for (name, data, says) in cases {
            let result = try shiplog.run(["attestation", "import", "-", "--image", image], stdin: data)
            #expect(result.status == 65, "\(name): \(result.stderr)")
            #expect(result.stderr.contains(says) && result.stderr.split(separator: "\n").count == 1, "\(name): \(result.stderr)")
        }
        #expect(try BadInputCorpusEndToEndTests.dumpHash(directory.path("ledger.sqlite")) == before, "nothing was recorded")

        // One good line and one bad: the whole file is refused.
        let lines = (try Data(contentsOf: URL(fileURLWithPath: envelope))) + Data("\n".utf8) + (try with { $0["signatures"] = [] })
        let mixed = try shiplog.run(["attestation", "import", "-"], stdin: lines)
        #expect(mixed.status == 65 && mixed.stderr.contains("line 2"), "\(mixed.stderr)")
        #expect(try BadInputCorpusEndToEndTests.dumpHash(directory.path("ledger.sqlite")) == before, "nothing was recorded")
        let imported = try #require(try shiplog.json(["attestation", "import", envelope]) as? [String: Any])
        #expect(imported["recorded"] as? Int == 1, "subjects name the image: \(imported)")
    }
}
